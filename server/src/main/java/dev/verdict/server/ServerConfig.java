package dev.verdict.server;

import dev.verdict.server.security.BootstrapKey;
import dev.verdict.server.security.Tls;
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
 * @param authenticate      whether calls must carry credentials and are authorized; false only for the shared
 *                          test server of the service tests ({@link #withoutAuthentication()}), never from
 *                          the command line
 * @param bootstrapKey      the operator's key (required when authenticating)
 * @param tls               TLS (and mutual TLS) of the port, or null for plaintext
 */
public record ServerConfig(String host, int port, DatabaseConfig database, int workerThreads, int maxMessageBytes,
        boolean authenticate, BootstrapKey bootstrapKey, Tls tls) {
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
        if (authenticate) {
            Objects.requireNonNull(bootstrapKey, "bootstrapKey is required when authenticating");
        }
    }

    /** Defaults around a database, authenticating with {@code bootstrapKey}, in plaintext. */
    public static ServerConfig of(String host, int port, DatabaseConfig database, BootstrapKey bootstrapKey) {
        return new ServerConfig(host, port, database, 32, 4 * 1024 * 1024, true, bootstrapKey, null);
    }

    /**
     * This configuration with authentication and authorization off: every call is served as if by an
     * administrator of every organization. For the shared test server of the service tests only.
     */
    public ServerConfig withoutAuthentication() {
        return new ServerConfig(host, port, database, workerThreads, maxMessageBytes, false, null, tls);
    }

    /** This configuration serving TLS. */
    public ServerConfig withTls(Tls tls) {
        return new ServerConfig(host, port, database, workerThreads, maxMessageBytes, authenticate, bootstrapKey, tls);
    }

    /** This configuration with other limits. */
    public ServerConfig withLimits(int workerThreads, int maxMessageBytes) {
        return new ServerConfig(host, port, database, workerThreads, maxMessageBytes, authenticate, bootstrapKey, tls);
    }
}
