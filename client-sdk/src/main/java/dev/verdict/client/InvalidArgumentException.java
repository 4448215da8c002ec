package dev.verdict.client;

/** The request was malformed or referenced something unknown ({@code INVALID_ARGUMENT}); see {@link #fieldViolations()}. */
public final class InvalidArgumentException extends VerdictException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception; the SDK makes these from failed calls.
     *
     * @param failure what the server answered
     * @param cause   the underlying gRPC exception, or null
     */
    public InvalidArgumentException(Failure failure, Throwable cause) {
        super(failure, cause);
    }
}
