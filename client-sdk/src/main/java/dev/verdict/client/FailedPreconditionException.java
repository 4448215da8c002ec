package dev.verdict.client;

/** The state forbids the change ({@code FAILED_PRECONDITION}); see {@link #preconditionViolations()}. */
public final class FailedPreconditionException extends VerdictException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception; the SDK makes these from failed calls.
     *
     * @param failure what the server answered
     * @param cause   the underlying gRPC exception, or null
     */
    public FailedPreconditionException(Failure failure, Throwable cause) {
        super(failure, cause);
    }
}
