package dev.verdict.server.domain;

import java.util.List;
import java.util.UUID;

/**
 * What the decision engine needs of an organization's catalogue, read in one snapshot at {@code revision}:
 * its stages in order, its permissions with level and direct implications, its roles with kind and grants,
 * and its app keys.
 */
public record CatalogueSnapshot(
        UUID organizationId,
        long revision,
        List<String> stages,
        List<PermissionEntry> permissions,
        List<RoleEntry> roles,
        List<String> appKeys) {

    /** A permission, its level and the keys it directly implies. */
    public record PermissionEntry(String key, PermissionLevel level, List<String> implies) {}

    /** A role, its kind and its permission grants. */
    public record RoleEntry(String key, RoleKind kind, List<RoleGrant> grants) {}

    /** One permission of a role; {@code stages} null means every stage. */
    public record RoleGrant(String permissionKey, List<String> stages) {}
}
