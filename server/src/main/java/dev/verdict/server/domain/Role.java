package dev.verdict.server.domain;

import java.util.List;

/** A named set of permission grants, for members and API clients or for end-users. */
public record Role(
        String key, String displayName, String description, RoleKind kind, List<PermissionGrant> grants, boolean builtIn) {}
