package dev.verdict.server.domain;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A tenant, with its ordered stages and its latest revision. */
public record Organization(UUID id, String name, List<String> stages, Instant createTime, long revision) {
    /** The stages every organization starts with when none are given. */
    public static final List<String> DEFAULT_STAGES = List.of("development", "qa", "production");
}
