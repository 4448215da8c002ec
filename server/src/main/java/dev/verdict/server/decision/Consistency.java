package dev.verdict.server.decision;

/** How fresh a decision must be (DESIGN §4); {@code revision} is used by AT_LEAST_AS_FRESH only. */
public record Consistency(Mode mode, long revision) {
    public enum Mode { MINIMIZE_LATENCY, AT_LEAST_AS_FRESH, FULLY_CONSISTENT }

    public static final Consistency MINIMIZE_LATENCY = new Consistency(Mode.MINIMIZE_LATENCY, 0);
    public static final Consistency FULLY_CONSISTENT = new Consistency(Mode.FULLY_CONSISTENT, 0);

    public static Consistency atLeastAsFresh(long revision) {
        return new Consistency(Mode.AT_LEAST_AS_FRESH, revision);
    }
}
