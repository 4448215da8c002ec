package dev.verdict.client;

/** The server could not be reached or is overloaded ({@code UNAVAILABLE}), after any retries the client makes. */
public final class UnavailableException extends VerdictException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception; the SDK makes these from failed calls.
     *
     * @param failure what the server answered
     * @param cause   the underlying gRPC exception, or null
     */
    public UnavailableException(Failure failure, Throwable cause) {
        super(failure, cause);
    }
}
