package dev.verdict.server.domain;

import java.util.List;
import java.util.UUID;

/** What a request to create a group asks for: the group and its initial grants, mappings and direct members. */
public record NewGroup(
        String name,
        String description,
        String stage,
        List<GroupRoleGrant> roleGrants,
        List<IdpMapping> idpMappings,
        List<UUID> userIds) {}
