package dev.verdict.server.domain;

import java.util.UUID;

/** A direct member of a group, with what a listing of members shows of the user. */
public record GroupMember(UUID userId, String email, String displayName) {}
