package dev.verdict.client;

/** The resource the call is about does not exist in the organization ({@code NOT_FOUND}). */
public final class NotFoundException extends VerdictException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception; the SDK makes these from failed calls.
     *
     * @param failure what the server answered
     * @param cause   the underlying gRPC exception, or null
     */
    public NotFoundException(Failure failure, Throwable cause) {
        super(failure, cause);
    }
}
