package dev.verdict.server.security;

import dev.verdict.server.api.StatusMapper;
import dev.verdict.server.domain.AuthenticatedClient;
import dev.verdict.server.domain.DomainException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;

/**
 * Establishes the {@link Caller} from {@code authorization: Bearer <key>}: the bootstrap key, or the key of an
 * enabled API client. Anything else is UNAUTHENTICATED with the same words whatever the reason, so that a
 * caller learns nothing about which keys or clients exist.
 */
public final class Authentication implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String SCHEME = "bearer ";

    private final BootstrapKey bootstrapKey;
    private final ApiKeys apiKeys;

    public Authentication(BootstrapKey bootstrapKey, ApiKeys apiKeys) {
        this.bootstrapKey = bootstrapKey;
        this.apiKeys = apiKeys;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Caller caller;
        try {
            caller = caller(headers.get(AUTHORIZATION));
        } catch (RuntimeException e) {
            // The database could not be asked (UNAVAILABLE): say so rather than blame the credentials.
            StatusRuntimeException status = StatusMapper.toStatusException(e);
            call.close(status.getStatus(), status.getTrailers() == null ? new Metadata() : status.getTrailers());
            return new ServerCall.Listener<>() {};
        }
        if (caller == null) {
            call.close(StatusMapper.toStatusException(new DomainException.Unauthenticated()).getStatus(), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(Caller.KEY, caller), call, headers, next);
    }

    /**
     * The API client of a call's key when a recent lookup is remembered, or null: what can be known of the
     * caller without the database (see {@code VerdictServer}'s choice of thread).
     */
    public AuthenticatedClient rememberedClient(Metadata headers) {
        String key = key(headers.get(AUTHORIZATION));
        return key == null ? null : apiKeys.remembered(key).orElse(null);
    }

    /** The key of an {@code authorization: Bearer <key>} header, or null. */
    private static String key(String authorization) {
        // Read twice per check (the thread choice, then here): the scheme is matched in place, and only the
        // key is copied (strip() returns it as is unless there is space around it).
        if (authorization == null || authorization.length() <= SCHEME.length()
                || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return null;
        }
        String key = authorization.substring(SCHEME.length()).strip();
        return key.isEmpty() ? null : key;
    }

    private Caller caller(String authorization) {
        String key = key(authorization);
        if (key == null) {
            return null;
        }
        if (bootstrapKey.matches(key)) {
            return new Caller.Bootstrap();
        }
        return apiKeys.authenticate(key)
                .<Caller>map(client -> new Caller.ApiClient(client.organizationId(), client.apiClientId()))
                .orElse(null);
    }
}
