package dev.verdict.server;

import dev.verdict.server.security.BootstrapKey;
import dev.verdict.server.store.DatabaseConfig;
import dev.verdict.v1.CreateOrganizationRequest;
import dev.verdict.v1.OrganizationServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert;

/**
 * One real Verdict server per test JVM, on loopback, over an embedded Postgres in a throw-away folder.
 * Tests stay independent by working in organizations of their own ({@link #newOrganization()}), which is
 * also how production isolates tenants.
 */
public final class TestServer {
    private static VerdictServer server;
    private static ManagedChannel channel;

    private TestServer() {}

    /** A channel to the shared server, started on first use and stopped when the JVM exits. */
    public static synchronized ManagedChannel channel() {
        if (channel == null) {
            try {
                Path data = Files.createTempDirectory("verdict-test-pg");
                // Authentication off for the service tests only; SecureTestServer tests it on the same database.
                server = VerdictServer.start(ServerConfig.of("127.0.0.1", 0, DatabaseConfig.ephemeral(data),
                        BootstrapKey.of(BootstrapKey.generate())).withoutAuthentication());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                channel.shutdownNow();
                server.close();
            }));
        }
        return channel;
    }

    /** The shared server itself. */
    public static synchronized VerdictServer server() {
        channel();
        return server;
    }

    /** Creates a fresh organization with the default stages and returns its id. */
    public static String newOrganization() {
        return OrganizationServiceGrpc.newBlockingStub(channel())
                .createOrganization(CreateOrganizationRequest.newBuilder()
                        .setName("org-" + UUID.randomUUID())
                        .build())
                .getOrganization()
                .getOrganizationId();
    }

    /** The status a call fails with (asserting that it fails). */
    public static StatusRuntimeException failure(ThrowableAssert.ThrowingCallable call) {
        try {
            call.call();
        } catch (StatusRuntimeException e) {
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected a gRPC failure, got " + t, t);
        }
        throw new AssertionError("expected a gRPC failure, but the call succeeded");
    }
}
