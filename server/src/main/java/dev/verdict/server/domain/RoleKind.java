package dev.verdict.server.domain;

/** Who a role is for: members and API clients, or end-users. */
public enum RoleKind { ORGANIZATION, END_USER }
