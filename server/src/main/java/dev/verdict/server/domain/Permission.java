package dev.verdict.server.domain;

import java.util.List;

/** An authorization to perform an action; {@code implies} lists the keys it directly implies. */
public record Permission(
        String key,
        String displayName,
        String section,
        PermissionLevel level,
        List<String> implies,
        String description,
        boolean builtIn) {}
