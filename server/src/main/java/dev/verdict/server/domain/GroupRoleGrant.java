package dev.verdict.server.domain;

/** An end-user role for one app, granted to a group in the group's stage. */
public record GroupRoleGrant(String roleKey, String appKey) {}
