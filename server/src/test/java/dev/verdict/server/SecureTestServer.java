package dev.verdict.server;

import dev.verdict.server.security.BootstrapKey;
import dev.verdict.server.store.Database;
import dev.verdict.server.store.DatabaseConfig;
import dev.verdict.v1.CreateOrganizationRequest;
import dev.verdict.v1.CreateOrganizationResponse;
import dev.verdict.v1.OrganizationServiceGrpc;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Authenticating Verdict servers for the security tests, on the same embedded Postgres as {@link TestServer}
 * (which serves without authentication, and is handy for setting data up). {@link #shared()} is one server per
 * JVM; {@link #start} starts a server of one's own (to stop, or with other limits or TLS).
 */
public final class SecureTestServer {
    /** The bootstrap key of every secure test server. */
    public static final String BOOTSTRAP_KEY = BootstrapKey.generate();

    private static VerdictServer shared;
    private static ManagedChannel sharedChannel;

    private SecureTestServer() {}

    /** A configuration of an authenticating server on a free port of loopback, over the shared database. */
    public static ServerConfig config() {
        Database database = TestServer.server().database();
        DatabaseConfig external = new DatabaseConfig(database.jdbcUrl(), database.user(), database.password(), null, false, 8);
        return ServerConfig.of("127.0.0.1", 0, external, BootstrapKey.of(BOOTSTRAP_KEY));
    }

    /** Starts a server of one's own; close it when done. */
    public static VerdictServer start(UnaryOperator<ServerConfig> adjust) {
        return VerdictServer.start(adjust.apply(config()));
    }

    /** A plaintext channel to {@code server}. */
    public static ManagedChannel channel(VerdictServer server) {
        return NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    /** A channel to the shared secure server, started on first use and stopped when the JVM exits. */
    public static synchronized ManagedChannel channel() {
        if (sharedChannel == null) {
            shared = start(UnaryOperator.identity());
            sharedChannel = channel(shared);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                sharedChannel.shutdownNow();
                shared.close();
            }));
        }
        return sharedChannel;
    }

    /** The shared secure server. */
    public static synchronized VerdictServer server() {
        channel();
        return shared;
    }

    /** {@code stub} sending {@code authorization: Bearer <key>}. */
    public static <S extends AbstractStub<S>> S withKey(S stub, String key) {
        return stub.withInterceptors(bearer(key));
    }

    /** An interceptor sending {@code authorization: Bearer <key>}. */
    public static ClientInterceptor bearer(String key) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    /** Creates an organization with the bootstrap key on the shared secure server. */
    public static CreateOrganizationResponse newOrganization() {
        return withKey(OrganizationServiceGrpc.newBlockingStub(channel()), BOOTSTRAP_KEY)
                .createOrganization(CreateOrganizationRequest.newBuilder()
                        .setName("secure-" + UUID.randomUUID())
                        .build());
    }
}
