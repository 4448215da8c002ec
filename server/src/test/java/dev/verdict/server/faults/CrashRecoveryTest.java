package dev.verdict.server.faults;

import static dev.verdict.server.store.schema.Tables.CHANGE_LOG;
import static dev.verdict.server.store.schema.Tables.ORGANIZATION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.security.BootstrapKey;
import dev.verdict.v1.App;
import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.CreateOrganizationRequest;
import dev.verdict.v1.GetAppRequest;
import dev.verdict.v1.GetUserRequest;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.OrganizationServiceGrpc;
import dev.verdict.v1.UserServiceGrpc;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.jooq.CloseableDSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server process is killed with SIGKILL in the middle of a write load and started again on the same
 * database: every write it acknowledged is there, and each organization's change log is 1..N without a gap,
 * N being the organization's revision.
 */
class CrashRecoveryTest {
    private static final int WRITERS = 4;
    private static final int ORGANIZATIONS = 3;
    /** The operator's key the server process is started with (authentication is on, as in production). */
    private static final String BOOTSTRAP_KEY = BootstrapKey.generate();

    /** A write the server acknowledged: what it created, where, and at which revision. */
    private record Acknowledged(String org, String kind, String id, long revision) {}

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void everyAcknowledgedWriteSurvivesAKillAndTheChangeLogHasNoGap() throws Exception {
        try (RestartablePostgres postgres = RestartablePostgres.start()) {
            Path logs = Files.createTempDirectory("verdict-crash");
            int port = RestartablePostgres.freePort();
            Process first = startServer(postgres, port, logs.resolve("first.log"));
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            Process second = null;
            try {
                awaitServing(channel, first, logs.resolve("first.log"));
                // The operator creates the organizations; each is then written with its administrator key.
                List<String> orgs = new ArrayList<>();
                Map<String, CallCredentials> adminKeys = new HashMap<>();
                for (int i = 0; i < ORGANIZATIONS; i++) {
                    var created = OrganizationServiceGrpc.newBlockingStub(channel)
                            .withCallCredentials(FaultServers.bearer(BOOTSTRAP_KEY))
                            .createOrganization(CreateOrganizationRequest.newBuilder().setName("crash-" + i).build());
                    orgs.add(created.getOrganization().getOrganizationId());
                    adminKeys.put(created.getOrganization().getOrganizationId(),
                            FaultServers.bearer(created.getAdminApiKey()));
                }

                ConcurrentLinkedQueue<Acknowledged> acknowledged = new ConcurrentLinkedQueue<>();
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger failed = new AtomicInteger();
                ExecutorService load = Executors.newFixedThreadPool(WRITERS);
                List<Future<?>> writers = new ArrayList<>();
                for (int t = 0; t < WRITERS; t++) {
                    int thread = t;
                    writers.add(load.submit(() -> {
                        ManagedChannel writes = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
                        for (int i = 0; running.get(); i++) {
                            String org = orgs.get((thread + i) % orgs.size());
                            String name = "w" + thread + "-" + i;
                            try {
                                if (i % 2 == 0) {
                                    var response = UserServiceGrpc.newBlockingStub(writes)
                                            .withCallCredentials(adminKeys.get(org)).withDeadlineAfter(5, TimeUnit.SECONDS)
                                            .inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org)
                                                    .setEmail(name + "@example.com").setDisplayName(name).build());
                                    acknowledged.add(new Acknowledged(org, "user", response.getUser().getUserId(),
                                            Long.parseLong(response.getRevisionToken())));
                                } else {
                                    var response = AppServiceGrpc.newBlockingStub(writes)
                                            .withCallCredentials(adminKeys.get(org)).withDeadlineAfter(5, TimeUnit.SECONDS)
                                            .createApp(CreateAppRequest.newBuilder().setOrganizationId(org)
                                                    .setApp(App.newBuilder().setKey("app-" + name.replace('-', '_'))
                                                            .setDisplayName(name)).build());
                                    acknowledged.add(new Acknowledged(org, "app", response.getApp().getKey(),
                                            Long.parseLong(response.getRevisionToken())));
                                }
                            } catch (StatusRuntimeException e) {
                                // After the kill nothing answers; a refused or lost write is simply not acknowledged.
                                failed.incrementAndGet();
                                sleep(20);
                            }
                        }
                        writes.shutdownNow();
                    }));
                }
                // Kill once the load is well under way.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (acknowledged.size() < 150 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                first.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful close
                assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
                int acknowledgedAtKill = acknowledged.size();
                Thread.sleep(300);
                running.set(false);
                for (Future<?> writer : writers) {
                    writer.get(30, TimeUnit.SECONDS);
                }
                load.shutdown();

                channel.shutdownNow();
                second = startServer(postgres, port, logs.resolve("second.log"));
                // A new channel: the old one backs off reconnecting to the dead process.
                channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
                awaitServing(channel, second, logs.resolve("second.log"));
                System.out.printf("Crash: %d writes acknowledged before SIGKILL, %d refused or lost%n",
                        acknowledged.size(), failed.get());
                assertThat(acknowledgedAtKill).isGreaterThan(0);

                // Every acknowledged write is there, through the restarted server.
                for (Acknowledged write : acknowledged) {
                    if (write.kind().equals("user")) {
                        assertThat(UserServiceGrpc.newBlockingStub(channel)
                                .withCallCredentials(adminKeys.get(write.org())).getUser(GetUserRequest.newBuilder()
                                .setOrganizationId(write.org()).setUserId(write.id()).build()).getUser().getUserId())
                                .isEqualTo(write.id());
                    } else {
                        assertThat(AppServiceGrpc.newBlockingStub(channel)
                                .withCallCredentials(adminKeys.get(write.org())).getApp(GetAppRequest.newBuilder()
                                .setOrganizationId(write.org()).setKey(write.id()).build()).getApp().getKey())
                                .isEqualTo(write.id());
                    }
                }
                // Each organization's change log is 1..N with N its revision, and names each acknowledged write.
                try (CloseableDSLContext db = DSL.using(postgres.jdbcUrl(), "postgres", "")) {
                    for (String org : orgs) {
                        UUID id = UUID.fromString(org);
                        long revision = db.select(ORGANIZATION.REVISION).from(ORGANIZATION)
                                .where(ORGANIZATION.ORGANIZATION_ID.eq(id)).fetchOne(ORGANIZATION.REVISION);
                        List<Long> revisions = db.select(CHANGE_LOG.REVISION).from(CHANGE_LOG)
                                .where(CHANGE_LOG.ORGANIZATION_ID.eq(id)).orderBy(CHANGE_LOG.REVISION)
                                .fetch(CHANGE_LOG.REVISION);
                        assertThat(revisions).as("change log of %s", org)
                                .containsExactlyElementsOf(LongStream.rangeClosed(1, revision).boxed().toList());
                        Map<Long, String> resourceAt = new HashMap<>();
                        db.select(CHANGE_LOG.REVISION, CHANGE_LOG.RESOURCE_ID).from(CHANGE_LOG)
                                .where(CHANGE_LOG.ORGANIZATION_ID.eq(id))
                                .forEach(r -> resourceAt.put(r.value1(), r.value2()));
                        for (Acknowledged write : acknowledged) {
                            if (write.org().equals(org)) {
                                assertThat(resourceAt.get(write.revision())).as("change at %d", write.revision())
                                        .isEqualTo(write.id());
                            }
                        }
                    }
                }
            } finally {
                channel.shutdownNow();
                first.destroyForcibly();
                if (second != null) {
                    second.destroy();
                    if (!second.waitFor(15, TimeUnit.SECONDS)) {
                        second.destroyForcibly();
                    }
                }
            }
        }
    }

    /** The server as its own OS process, with this JVM's java and class path. */
    private static Process startServer(RestartablePostgres postgres, int port, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "dev.verdict.server.Main", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--db-url", postgres.jdbcUrl(), "--db-user", "postgres", "--db-pool-size", "8", "--threads", "8");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put(BootstrapKey.ENVIRONMENT_VARIABLE, BOOTSTRAP_KEY);
        return builder.start();
    }

    private static void awaitServing(ManagedChannel channel, Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the server exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (HealthGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance()).getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
                    return;
                }
            } catch (StatusRuntimeException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the server did not start:\n" + Files.readString(log));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
