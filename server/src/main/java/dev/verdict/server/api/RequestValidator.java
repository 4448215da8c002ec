package dev.verdict.server.api;

import build.buf.protovalidate.ValidationResult;
import build.buf.protovalidate.Validator;
import build.buf.protovalidate.ValidatorFactory;
import build.buf.protovalidate.exceptions.ValidationException;
import build.buf.validate.FieldPathElement;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.verdict.server.domain.DomainException;
import dev.verdict.v1.BatchCheckAccessRequest;
import dev.verdict.v1.CheckAccessRequest;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Enforces the protovalidate rules written in the protos on every request message before a service sees
 * it: a violation is INVALID_ARGUMENT with a {@code BadRequest} naming each bad field. Also refuses a NUL
 * character in any string, anywhere in the request: Postgres text cannot hold one, so it could never be
 * stored or matched, and would otherwise surface as a database error. The decision checks' requests are
 * checked by {@link DecisionRequestRules}, the same rules written out for speed.
 */
public final class RequestValidator implements ServerInterceptor {
    private final Validator validator = ValidatorFactory.newBuilder().build();

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        ServerCall.Listener<Q> listener = next.startCall(call, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                DomainException.InvalidArgument invalid = violations((Message) message);
                if (invalid == null) {
                    super.onMessage(message);
                    return;
                }
                refused = true;
                StatusRuntimeException status = StatusMapper.toStatusException(invalid);
                call.close(status.getStatus(), status.getTrailers() == null ? new Metadata() : status.getTrailers());
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }

    /** The violations of {@code message}, or null when it is valid. */
    DomainException.InvalidArgument violations(Message message) {
        List<DomainException.FieldViolation> violations = switch (message) {
            case CheckAccessRequest check -> DecisionRequestRules.violations(check);
            case BatchCheckAccessRequest batch -> DecisionRequestRules.violations(batch);
            default -> protovalidateViolations(message);
        };
        return violations.isEmpty() ? null : new DomainException.InvalidArgument(violations);
    }

    /** The violations protovalidate finds, and NUL characters. */
    List<DomainException.FieldViolation> protovalidateViolations(Message message) {
        ValidationResult result;
        try {
            result = validator.validate(message);
        } catch (ValidationException e) {
            throw new IllegalStateException("protovalidate rules do not compile", e);
        }
        List<DomainException.FieldViolation> violations = new ArrayList<>(result.getViolations().stream()
                .map(v -> v.toProto())
                .map(v -> new DomainException.FieldViolation(path(v.getField().getElementsList()), v.getMessage()))
                .toList());
        nulCharacters(message, "", violations);
        return violations;
    }

    /** Adds a violation for each string field (at any depth) that contains U+0000. */
    private static void nulCharacters(Message message, String prefix, List<DomainException.FieldViolation> violations) {
        for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
            FieldDescriptor field = entry.getKey();
            if (field.getJavaType() != FieldDescriptor.JavaType.STRING
                    && field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            List<?> values = field.isRepeated() ? (List<?>) entry.getValue() : List.of(entry.getValue());
            for (int i = 0; i < values.size(); i++) {
                String path = prefix + field.getName() + (field.isRepeated() ? "[" + i + "]" : "");
                Object value = values.get(i);
                if (value instanceof String text && text.indexOf('\u0000') >= 0) {
                    violations.add(new DomainException.FieldViolation(path, "must not contain a NUL character"));
                } else if (value instanceof Message nested) {
                    nulCharacters(nested, path + ".", violations);
                }
            }
        }
    }

    private static String path(List<FieldPathElement> elements) {
        StringBuilder path = new StringBuilder();
        for (FieldPathElement element : elements) {
            if (!path.isEmpty()) {
                path.append('.');
            }
            path.append(element.getFieldName());
            switch (element.getSubscriptCase()) {
                case INDEX -> path.append('[').append(element.getIndex()).append(']');
                case STRING_KEY -> path.append("[\"").append(element.getStringKey()).append("\"]");
                case INT_KEY -> path.append('[').append(element.getIntKey()).append(']');
                case UINT_KEY -> path.append('[').append(element.getUintKey()).append(']');
                case BOOL_KEY -> path.append('[').append(element.getBoolKey()).append(']');
                case SUBSCRIPT_NOT_SET -> { }
            }
        }
        return path.toString();
    }
}
