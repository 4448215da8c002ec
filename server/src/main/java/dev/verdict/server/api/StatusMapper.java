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
import java.util.List;
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

    /*
     * A status travels in HTTP/2 trailers, which clients refuse past 8 KiB (gRPC's default metadata limit): a
     * request with a thousand bad items, or a huge value echoed back, made the caller see INTERNAL instead
     * of its INVALID_ARGUMENT. So details are bounded: the first violations, each cut short.
     */
    static final int MAX_VIOLATIONS = 10;
    static final int MAX_FIELD = 120;
    static final int MAX_DESCRIPTION = 200;
    static final int MAX_MESSAGE = 300;
    static final int MAX_NAME = 400;

    private StatusMapper() {}

    private static String cut(String text, int max) {
        if (text == null || text.length() <= max) {
            return text == null ? "" : text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end) + "…";
    }

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
                List<DomainException.FieldViolation> violations = e.violations();
                for (DomainException.FieldViolation v : violations.subList(0, Math.min(MAX_VIOLATIONS, violations.size()))) {
                    details.addFieldViolations(BadRequest.FieldViolation.newBuilder()
                            .setField(cut(v.field(), MAX_FIELD))
                            .setDescription(cut(v.description(), MAX_DESCRIPTION)));
                }
                if (violations.size() > MAX_VIOLATIONS) {
                    details.addFieldViolations(BadRequest.FieldViolation.newBuilder()
                            .setField(cut(violations.get(MAX_VIOLATIONS).field(), MAX_FIELD))
                            .setDescription("and " + (violations.size() - MAX_VIOLATIONS) + " more violations"));
                }
                yield status(Code.INVALID_ARGUMENT, e.getMessage(), Any.pack(details.build()));
            }
            case DomainException.NotFound e -> status(Code.NOT_FOUND, e.getMessage(), Any.pack(ResourceInfo.newBuilder()
                    .setResourceType(e.resourceType())
                    .setResourceName(cut(e.resourceName(), MAX_NAME))
                    .setDescription(cut(e.getMessage(), MAX_DESCRIPTION))
                    .build()));
            case DomainException.AlreadyExists e -> status(Code.ALREADY_EXISTS, e.getMessage(), Any.pack(ResourceInfo.newBuilder()
                    .setResourceType(e.resourceType())
                    .setResourceName(cut(e.resourceName(), MAX_NAME))
                    .setDescription(cut(e.getMessage(), MAX_DESCRIPTION))
                    .build()));
            case DomainException.FailedPrecondition e -> status(Code.FAILED_PRECONDITION, e.getMessage(),
                    Any.pack(PreconditionFailure.newBuilder()
                            .addViolations(PreconditionFailure.Violation.newBuilder()
                                    .setType(e.type())
                                    .setSubject(cut(e.subject(), MAX_FIELD))
                                    .setDescription(cut(e.description(), MAX_DESCRIPTION)))
                            .build()));
            case DomainException.Unavailable e -> status(Code.UNAVAILABLE, e.getMessage(), null);
            case DomainException.ResourceExhausted e -> status(Code.RESOURCE_EXHAUSTED, e.getMessage(), null);
            case DomainException.Unauthenticated e -> status(Code.UNAUTHENTICATED, e.getMessage(), null);
            case DomainException.PermissionDenied e -> status(Code.PERMISSION_DENIED, e.getMessage(),
                    e.permission() == null ? null : Any.pack(ErrorInfo.newBuilder()
                            .setReason("MISSING_PERMISSION")
                            .setDomain(ERROR_DOMAIN)
                            .putMetadata("permission", e.permission())
                            .putMetadata("permissions", String.join(",", e.permissions()))
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
        Status.Builder status = Status.newBuilder().setCode(code.getNumber()).setMessage(cut(message, MAX_MESSAGE));
        if (detail != null) {
            status.addDetails(detail);
        }
        return status.build();
    }
}
