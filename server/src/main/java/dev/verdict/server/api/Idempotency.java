package dev.verdict.server.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.verdict.server.store.Store;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Idempotent creates (AIP-155): the first response to a {@code request_id} is remembered and a retry with
 * the same id gets it back instead of a second create. Every create also has a natural unique key, so a
 * retry that races the first, or follows a crash between the two steps, gets ALREADY_EXISTS, never a copy.
 */
final class Idempotency {
    /** The organization id under which organization creates are remembered. */
    static final UUID NO_ORGANIZATION = new UUID(0, 0);

    private final Store store;

    Idempotency(Store store) {
        this.store = store;
    }

    <T extends Message> T once(UUID organizationId, String requestId, String method, Parser<T> parser, Supplier<T> create) {
        return once(organizationId, requestId, method, parser, create, UnaryOperator.identity());
    }

    /**
     * Like {@link #once(UUID, String, String, Parser, Supplier)}, but remembers {@code toRemember} of the first
     * response instead of the response itself: a retry gets that, for example a response without its secret.
     */
    <T extends Message> T once(UUID organizationId, String requestId, String method, Parser<T> parser, Supplier<T> create,
            UnaryOperator<T> toRemember) {
        if (requestId.isEmpty()) {
            return create.get();
        }
        UUID key = UUID.fromString(requestId);
        Optional<byte[]> remembered = store.rememberedResponse(organizationId, key, method);
        if (remembered.isPresent()) {
            try {
                return parser.parseFrom(remembered.get());
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("a remembered response does not parse", e);
            }
        }
        T response = create.get();
        store.rememberResponse(organizationId, key, method, toRemember.apply(response).toByteArray());
        return response;
    }
}
