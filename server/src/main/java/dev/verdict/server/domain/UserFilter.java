package dev.verdict.server.domain;

import java.util.UUID;

/**
 * Filters of a user search; null (or an empty query) means "any". {@code query} is a case-insensitive prefix
 * of the email or of the display name; {@code roleKey} matches direct assignments, {@code groupId} direct
 * membership.
 */
public record UserFilter(String query, UserStatus status, String roleKey, UUID groupId, Classification classification) {}
