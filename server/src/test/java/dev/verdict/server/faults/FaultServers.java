package dev.verdict.server.faults;

import dev.verdict.server.ServerConfig;
import dev.verdict.server.VerdictServer;
import dev.verdict.server.security.BootstrapKey;
import dev.verdict.server.store.DatabaseConfig;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Dedicated servers for fault tests: on a database the test owns, with a short change-poll interval, and
 * calls with an API key where a server authenticates.
 */
final class FaultServers {
    private FaultServers() {}

    /** A server on loopback over the Postgres at {@code jdbcUrl}, polling changes every {@code pollMillis}. */
    static VerdictServer start(String jdbcUrl, int pollMillis, boolean listenForNotifications) {
        DatabaseConfig database = new DatabaseConfig(jdbcUrl, "postgres", "", null, false, 8);
        ServerConfig.Decisions decisions = new ServerConfig.Decisions(100_000, Duration.ofMinutes(10),
                Duration.ofMillis(500), pollMillis, 1000, listenForNotifications);
        // Authentication off, as for the shared TestServer: these tests are about the database, not about callers.
        return VerdictServer.start(new ServerConfig("127.0.0.1", 0, database, 16, 4 * 1024 * 1024, decisions, false,
                BootstrapKey.of(BootstrapKey.generate()), null));
    }

    static ManagedChannel channel(VerdictServer server) {
        return NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    /** Credentials that send {@code authorization: Bearer <key>} on every call. */
    static CallCredentials bearer(String key) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
                applier.apply(headers);
            }
        };
    }
}
