package dev.verdict.server.domain;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** A person in an organization. */
public record User(
        UUID id,
        String email,
        String displayName,
        UserStatus status,
        Classification classification,
        List<ExternalIdentity> externalIdentities,
        Instant createTime,
        Instant updateTime) {

    /** The form emails are compared in: trimmed, lower case. */
    public static String emailKey(String email) {
        return email.strip().toLowerCase(Locale.ROOT);
    }
}
