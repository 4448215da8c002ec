package dev.verdict.server.domain;

import java.util.List;

/**
 * A group a user is an effective member of, and how: directly, and/or through the group's IdP mappings that
 * equal one of the user's external groups.
 */
public record GroupMembership(Group group, boolean direct, List<IdpMapping> viaMappings) {}
