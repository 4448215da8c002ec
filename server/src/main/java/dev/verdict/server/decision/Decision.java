package dev.verdict.server.decision;

/** A decision and the revision it was made at. */
public record Decision(Outcome outcome, long revision) {}
