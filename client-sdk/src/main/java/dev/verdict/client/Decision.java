package dev.verdict.client;

import dev.verdict.v1.CheckAccessResponse;
import dev.verdict.v1.DenyReason;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to an access question. Immutable. Fails closed: only an explicit {@code DECISION_ALLOWED} from the
 * server is {@link #allowed()}; a missing or unspecified decision, and a batch item the server could not decide
 * (see {@link #error()}), are denies.
 *
 * @param allowed  whether the principal may
 * @param reason   why not, when denied ({@code DENY_REASON_UNSPECIFIED} when allowed or not given)
 * @param revision the revision the decision was made at, or null when the server gave none
 * @param error    for a batch item the server could not decide, why; otherwise null
 */
public record Decision(boolean allowed, DenyReason reason, Revision revision, VerdictException error) {
    /** Checks the reason is present. */
    public Decision {
        Objects.requireNonNull(reason, "reason");
    }

    /** The decision of a {@code CheckAccessResponse}; anything but ALLOWED is a deny. */
    static Decision of(CheckAccessResponse response, String fallbackToken) {
        boolean allowed = response.getDecision() == dev.verdict.v1.Decision.DECISION_ALLOWED;
        DenyReason reason = response.getReason() == DenyReason.UNRECOGNIZED
                ? DenyReason.DENY_REASON_UNSPECIFIED : response.getReason();
        String token = response.getRevisionToken().isBlank() ? fallbackToken : response.getRevisionToken();
        return new Decision(allowed, allowed ? DenyReason.DENY_REASON_UNSPECIFIED : reason,
                token == null || token.isBlank() ? null : new Revision(token), null);
    }

    /** A deny because the item could not be decided. */
    static Decision failed(VerdictException error) {
        return new Decision(false, DenyReason.DENY_REASON_UNSPECIFIED, null, error);
    }

    /** Whether the principal may not (the negation of {@link #allowed()}). */
    public boolean denied() {
        return !allowed;
    }

    /** The revision the decision was made at, if the server gave one. */
    public Optional<Revision> revisionToken() {
        return Optional.ofNullable(revision);
    }

    /** Why the item could not be decided, for a batch item that failed. */
    public Optional<VerdictException> failure() {
        return Optional.ofNullable(error);
    }
}
