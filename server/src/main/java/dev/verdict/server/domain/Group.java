package dev.verdict.server.domain;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** An end-user group, bound to one stage. */
public record Group(
        UUID id,
        String name,
        String description,
        String stage,
        List<GroupRoleGrant> roleGrants,
        List<IdpMapping> idpMappings,
        long memberCount,
        Instant createTime) {}
