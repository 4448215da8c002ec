package dev.verdict.server.security;

import java.util.UUID;

/** Whether an API client holds an organization-level permission in its organization (no stage, no app). */
@FunctionalInterface
public interface PermissionCheck {
    boolean holds(UUID organizationId, UUID apiClientId, String permission);
}
