package dev.verdict.server.domain;

/** An app: what end-user roles and app-level permissions are scoped to. */
public record App(String key, String displayName, String description) {}
