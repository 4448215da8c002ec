package dev.verdict.server.api;

import com.google.protobuf.FieldMask;
import com.google.protobuf.Timestamp;
import dev.verdict.server.domain.DomainException;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/** Conversions between proto values and domain values shared by the adapters. */
final class Protos {
    private Protos() {}

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    /** Parses a UUID that the protos do not validate (nested resources); a bad one names its field. */
    static UUID uuid(String value, String field) {
        try {
            if (value.length() != 36) {
                throw new IllegalArgumentException();
            }
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid(field, "must be a UUID");
        }
    }

    /** The update mask's paths, each checked against the fields the RPC lets callers change. */
    static Set<String> maskPaths(FieldMask mask, Set<String> allowed) {
        if (mask.getPathsCount() == 0) {
            throw DomainException.invalid("update_mask", "must name at least one field");
        }
        for (String path : mask.getPathsList()) {
            if (!allowed.contains(path)) {
                throw DomainException.invalid("update_mask", "cannot change `" + path + "`; allowed: " + allowed);
            }
        }
        return Set.copyOf(mask.getPathsList());
    }

    /** Null for an empty string: the protos use "" for "not set". */
    static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
