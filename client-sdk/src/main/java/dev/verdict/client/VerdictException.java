package dev.verdict.client;

import io.grpc.Status;
import java.util.List;

/**
 * A call to Verdict failed. The one (unchecked) exception type of the SDK: catch it to handle any failure, or
 * one of its subclasses for a particular status. Carries the gRPC status code, the server's message, and the
 * details the server attached ({@code google.rpc.BadRequest} field violations, {@code PreconditionFailure}
 * violations, {@code ResourceInfo}; the missing permission of a {@link PermissionDeniedException}).
 */
public class VerdictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Status.Code code;
    private final transient List<FieldViolation> fieldViolations;
    private final transient List<PreconditionViolation> preconditionViolations;
    private final String resourceType;
    private final String resourceName;

    /**
     * Creates an exception; the SDK makes these from failed calls, callers rarely need to.
     *
     * @param failure what the server (or the transport) answered
     * @param cause   the underlying gRPC exception, or null
     */
    public VerdictException(Failure failure, Throwable cause) {
        super(failure.code() + ": " + failure.message(), cause);
        this.code = failure.code();
        this.fieldViolations = List.copyOf(failure.fieldViolations());
        this.preconditionViolations = List.copyOf(failure.preconditionViolations());
        this.resourceType = failure.resourceType();
        this.resourceName = failure.resourceName();
    }

    /** The gRPC status code, for example {@code INVALID_ARGUMENT}. */
    public Status.Code code() {
        return code;
    }

    /** The bad fields of an {@code INVALID_ARGUMENT}, named as the request wrote them; empty otherwise. */
    public List<FieldViolation> fieldViolations() {
        return fieldViolations == null ? List.of() : fieldViolations;
    }

    /** What the state forbids, for a {@code FAILED_PRECONDITION}; empty otherwise. */
    public List<PreconditionViolation> preconditionViolations() {
        return preconditionViolations == null ? List.of() : preconditionViolations;
    }

    /** The kind of resource missing or duplicated ({@code google.rpc.ResourceInfo}), or empty. */
    public String resourceType() {
        return resourceType;
    }

    /** The name of the resource missing or duplicated ({@code google.rpc.ResourceInfo}), or empty. */
    public String resourceName() {
        return resourceName;
    }

    /**
     * What a failed call answered, as read from its status and details.
     *
     * @param code                   the status code
     * @param message                the status message
     * @param fieldViolations        {@code BadRequest} field violations
     * @param preconditionViolations {@code PreconditionFailure} violations
     * @param resourceType           {@code ResourceInfo.resource_type}, or empty
     * @param resourceName           {@code ResourceInfo.resource_name}, or empty
     * @param missingPermission      the permission a {@code PERMISSION_DENIED} names ({@code google.rpc.ErrorInfo}
     *                               with reason {@code MISSING_PERMISSION}), or empty
     */
    public record Failure(
            Status.Code code,
            String message,
            List<FieldViolation> fieldViolations,
            List<PreconditionViolation> preconditionViolations,
            String resourceType,
            String resourceName,
            String missingPermission) {

        /** A failure that names no missing permission. */
        public Failure(Status.Code code, String message, List<FieldViolation> fieldViolations,
                List<PreconditionViolation> preconditionViolations, String resourceType, String resourceName) {
            this(code, message, fieldViolations, preconditionViolations, resourceType, resourceName, "");
        }
    }
}
