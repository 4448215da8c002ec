package dev.verdict.server.domain;

import java.time.Instant;
import java.util.UUID;

/** A role held directly by a principal; a null stage means every stage, a null app every app. */
public record Assignment(UUID id, Principal principal, String roleKey, String stage, String appKey, Instant createTime) {}
