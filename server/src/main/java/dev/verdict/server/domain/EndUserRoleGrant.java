package dev.verdict.server.domain;

/** An end-user role for one app in one stage, given when a user is invited. */
public record EndUserRoleGrant(String roleKey, String appKey, String stage) {}
