package dev.verdict.server.security;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.verdict.server.api.StatusMapper;
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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

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
                // The client's own organization in canonical text, as its SDK sends it, needs no parsing.
                if (named != null && !isCanonicalText(named.value(), client.organizationId())) {
                    UUID organization = parse(named);
                    if (!organization.equals(client.organizationId())) {
                        throw DomainException.notFound("organization", named.value());
                    }
                }
                if (!rule.apiClients()) {
                    throw denied("only the bootstrap key may call " + method);
                }
                // Every missing permission is named, so that a caller fixing its role learns them at once. A
                // plain loop: a caller holding them all, every check, allocates nothing here.
                List<String> required = rule.permissions();
                List<String> missing = null;
                for (int i = 0; i < required.size(); i++) {
                    String permission = required.get(i);
                    if (!permissions.holds(client.organizationId(), client.apiClientId(), permission)) {
                        if (missing == null) {
                            missing = new ArrayList<>(required.size());
                        }
                        missing.add(permission);
                    }
                }
                if (missing != null) {
                    throw new DomainException.PermissionDenied("the caller lacks the permission"
                            + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing)
                            + " in organization " + client.organizationId(), List.copyOf(missing));
                }
            }
        }
    }

    private static final String HEX_DIGITS = "0123456789abcdef";

    /**
     * Whether {@code text} is exactly {@code id}'s {@link UUID#toString()} (lower-case 8-4-4-4-12): compared digit
     * by digit, so that nothing is parsed or built. Any other spelling of the same id is parsed by the caller.
     */
    static boolean isCanonicalText(String text, UUID id) {
        if (text.length() != 36) {
            return false;
        }
        int nibble = 0;
        for (int i = 0; i < 36; i++) {
            char c = text.charAt(i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    return false;
                }
                continue;
            }
            long bits = nibble < 16 ? id.getMostSignificantBits() : id.getLeastSignificantBits();
            int digit = (int) (bits >>> (60 - 4 * (nibble & 15))) & 0xF;
            if (c != HEX_DIGITS.charAt(digit)) {
                return false;
            }
            nibble++;
        }
        return true;
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
            // The decision checks, the hot path, read their field directly: no reflection.
            if (request instanceof CheckAccessRequest check) {
                return new OrganizationField("organization_id", check.getOrganizationId());
            }
            if (request instanceof BatchCheckAccessRequest batch) {
                return new OrganizationField("organization_id", batch.getOrganizationId());
            }
            return Location.of(request.getDescriptorForType()).read(request);
        }
    }

    /**
     * The fields through which requests of one type name their organization ({@code organization_id} at the top,
     * or inside {@code organization}; null when absent), looked up once per type. Never invalidated: message
     * types are fixed at compile time, so the map holds at most one entry per request type of the protos.
     */
    private record Location(FieldDescriptor id, FieldDescriptor organization, FieldDescriptor innerId) {
        private static final ConcurrentMap<Descriptor, Location> BY_TYPE = new ConcurrentHashMap<>();

        static Location of(Descriptor type) {
            return BY_TYPE.computeIfAbsent(type, Location::find);
        }

        private static Location find(Descriptor type) {
            FieldDescriptor id = type.findFieldByName("organization_id");
            if (id != null && id.getType() == FieldDescriptor.Type.STRING && !id.isRepeated()) {
                return new Location(id, null, null);
            }
            FieldDescriptor organization = type.findFieldByName("organization");
            if (organization != null && organization.getType() == FieldDescriptor.Type.MESSAGE && !organization.isRepeated()) {
                FieldDescriptor innerId = organization.getMessageType().findFieldByName("organization_id");
                if (innerId != null) {
                    return new Location(null, organization, innerId);
                }
            }
            return new Location(null, null, null);
        }

        OrganizationField read(Message request) {
            if (id != null) {
                return new OrganizationField("organization_id", (String) request.getField(id));
            }
            if (innerId != null) {
                Message inner = (Message) request.getField(organization);
                return new OrganizationField("organization.organization_id", (String) inner.getField(innerId));
            }
            return null;
        }
    }
}
