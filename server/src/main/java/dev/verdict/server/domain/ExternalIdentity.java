package dev.verdict.server.domain;

/** A user's identity at an identity provider. */
public record ExternalIdentity(String idp, String subject) {}
