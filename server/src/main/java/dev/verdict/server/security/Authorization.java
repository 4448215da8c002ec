package dev.verdict.server.security;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.verdict.server.api.StatusMapper;
import dev.verdict.server.domain.DomainException;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.UUID;

/**
 * Authorizes each request of the {@link Caller} against its {@link Rule}, before validation and before the
 * service sees it. An API client is bound to one organization: a request naming any other organization is
 * NOT_FOUND for that organization, exactly as if it did not exist, whatever the RPC. Inside its organization
 * the client must hold the rule's permission, asked of Verdict's own decision engine; if not, the call is
 * PERMISSION_DENIED naming every permission it lacks (an {@code ErrorInfo} carries them too: {@code permission}
 * the first, {@code permissions} all of them, comma-separated).
 */
public final class Authorization implements ServerInterceptor {
    private final PermissionCheck permissions;

    public Authorization(PermissionCheck permissions) {
        this.permissions = permissions;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Caller caller = Caller.current();
        String method = call.getMethodDescriptor().getFullMethodName();
        Rule rule = Rules.of(method).orElse(null);
        ServerCall.Listener<Q> listener = next.startCall(call, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                if (refused) {
                    return;
                }
                try {
                    authorize(caller, method, rule, (Message) message);
                } catch (RuntimeException e) {
                    refused = true;
                    StatusRuntimeException status = StatusMapper.toStatusException(e);
                    call.close(status.getStatus(), status.getTrailers() == null ? new Metadata() : status.getTrailers());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }

    private void authorize(Caller caller, String method, Rule rule, Message request) {
        if (caller == null || rule == null) {
            // Fail closed: an RPC without a rule, or a call that skipped authentication, runs for nobody.
            throw denied("the method " + method + " is not open to any caller");
        }
        switch (caller) {
            case Caller.Bootstrap bootstrap -> {
                if (!rule.bootstrap()) {
                    throw denied("the bootstrap key may only manage organizations; use an API client's key");
                }
            }
            case Caller.ApiClient client -> {
                OrganizationField named = OrganizationField.of(request);
                if (named != null) {
                    UUID organization = parse(named);
                    if (!organization.equals(client.organizationId())) {
                        throw DomainException.notFound("organization", named.value());
                    }
                }
                if (!rule.apiClients()) {
                    throw denied("only the bootstrap key may call " + method);
                }
                // Every missing permission is named, so that a caller fixing its role learns them at once.
                List<String> missing = rule.permissions().stream()
                        .filter(p -> !permissions.holds(client.organizationId(), client.apiClientId(), p))
                        .toList();
                if (!missing.isEmpty()) {
                    throw new DomainException.PermissionDenied("the caller lacks the permission"
                            + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing)
                            + " in organization " + client.organizationId(), missing);
                }
            }
        }
    }

    private static UUID parse(OrganizationField named) {
        try {
            return UUID.fromString(named.value());
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid(named.path(), "value must be a valid UUID");
        }
    }

    private static DomainException.PermissionDenied denied(String message) {
        return new DomainException.PermissionDenied(message, List.of());
    }

    /** Where a request names its organization: {@code organization_id}, or {@code organization.organization_id}. */
    record OrganizationField(String path, String value) {
        static OrganizationField of(Message request) {
            FieldDescriptor id = request.getDescriptorForType().findFieldByName("organization_id");
            if (id != null && id.getType() == FieldDescriptor.Type.STRING && !id.isRepeated()) {
                return new OrganizationField("organization_id", (String) request.getField(id));
            }
            FieldDescriptor organization = request.getDescriptorForType().findFieldByName("organization");
            if (organization != null && organization.getType() == FieldDescriptor.Type.MESSAGE && !organization.isRepeated()) {
                Message inner = (Message) request.getField(organization);
                FieldDescriptor innerId = inner.getDescriptorForType().findFieldByName("organization_id");
                if (innerId != null) {
                    return new OrganizationField("organization.organization_id", (String) inner.getField(innerId));
                }
            }
            return null;
        }
    }
}
