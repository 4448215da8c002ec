package dev.verdict.server.domain;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One committed write of an organization. {@code userIds} names the users whose decisions it may alter
 * directly; wider changes (roles, permissions, groups) name their resource instead.
 */
public record Change(
        UUID organizationId,
        long revision,
        String resourceType,
        String resourceId,
        String action,
        List<UUID> userIds,
        Instant commitTime) {}
