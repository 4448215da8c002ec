package dev.verdict.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.security.BootstrapKey;
import dev.verdict.server.store.DatabaseConfig;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The health service tells load balancers the truth: NOT_SERVING while the database is not reachable and
 * migrated yet, SERVING after, and NOT_SERVING again as soon as shutdown begins.
 */
class HealthTest {

    @Test
    void notServingUntilTheDatabaseIsReadyThenServingThenNotServingWhileShuttingDown() throws Exception {
        int databasePort = freePort();
        int grpcPort = freePort();
        Path data = Files.createTempDirectory("verdict-health-pg");
        DatabaseConfig database = new DatabaseConfig("jdbc:postgresql://localhost:" + databasePort + "/postgres",
                "postgres", "", null, false, 4, Duration.ofMinutes(1));
        // The database is not there yet: start() keeps waiting for it while already answering health.
        CompletableFuture<VerdictServer> starting = CompletableFuture.supplyAsync(
                () -> VerdictServer.start(ServerConfig.of("127.0.0.1", grpcPort, database,
                        BootstrapKey.of(BootstrapKey.generate()))));
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        try {
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
            assertThat(awaitStatus(health)).isEqualTo(ServingStatus.NOT_SERVING);
            assertThat(starting).isNotDone();

            try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(data).setCleanDataDirectory(true).setPort(databasePort).start()) {
                VerdictServer server = starting.get(60, TimeUnit.SECONDS);
                assertThat(check(health)).isEqualTo(ServingStatus.SERVING);

                CopyOnWriteArrayList<ServingStatus> watched = new CopyOnWriteArrayList<>();
                Context.CancellableContext watching = Context.current().withCancellation();
                watching.run(() -> HealthGrpc.newStub(channel).watch(HealthCheckRequest.getDefaultInstance(), new StreamObserver<>() {
                    @Override
                    public void onNext(HealthCheckResponse value) {
                        watched.add(value.getStatus());
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                }));
                awaitUntil(() -> watched.contains(ServingStatus.SERVING));
                // close() drains calls in flight, the watch among them: end the watch once it has seen the change.
                CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
                awaitUntil(() -> watched.contains(ServingStatus.NOT_SERVING));
                watching.cancel(null);
                closing.get(15, TimeUnit.SECONDS);
                assertThat(watched).containsSubsequence(ServingStatus.SERVING, ServingStatus.NOT_SERVING);
            }
        } finally {
            channel.shutdownNow();
        }
    }

    private static ServingStatus awaitStatus(HealthGrpc.HealthBlockingStub health) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return check(health);
            } catch (io.grpc.StatusRuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private static ServingStatus check(HealthGrpc.HealthBlockingStub health) {
        return health.withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus();
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
