package dev.verdict.client;

import java.util.Optional;

/**
 * The caller may not make this call ({@code PERMISSION_DENIED}): its API key lacks the permission the RPC
 * requires, named by {@link #missingPermission()}. Not a decision: an access check answers a deny as a
 * {@link Decision}.
 */
public final class PermissionDeniedException extends VerdictException {
    private static final long serialVersionUID = 1L;

    private final String missingPermission;

    /**
     * Creates the exception; the SDK makes these from failed calls.
     *
     * @param failure what the server answered
     * @param cause   the underlying gRPC exception, or null
     */
    public PermissionDeniedException(Failure failure, Throwable cause) {
        super(failure, cause);
        this.missingPermission = failure.missingPermission() == null ? "" : failure.missingPermission();
    }

    /**
     * The permission the caller's key lacks, for example {@code roles.view}, when the server named it (Verdict
     * does, in a {@code google.rpc.ErrorInfo} with reason {@code MISSING_PERMISSION}); empty otherwise, for
     * example when a key that is not the bootstrap key asks to manage organizations.
     */
    public Optional<String> missingPermission() {
        return missingPermission.isEmpty() ? Optional.empty() : Optional.of(missingPermission);
    }
}
