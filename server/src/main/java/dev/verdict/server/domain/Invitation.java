package dev.verdict.server.domain;

import java.util.List;
import java.util.UUID;

/**
 * What an invitation asks for: the user itself (email trimmed, display name already defaulted) and the
 * organization roles, end-user roles, groups and external identities it starts with.
 */
public record Invitation(
        String email,
        String displayName,
        Classification classification,
        List<String> organizationRoleKeys,
        List<EndUserRoleGrant> endUserRoles,
        List<UUID> groupIds,
        List<ExternalIdentity> externalIdentities) {}
