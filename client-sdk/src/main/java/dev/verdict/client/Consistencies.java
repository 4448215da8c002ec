package dev.verdict.client;

import dev.verdict.v1.Consistency;
import java.util.Objects;

/** The {@code Consistency} messages the SDK sends. */
final class Consistencies {
    static final Consistency MINIMIZE_LATENCY = Consistency.newBuilder().setMinimizeLatency(true).build();
    static final Consistency FULLY_CONSISTENT = Consistency.newBuilder().setFullyConsistent(true).build();

    private Consistencies() {}

    static Consistency atLeastAsFresh(Revision revision) {
        Objects.requireNonNull(revision, "revision");
        return Consistency.newBuilder().setAtLeastAsFresh(revision.token()).build();
    }
}
