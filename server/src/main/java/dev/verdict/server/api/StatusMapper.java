package dev.verdict.server.api;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.ResourceInfo;
import com.google.rpc.Status;
import dev.verdict.server.domain.DomainException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become gRPC statuses. Domain failures carry {@code google.rpc} details
 * ({@code BadRequest}, {@code ResourceInfo}, {@code PreconditionFailure}, {@code ErrorInfo} naming a missing
 * permission); anything unexpected is logged here
 * with its cause and answered with a bare INTERNAL that reveals nothing.
 */
public final class StatusMapper {
    /** Domain of the {@code google.rpc.ErrorInfo} details Verdict sends. */
    public static final String ERROR_DOMAIN = "verdict.dev";

    private static final Logger log = LoggerFactory.getLogger(StatusMapper.class);

    private StatusMapper() {}

    /** The status to send for {@code failure}. */
    public static StatusRuntimeException toStatusException(Throwable failure) {
        if (failure instanceof StatusRuntimeException status) {
            return status;
        }
        return StatusProto.toStatusRuntimeException(toStatus(failure));
    }

    /** The {@code google.rpc.Status} for {@code failure}, e.g. for one item of a batch. */
    public static Status toStatus(Throwable failure) {
        return switch (failure) {
            case DomainException.InvalidArgument e -> {
                BadRequest.Builder details = BadRequest.newBuilder();
                e.violations().forEach(v -> details.addFieldViolations(BadRequest.FieldViolation.newBuilder()
                        .setField(v.field())
                        .setDescription(v.description())));
                yield status(Code.INVALID_ARGUMENT, e.getMessage(), Any.pack(details.build()));
            }
            case DomainException.NotFound e -> status(Code.NOT_FOUND, e.getMessage(), Any.pack(ResourceInfo.newBuilder()
                    .setResourceType(e.resourceType())
                    .setResourceName(e.resourceName())
                    .setDescription(e.getMessage())
                    .build()));
            case DomainException.AlreadyExists e -> status(Code.ALREADY_EXISTS, e.getMessage(), Any.pack(ResourceInfo.newBuilder()
                    .setResourceType(e.resourceType())
                    .setResourceName(e.resourceName())
                    .setDescription(e.getMessage())
                    .build()));
            case DomainException.FailedPrecondition e -> status(Code.FAILED_PRECONDITION, e.getMessage(),
                    Any.pack(PreconditionFailure.newBuilder()
                            .addViolations(PreconditionFailure.Violation.newBuilder()
                                    .setType(e.type())
                                    .setSubject(e.subject())
                                    .setDescription(e.description()))
                            .build()));
            case DomainException.Unavailable e -> status(Code.UNAVAILABLE, e.getMessage(), null);
            case DomainException.Unauthenticated e -> status(Code.UNAUTHENTICATED, e.getMessage(), null);
            case DomainException.PermissionDenied e -> status(Code.PERMISSION_DENIED, e.getMessage(),
                    e.permission() == null ? null : Any.pack(ErrorInfo.newBuilder()
                            .setReason("MISSING_PERMISSION")
                            .setDomain(ERROR_DOMAIN)
                            .putMetadata("permission", e.permission())
                            .build()));
            case StatusRuntimeException e -> Status.newBuilder()
                    .setCode(e.getStatus().getCode().value())
                    .setMessage(e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription())
                    .build();
            default -> {
                log.error("Internal failure", failure);
                yield status(Code.INTERNAL, "internal error", null);
            }
        };
    }

    private static Status status(Code code, String message, Any detail) {
        Status.Builder status = Status.newBuilder().setCode(code.getNumber()).setMessage(message);
        if (detail != null) {
            status.addDetails(detail);
        }
        return status.build();
    }
}
