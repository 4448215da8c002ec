package dev.verdict.server.decision;

/** A decision: allowed, or denied for a reason. */
public enum Outcome {
    ALLOWED, NO_GRANT, PRINCIPAL_INACTIVE, PRINCIPAL_NOT_FOUND, APP_NOT_FOUND;

    public boolean allowed() {
        return this == ALLOWED;
    }
}
