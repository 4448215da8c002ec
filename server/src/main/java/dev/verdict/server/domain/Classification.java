package dev.verdict.server.domain;

/** How an end-user is licensed. */
public enum Classification { INTERNAL, EXTERNAL }
