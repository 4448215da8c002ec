package dev.verdict.server.domain;

import java.time.Instant;
import java.util.UUID;

/** A non-human principal that holds organization roles and calls Verdict with an API key. */
public record ApiClient(UUID id, String name, boolean enabled, Instant createTime) {}
