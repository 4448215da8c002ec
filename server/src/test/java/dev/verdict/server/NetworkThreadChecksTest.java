package dev.verdict.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.security.BootstrapKey;
import dev.verdict.server.store.Database;
import dev.verdict.server.store.DatabaseConfig;
import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.ActivateUserRequest;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.CheckAccessResponse;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.Decision;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.Principal;
import dev.verdict.v1.Target;
import dev.verdict.v1.UserServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A check answered from memory runs on the network thread, so it does not wait for the worker pool: with the
 * only worker held by a check that waits for a revision nobody writes, a cached check still answers at once
 * (in seconds, against the 60 s the worker is held), and a check that needs the database waits its turn.
 */
class NetworkThreadChecksTest {
    @Test
    void aCachedCheckIsAnsweredWhileEveryWorkerIsBusy() throws Exception {
        Database database = TestServer.server().database();
        DatabaseConfig external = new DatabaseConfig(database.jdbcUrl(), database.user(), database.password(), null,
                false, 4);
        ServerConfig.Decisions decisions = new ServerConfig.Decisions(1_000, Duration.ofMinutes(10),
                Duration.ofSeconds(60), 1000, 100);
        ServerConfig config = new ServerConfig("127.0.0.1", 0, external, 1, 4 * 1024 * 1024, decisions, false, null, null);
        String org = TestServer.newOrganization();
        try (VerdictServer server = VerdictServer.start(config)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            try {
                var users = UserServiceGrpc.newBlockingStub(channel);
                String user = users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org)
                        .setEmail("net@acme.example").addOrganizationRoleKeys("developer").build()).getUser().getUserId();
                String activated = users.activateUser(ActivateUserRequest.newBuilder().setOrganizationId(org)
                        .setUserId(user).build()).getRevisionToken();
                var access = AccessServiceGrpc.newBlockingStub(channel);
                CheckAccessRequest check = CheckAccessRequest.newBuilder().setOrganizationId(org)
                        .setQuery(AccessQuery.newBuilder()
                                .setPrincipal(Principal.newBuilder().setUserId(user))
                                .setTarget(Target.newBuilder().setPermissionKey("users.view")))
                        .build();
                // Once the server has applied the activation, the closure it builds stays cached.
                assertThat(access.checkAccess(check.toBuilder().setConsistency(Consistency.newBuilder()
                        .setAtLeastAsFresh(activated)).build()).getDecision()).isEqualTo(Decision.DECISION_ALLOWED);
                assertThat(access.checkAccess(check).getDecision()).isEqualTo(Decision.DECISION_ALLOWED);
                assertThat(server.engine().decidesFromMemory(java.util.UUID.fromString(org),
                        dev.verdict.server.domain.Principal.user(java.util.UUID.fromString(user)))).isTrue();

                // The only worker waits (up to 60 s) for a revision far in the future.
                AccessServiceGrpc.newStub(channel).withDeadlineAfter(90, TimeUnit.SECONDS).checkAccess(check.toBuilder()
                        .setConsistency(Consistency.newBuilder().setAtLeastAsFresh("999999999")).build(), ignore());
                Thread.sleep(200);

                CheckAccessResponse cached = access.withDeadlineAfter(10, TimeUnit.SECONDS).checkAccess(check);
                assertThat(cached.getDecision()).isEqualTo(Decision.DECISION_ALLOWED);
                assertThat(access.withDeadlineAfter(10, TimeUnit.SECONDS).checkAccess(check.toBuilder()
                        .setQuery(check.getQuery().toBuilder().setTarget(Target.newBuilder().setPermissionKey("users.manage")))
                        .build()).getDecision()).isEqualTo(Decision.DECISION_DENIED);
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private static StreamObserver<CheckAccessResponse> ignore() {
        return new StreamObserver<>() {
            @Override
            public void onNext(CheckAccessResponse value) {}

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        };
    }
}
