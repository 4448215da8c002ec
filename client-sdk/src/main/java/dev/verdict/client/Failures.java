package dev.verdict.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.ResourceInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;

/** Turns gRPC failures (a thrown status, or a {@code google.rpc.Status} of a batch item) into SDK exceptions. */
final class Failures {
    private Failures() {}

    static VerdictException of(StatusRuntimeException e) {
        com.google.rpc.Status details = StatusProto.fromThrowable(e);
        String message = e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription();
        return of(e.getStatus().getCode(), message, details == null ? List.of() : details.getDetailsList(), e);
    }

    static VerdictException of(com.google.rpc.Status status) {
        return of(Status.fromCodeValue(status.getCode()).getCode(), status.getMessage(), status.getDetailsList(), null);
    }

    private static VerdictException of(Status.Code code, String message, List<Any> details, Throwable cause) {
        List<FieldViolation> fields = new ArrayList<>();
        List<PreconditionViolation> preconditions = new ArrayList<>();
        String resourceType = "";
        String resourceName = "";
        String missingPermission = "";
        for (Any detail : details) {
            try {
                if (detail.is(BadRequest.class)) {
                    detail.unpack(BadRequest.class).getFieldViolationsList()
                            .forEach(v -> fields.add(new FieldViolation(v.getField(), v.getDescription())));
                } else if (detail.is(PreconditionFailure.class)) {
                    detail.unpack(PreconditionFailure.class).getViolationsList().forEach(v ->
                            preconditions.add(new PreconditionViolation(v.getType(), v.getSubject(), v.getDescription())));
                } else if (detail.is(ResourceInfo.class)) {
                    ResourceInfo info = detail.unpack(ResourceInfo.class);
                    resourceType = info.getResourceType();
                    resourceName = info.getResourceName();
                } else if (detail.is(ErrorInfo.class)) {
                    ErrorInfo info = detail.unpack(ErrorInfo.class);
                    if (info.getReason().equals("MISSING_PERMISSION")) {
                        missingPermission = info.getMetadataOrDefault("permission", "");
                    }
                }
            } catch (InvalidProtocolBufferException ignored) {
                // A detail that does not parse is left out; the code and message still say what failed.
            }
        }
        VerdictException.Failure failure =
                new VerdictException.Failure(code, message, fields, preconditions, resourceType, resourceName,
                        missingPermission);
        return switch (code) {
            case INVALID_ARGUMENT -> new InvalidArgumentException(failure, cause);
            case NOT_FOUND -> new NotFoundException(failure, cause);
            case ALREADY_EXISTS -> new AlreadyExistsException(failure, cause);
            case FAILED_PRECONDITION -> new FailedPreconditionException(failure, cause);
            case PERMISSION_DENIED -> new PermissionDeniedException(failure, cause);
            case UNAUTHENTICATED -> new UnauthenticatedException(failure, cause);
            case UNAVAILABLE -> new UnavailableException(failure, cause);
            case DEADLINE_EXCEEDED -> new DeadlineExceededException(failure, cause);
            default -> new VerdictException(failure, cause);
        };
    }
}
