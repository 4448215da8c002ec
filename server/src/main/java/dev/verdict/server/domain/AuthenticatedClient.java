package dev.verdict.server.domain;

import java.util.UUID;

/**
 * The API client an API key belongs to. A disabled client's key still identifies it ({@code enabled} false),
 * so that the caller can refuse it with a clear reason.
 */
public record AuthenticatedClient(UUID organizationId, UUID apiClientId, boolean enabled) {}
