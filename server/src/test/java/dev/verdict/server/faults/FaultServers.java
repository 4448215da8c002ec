package dev.verdict.server.faults;

import dev.verdict.server.ServerConfig;
import dev.verdict.server.VerdictServer;
import dev.verdict.server.store.DatabaseConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;

/** Dedicated servers for fault tests: on a database the test owns, with a short change-poll interval. */
final class FaultServers {
    private FaultServers() {}

    /** A server on loopback over the Postgres at {@code jdbcUrl}, polling changes every {@code pollMillis}. */
    static VerdictServer start(String jdbcUrl, int pollMillis, boolean listenForNotifications) {
        DatabaseConfig database = new DatabaseConfig(jdbcUrl, "postgres", "", null, false, 8);
        ServerConfig.Decisions decisions = new ServerConfig.Decisions(100_000, Duration.ofMinutes(10),
                Duration.ofMillis(500), pollMillis, 1000, listenForNotifications);
        return VerdictServer.start(new ServerConfig("127.0.0.1", 0, database, 16, 4 * 1024 * 1024, decisions));
    }

    static ManagedChannel channel(VerdictServer server) {
        return NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }
}
