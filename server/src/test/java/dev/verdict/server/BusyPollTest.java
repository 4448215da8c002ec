package dev.verdict.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdict.server.store.Database;
import dev.verdict.server.store.DatabaseConfig;
import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.ActivateUserRequest;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.Decision;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.Principal;
import dev.verdict.v1.Target;
import dev.verdict.v1.UserServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A server whose network thread busy-polls, or spins a while before it sleeps, serves as any other, and its
 * network threads end with it.
 */
class BusyPollTest {
    @Test
    void aBusyPollingServerDecidesAndItsNetworkThreadsStopWithIt() throws Exception {
        decidesAndStops(new ServerConfig.Network(0, true, 0));
    }

    @Test
    void aServerSpinningBeforeItSleepsDecidesAndItsNetworkThreadsStopWithIt() throws Exception {
        decidesAndStops(new ServerConfig.Network(0, false, 500));
    }

    private static void decidesAndStops(ServerConfig.Network network) throws Exception {
        Database database = TestServer.server().database();
        DatabaseConfig external = new DatabaseConfig(database.jdbcUrl(), database.user(), database.password(), null,
                false, 4);
        ServerConfig config = new ServerConfig("127.0.0.1", 0, external, 4, 4 * 1024 * 1024,
                new ServerConfig.Decisions(1_000, Duration.ofMinutes(10), Duration.ofSeconds(5), 1000, 100), false,
                null, null, network);
        String org = TestServer.newOrganization();
        try (VerdictServer server = VerdictServer.start(config)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            try {
                var users = UserServiceGrpc.newBlockingStub(channel);
                String user = users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org)
                        .setEmail("busy@acme.example").addOrganizationRoleKeys("developer").build()).getUser().getUserId();
                String activated = users.activateUser(ActivateUserRequest.newBuilder().setOrganizationId(org)
                        .setUserId(user).build()).getRevisionToken();
                var access = AccessServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
                CheckAccessRequest check = CheckAccessRequest.newBuilder().setOrganizationId(org)
                        .setQuery(AccessQuery.newBuilder()
                                .setPrincipal(Principal.newBuilder().setUserId(user))
                                .setTarget(Target.newBuilder().setPermissionKey("users.view")))
                        .setConsistency(Consistency.newBuilder().setAtLeastAsFresh(activated))
                        .build();
                assertThat(access.checkAccess(check).getDecision()).isEqualTo(Decision.DECISION_ALLOWED);
                // The second is answered from memory on the busy network thread.
                assertThat(access.checkAccess(check).getDecision()).isEqualTo(Decision.DECISION_ALLOWED);
                assertThat(access.checkAccess(check.toBuilder().setQuery(check.getQuery().toBuilder()
                        .setTarget(Target.newBuilder().setPermissionKey("users.manage"))).build()).getDecision())
                        .isEqualTo(Decision.DECISION_DENIED);
                assertThat(networkThreads()).as("spinning uses one network thread by default").isEqualTo(1);
            } finally {
                channel.shutdownNow();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (networkThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(networkThreads()).as("the spinning thread stops with the server").isZero();
    }

    @Test
    void aNegativeThreadCountIsRefused() {
        assertThatThrownBy(() -> new ServerConfig.Network(-1, false, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eventLoopThreads");
    }

    @Test
    void aSpinOutOfRangeOrWithBusyPollingIsRefused() {
        assertThatThrownBy(() -> new ServerConfig.Network(0, false, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spinMicros");
        assertThatThrownBy(() -> new ServerConfig.Network(0, false, 1_000_001))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spinMicros");
        assertThatThrownBy(() -> new ServerConfig.Network(0, true, 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not both");
    }

    private static long networkThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("verdict-network")).count();
    }
}
