package dev.verdict.client;

/** The API key is missing, unknown or disabled ({@code UNAUTHENTICATED}). */
public final class UnauthenticatedException extends VerdictException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception; the SDK makes these from failed calls.
     *
     * @param failure what the server answered
     * @param cause   the underlying gRPC exception, or null
     */
    public UnauthenticatedException(Failure failure, Throwable cause) {
        super(failure, cause);
    }
}
