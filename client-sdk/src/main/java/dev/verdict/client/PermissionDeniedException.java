package dev.verdict.client;

/** The caller may not make this call ({@code PERMISSION_DENIED}). Not a decision: an access check answers a deny as a {@link Decision}. */
public final class PermissionDeniedException extends VerdictException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception; the SDK makes these from failed calls.
     *
     * @param failure what the server answered
     * @param cause   the underlying gRPC exception, or null
     */
    public PermissionDeniedException(Failure failure, Throwable cause) {
        super(failure, cause);
    }
}
