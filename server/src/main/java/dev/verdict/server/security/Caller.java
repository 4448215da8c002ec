package dev.verdict.server.security;

import io.grpc.Context;
import java.util.UUID;

/**
 * Who is calling, as established by {@link Authentication} and carried in the gRPC {@link Context} of the call:
 * the operator's bootstrap key, or an API client of one organization.
 */
public sealed interface Caller {
    /** The context key under which {@link Authentication} stores the caller. */
    Context.Key<Caller> KEY = Context.key("verdict-caller");

    /** The caller of the current call, or null when authentication is off (the shared test server only). */
    static Caller current() {
        return KEY.get();
    }

    /** The holder of the bootstrap key: may manage organizations, nothing inside them. */
    record Bootstrap() implements Caller {}

    /** An enabled API client of {@code organizationId}. */
    record ApiClient(UUID organizationId, UUID apiClientId) implements Caller {}
}
