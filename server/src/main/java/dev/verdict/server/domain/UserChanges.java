package dev.verdict.server.domain;

import java.util.List;

/** The parts of a user an update changes; null means unchanged. */
public record UserChanges(
        String email, String displayName, Classification classification, List<ExternalIdentity> externalIdentities) {}
