package dev.verdict.client;

/** The resource to create exists already ({@code ALREADY_EXISTS}). */
public final class AlreadyExistsException extends VerdictException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception; the SDK makes these from failed calls.
     *
     * @param failure what the server answered
     * @param cause   the underlying gRPC exception, or null
     */
    public AlreadyExistsException(Failure failure, Throwable cause) {
        super(failure, cause);
    }
}
