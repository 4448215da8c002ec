package dev.verdict.server.domain;

/** The result of a committed write and the revision it committed at. */
public record Written<T>(T value, long revision) {
    public String revisionToken() {
        return Long.toString(revision);
    }
}
