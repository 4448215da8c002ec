package dev.verdict.server.domain;

/** Licensed users of an organization: members are not licensed, end-users are, by classification. */
public record LicenseUsage(long members, long internalEndUsers, long externalEndUsers) {}
