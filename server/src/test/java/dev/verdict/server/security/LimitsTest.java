package dev.verdict.server.security;

import static dev.verdict.server.SecureTestServer.BOOTSTRAP_KEY;
import static dev.verdict.server.SecureTestServer.withKey;
import static dev.verdict.server.TestServer.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.SecureTestServer;
import dev.verdict.server.VerdictServer;
import dev.verdict.server.store.Database;
import dev.verdict.v1.CreateOrganizationRequest;
import dev.verdict.v1.GetOrganizationRequest;
import dev.verdict.v1.Organization;
import dev.verdict.v1.OrganizationServiceGrpc;
import dev.verdict.v1.UpdateOrganizationRequest;
import com.google.protobuf.FieldMask;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Limits with clear errors, deadlines honoured, and a graceful shutdown. */
class LimitsTest {

    @Test
    void aRequestOverTheMessageLimitIsResourceExhausted() {
        VerdictServer small = SecureTestServer.start(c -> c.withLimits(4, 1024));
        ManagedChannel channel = SecureTestServer.channel(small);
        try {
            var request = CreateOrganizationRequest.newBuilder().setName("big-" + UUID.randomUUID());
            for (int i = 0; i < 20; i++) {
                request.addStages("s" + i + "x".repeat(60));
            }
            StatusRuntimeException e = failure(() -> withKey(OrganizationServiceGrpc.newBlockingStub(channel), BOOTSTRAP_KEY)
                    .createOrganization(request.build()));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getStatus().getDescription()).contains("1024");
        } finally {
            channel.shutdownNow();
            small.close();
        }
    }

    @Test
    void aWriteWhoseDeadlinePassedWhileQueuedNeverRuns() throws Exception {
        // One worker thread: a write blocked on a row lock holds it, so the next call queues behind it.
        VerdictServer single = SecureTestServer.start(c -> c.withLimits(1, 4 * 1024 * 1024));
        ManagedChannel channel = SecureTestServer.channel(single);
        var bootstrap = withKey(OrganizationServiceGrpc.newBlockingStub(channel), BOOTSTRAP_KEY);
        Organization blocked = newOrganization(bootstrap);
        Organization target = newOrganization(bootstrap);
        try (Connection lock = lock(single.database(), blocked.getOrganizationId())) {
            CompletableFuture<Organization> first = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> first.complete(
                    rename(bootstrap.withDeadlineAfter(30, TimeUnit.SECONDS), blocked, "renamed-" + UUID.randomUUID())));
            Thread.sleep(300);
            StatusRuntimeException late = failure(() -> rename(bootstrap.withDeadlineAfter(200, TimeUnit.MILLISECONDS),
                    target, "too-late-" + UUID.randomUUID()));
            assertThat(late.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
            lock.rollback();
            assertThat(first.get(10, TimeUnit.SECONDS).getName()).startsWith("renamed-");
        }
        // The late call got its worker after its deadline: it must not have renamed anything.
        Thread.sleep(200);
        Organization after = bootstrap.getOrganization(GetOrganizationRequest.newBuilder()
                .setOrganizationId(target.getOrganizationId()).build()).getOrganization();
        assertThat(after.getName()).isEqualTo(target.getName());
        assertThat(after.getRevisionToken()).isEqualTo(target.getRevisionToken());
        channel.shutdownNow();
        single.close();
    }

    @Test
    void shutdownLetsACallInFlightFinishAndRefusesNewOnes() throws Exception {
        ExecutorService threads = Executors.newCachedThreadPool();
        VerdictServer stopping = SecureTestServer.start(c -> c);
        ManagedChannel channel = SecureTestServer.channel(stopping);
        var bootstrap = withKey(OrganizationServiceGrpc.newBlockingStub(channel), BOOTSTRAP_KEY);
        Organization org = newOrganization(bootstrap);
        CompletableFuture<Organization> inFlight;
        CompletableFuture<Void> closed;
        try (Connection lock = lock(stopping.database(), org.getOrganizationId())) {
            inFlight = CompletableFuture.supplyAsync(
                    () -> rename(bootstrap.withDeadlineAfter(30, TimeUnit.SECONDS), org, "drained-" + UUID.randomUUID()),
                    threads);
            Thread.sleep(300);
            closed = CompletableFuture.runAsync(stopping::close, threads);
            Thread.sleep(300);
            assertThat(closed).isNotDone();
            // A new call, on a new connection or the old one, is refused while the first is still running.
            ManagedChannel fresh = SecureTestServer.channel(stopping);
            StatusRuntimeException refused = failure(() -> withKey(OrganizationServiceGrpc.newBlockingStub(fresh), BOOTSTRAP_KEY)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getOrganization(GetOrganizationRequest.newBuilder().setOrganizationId(org.getOrganizationId()).build()));
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            fresh.shutdownNow();
            assertThat(inFlight).isNotDone();
            lock.rollback();
        }
        assertThat(inFlight.get(10, TimeUnit.SECONDS).getName()).startsWith("drained-");
        closed.get(15, TimeUnit.SECONDS);
        channel.shutdownNow();
        threads.shutdown();
    }

    private static Organization newOrganization(OrganizationServiceGrpc.OrganizationServiceBlockingStub bootstrap) {
        return bootstrap.createOrganization(CreateOrganizationRequest.newBuilder()
                .setName("limits-" + UUID.randomUUID()).build()).getOrganization();
    }

    private static Organization rename(OrganizationServiceGrpc.OrganizationServiceBlockingStub stub, Organization org, String name) {
        return stub.updateOrganization(UpdateOrganizationRequest.newBuilder()
                .setOrganization(Organization.newBuilder().setOrganizationId(org.getOrganizationId()).setName(name))
                .setUpdateMask(FieldMask.newBuilder().addPaths("name"))
                .build()).getOrganization();
    }

    /** A transaction holding the organization's row lock, which every write of the organization needs. */
    private static Connection lock(Database database, String organizationId) throws Exception {
        Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
        connection.setAutoCommit(false);
        try (PreparedStatement select = connection.prepareStatement(
                "select 1 from organization where organization_id = ?::uuid for update")) {
            select.setString(1, organizationId);
            select.executeQuery().close();
        }
        return connection;
    }
}
