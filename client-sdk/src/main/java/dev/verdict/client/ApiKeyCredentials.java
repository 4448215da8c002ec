package dev.verdict.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.concurrent.Executor;

/** Sends the API key as {@code authorization: Bearer <key>} on every call. Never prints the key. */
final class ApiKeyCredentials extends CallCredentials {
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final String key;

    ApiKeyCredentials(String key) {
        this.key = key;
    }

    @Override
    public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + key);
        applier.apply(headers);
    }

    @Override
    public String toString() {
        return "ApiKeyCredentials[redacted]";
    }
}
