package dev.verdict.server;

import dev.verdict.server.store.DatabaseConfig;
import java.util.Objects;

/**
 * How a Verdict server runs.
 *
 * @param host              address to listen on (default {@code 0.0.0.0})
 * @param port              gRPC port (default 8181; 0 picks a free one)
 * @param database          where the data lives
 * @param workerThreads     threads serving RPCs, bounded on purpose (default 32)
 * @param maxMessageBytes   largest request accepted (default 4 MiB)
 */
public record ServerConfig(String host, int port, DatabaseConfig database, int workerThreads, int maxMessageBytes) {
    public static final int DEFAULT_PORT = 8181;

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        if (workerThreads < 1) {
            throw new IllegalArgumentException("workerThreads must be positive, was " + workerThreads);
        }
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 1024, was " + maxMessageBytes);
        }
    }

    /** Defaults around a database. */
    public static ServerConfig of(String host, int port, DatabaseConfig database) {
        return new ServerConfig(host, port, database, 32, 4 * 1024 * 1024);
    }
}
