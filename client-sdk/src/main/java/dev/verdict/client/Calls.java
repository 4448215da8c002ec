package dev.verdict.client;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What every call of the SDK goes through: stubs on the (deadline-adding) channel with the API key attached,
 * the organization filled in, failures turned into {@link VerdictException}s, and the newest revision seen per
 * organization remembered. Shared by a client and its per-organization views; thread-safe.
 */
final class Calls {
    private final Channel channel;
    private final CallCredentials credentials;
    private final boolean rememberRevisions;
    private final Map<String, Revision> newest = new ConcurrentHashMap<>();

    Calls(Channel channel, CallCredentials credentials, boolean rememberRevisions) {
        this.channel = channel;
        this.credentials = credentials;
        this.rememberRevisions = rememberRevisions;
    }

    /** A stub of one service; stubs are immutable and thread-safe, so each is made once. */
    <S extends AbstractStub<S>> S stub(Function<Channel, S> factory) {
        S stub = factory.apply(channel);
        return credentials == null ? stub : stub.withCallCredentials(credentials);
    }

    /**
     * Calls one unary RPC: fills in {@code organization_id} when the request has that field empty and the caller
     * bound an organization, and remembers the revision of the answer.
     */
    <Q extends Message, A extends Message> A call(String organizationId, Q request, Function<Q, A> rpc) {
        Q filled = withOrganization(request, organizationId);
        A response;
        try {
            response = rpc.apply(filled);
        } catch (StatusRuntimeException e) {
            throw Failures.of(e);
        }
        remember(filled, response);
        return response;
    }

    /** Calls one server-streaming RPC; failures while reading the stream are turned into exceptions too. */
    <Q extends Message, A extends Message> Iterator<A> stream(
            String organizationId, Q request, Function<Q, Iterator<A>> rpc) {
        Iterator<A> responses;
        try {
            responses = rpc.apply(withOrganization(request, organizationId));
        } catch (StatusRuntimeException e) {
            throw Failures.of(e);
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                try {
                    return responses.hasNext();
                } catch (StatusRuntimeException e) {
                    throw Failures.of(e);
                }
            }

            @Override
            public A next() {
                try {
                    return responses.next();
                } catch (StatusRuntimeException e) {
                    throw Failures.of(e);
                }
            }
        };
    }

    /** The newest revision seen for an organization, when remembering is on. */
    Optional<Revision> newest(String organizationId) {
        return organizationId == null ? Optional.empty() : Optional.ofNullable(newest.get(organizationId));
    }

    boolean remembersRevisions() {
        return rememberRevisions;
    }

    @SuppressWarnings("unchecked")
    private static <Q extends Message> Q withOrganization(Q request, String organizationId) {
        FieldDescriptor field = request.getDescriptorForType().findFieldByName("organization_id");
        if (organizationId == null || field == null || !((String) request.getField(field)).isEmpty()) {
            return request;
        }
        return (Q) request.toBuilder().setField(field, organizationId).build();
    }

    private void remember(Message request, Message response) {
        if (!rememberRevisions) {
            return;
        }
        Optional<Revision> revision = Revision.find(response);
        if (revision.isEmpty()) {
            return;
        }
        String organizationId = organizationIdIn(request).or(() -> organizationIdIn(response)).orElse(null);
        if (organizationId != null) {
            newest.merge(organizationId, revision.get(), (old, seen) -> seen.isNewerThan(old) ? seen : old);
        }
    }

    /** The organization a message is about: its own {@code organization_id}, or that of a message field. */
    private static Optional<String> organizationIdIn(Message message) {
        FieldDescriptor own = message.getDescriptorForType().findFieldByName("organization_id");
        if (own != null && !((String) message.getField(own)).isEmpty()) {
            return Optional.of((String) message.getField(own));
        }
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated() && message.hasField(field)) {
                Message inner = (Message) message.getField(field);
                FieldDescriptor id = inner.getDescriptorForType().findFieldByName("organization_id");
                if (id != null && id.getJavaType() == FieldDescriptor.JavaType.STRING
                        && !((String) inner.getField(id)).isEmpty()) {
                    return Optional.of((String) inner.getField(id));
                }
            }
        }
        return Optional.empty();
    }
}
