package dev.verdict.client;

/** The call did not finish before its deadline ({@code DEADLINE_EXCEEDED}). */
public final class DeadlineExceededException extends VerdictException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception; the SDK makes these from failed calls.
     *
     * @param failure what the server answered
     * @param cause   the underlying gRPC exception, or null
     */
    public DeadlineExceededException(Failure failure, Throwable cause) {
        super(failure, cause);
    }
}
