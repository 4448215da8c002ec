package dev.verdict.server.domain;

/** Lifecycle of a user: INVITED → ACTIVE ⇄ DEACTIVATED. */
public enum UserStatus { INVITED, ACTIVE, DEACTIVATED }
