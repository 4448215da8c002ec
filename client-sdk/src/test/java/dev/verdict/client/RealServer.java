package dev.verdict.client;

import dev.verdict.server.ServerConfig;
import dev.verdict.server.VerdictServer;
import dev.verdict.server.security.BootstrapKey;
import dev.verdict.server.store.Database;
import dev.verdict.server.store.DatabaseConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.function.UnaryOperator;

/** One real Verdict server per test JVM (embedded Postgres in a throw-away folder), reached through the SDK. */
final class RealServer {
    private static VerdictServer server;
    private static VerdictClient client;

    private RealServer() {}

    /** A plaintext client of the shared server, bound to no organization. */
    static synchronized VerdictClient client() {
        if (server == null) {
            try {
                Path data = Files.createTempDirectory("verdict-sdk-test-pg");
                // Like the server's own shared TestServer: authentication off (the SDK's key handling is tested apart).
                server = VerdictServer.start(ServerConfig.of("127.0.0.1", 0, DatabaseConfig.ephemeral(data),
                        BootstrapKey.of(BootstrapKey.generate())).withoutAuthentication());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            client = VerdictClient.builder().target("127.0.0.1:" + server.port()).plaintext().build();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                client.close();
                server.close();
            }));
        }
        return client;
    }

    static synchronized int port() {
        client();
        return server.port();
    }

    /**
     * Starts a server of one's own over the shared server's database, with authentication on and
     * {@code bootstrapKey} as the bootstrap key, adjusted by {@code adjust} (TLS); close it when done.
     */
    static VerdictServer startSecure(String bootstrapKey, UnaryOperator<ServerConfig> adjust) {
        client();
        Database database = server.database();
        DatabaseConfig external = new DatabaseConfig(database.jdbcUrl(), database.user(), database.password(), null,
                false, 4);
        return VerdictServer.start(adjust.apply(
                ServerConfig.of("127.0.0.1", 0, external, BootstrapKey.of(bootstrapKey))));
    }

    /** A new organization (default stages) and a client bound to it. */
    static VerdictClient newOrganization() {
        String id = client().organizations().create("org-" + UUID.randomUUID()).getOrganization().getOrganizationId();
        return client().inOrganization(id);
    }
}
