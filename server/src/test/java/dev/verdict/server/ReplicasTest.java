package dev.verdict.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import dev.verdict.server.store.Database;
import dev.verdict.server.security.BootstrapKey;
import dev.verdict.server.store.DatabaseConfig;
import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.ActivateUserRequest;
import dev.verdict.v1.App;
import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.AssignmentServiceGrpc;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.CreateRoleRequest;
import dev.verdict.v1.Decision;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.GrantRoleResponse;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.PermissionGrant;
import dev.verdict.v1.Principal;
import dev.verdict.v1.RevokeRoleRequest;
import dev.verdict.v1.Role;
import dev.verdict.v1.RoleKind;
import dev.verdict.v1.RoleServiceGrpc;
import dev.verdict.v1.Scope;
import dev.verdict.v1.Target;
import dev.verdict.v1.UpdateRoleRequest;
import dev.verdict.v1.UserServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two replicas on one database: server A is the shared {@link TestServer}, server B a second {@link VerdictServer}
 * started against A's (embedded) Postgres as an external database. Writes go through A, decisions through B:
 * with a write's token B answers at once; without one B converges through the change log (NOTIFY), well within
 * the closure cache's expiry, so what is measured is invalidation, not expiry.
 */
class ReplicasTest {
    private static final Duration CONVERGENCE_LIMIT = Duration.ofSeconds(2);

    private static VerdictServer replicaB;
    private static ManagedChannel channelB;

    private final AccessServiceGrpc.AccessServiceBlockingStub accessB = AccessServiceGrpc.newBlockingStub(channelB);
    private final AssignmentServiceGrpc.AssignmentServiceBlockingStub assignmentsA =
            AssignmentServiceGrpc.newBlockingStub(TestServer.channel());
    private final RoleServiceGrpc.RoleServiceBlockingStub rolesA = RoleServiceGrpc.newBlockingStub(TestServer.channel());
    private final String org = TestServer.newOrganization();

    @BeforeAll
    static void startReplicaB() {
        Database database = TestServer.server().database();
        DatabaseConfig external = new DatabaseConfig(database.jdbcUrl(), database.user(), database.password(), null,
                false, 8);
        // A second replica of the shared test server: authentication off like it (the security tests cover it).
        replicaB = VerdictServer.start(ServerConfig.of("127.0.0.1", 0, external, BootstrapKey.of(BootstrapKey.generate()))
                .withoutAuthentication());
        channelB = NettyChannelBuilder.forAddress("127.0.0.1", replicaB.port()).usePlaintext().build();
    }

    @AfterAll
    static void stopReplicaB() throws InterruptedException {
        channelB.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        replicaB.close();
    }

    @Test
    void aWriteThroughASeenThroughBWithItsTokenAtOnce() {
        String user = activeUser("token@example.com");
        app("shop");
        assertThat(decideOnB(viewShop(user), null)).isEqualTo(Decision.DECISION_DENIED); // B follows the org now

        for (int i = 0; i < 10; i++) {
            var granted = grant(user, "developer");
            assertThat(decideOnB(viewShop(user), granted.getRevisionToken())).isEqualTo(Decision.DECISION_ALLOWED);
            String revoked = assignmentsA.revokeRole(RevokeRoleRequest.newBuilder().setOrganizationId(org)
                    .setAssignmentId(granted.getAssignment().getAssignmentId()).build()).getRevisionToken();
            assertThat(decideOnB(viewShop(user), revoked)).isEqualTo(Decision.DECISION_DENIED);
        }
    }

    @Test
    void writesThroughAConvergeOnBWithoutATokenWithinTwoSeconds() {
        String user = activeUser("converge@example.com");
        app("shop");
        AccessQuery view = viewShop(user);
        assertThat(decideOnB(view, null)).isEqualTo(Decision.DECISION_DENIED);

        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            var granted = grant(user, "developer");
            millis.add(convergence(view, Decision.DECISION_ALLOWED));
            assignmentsA.revokeRole(RevokeRoleRequest.newBuilder().setOrganizationId(org)
                    .setAssignmentId(granted.getAssignment().getAssignmentId()).build());
            millis.add(convergence(view, Decision.DECISION_DENIED));
        }
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        System.out.printf("replica converged in %d ms (first write); over %d writes: median %d ms, max %d ms%n",
                millis.get(0), sorted.size(), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    }

    @Test
    void aRevokeThroughAInvalidatesAClosureCachedOnBThroughTheChangeLog() {
        String user = activeUser("cached@example.com");
        app("shop");
        var granted = grant(user, "developer");
        AccessQuery view = viewShop(user);
        assertThat(decideOnB(view, granted.getRevisionToken())).isEqualTo(Decision.DECISION_ALLOWED);
        long hits = replicaB.engine().closureStats().hitCount();
        assertThat(decideOnB(view, null)).isEqualTo(Decision.DECISION_ALLOWED);
        assertThat(replicaB.engine().closureStats().hitCount()).as("the second check is answered from B's cache")
                .isGreaterThan(hits);

        assignmentsA.revokeRole(RevokeRoleRequest.newBuilder().setOrganizationId(org)
                .setAssignmentId(granted.getAssignment().getAssignmentId()).build());
        long tookMillis = convergence(view, Decision.DECISION_DENIED);
        System.out.printf("replica dropped a cached closure after a revoke in %d ms%n", tookMillis);
    }

    @Test
    void aRoleChangeThroughAReachesTheCatalogueOfBWithoutAToken() {
        String user = activeUser("catalogue@example.com");
        app("shop");
        rolesA.createRole(CreateRoleRequest.newBuilder().setOrganizationId(org).setRole(Role.newBuilder()
                .setKey("shop_admin").setKind(RoleKind.ROLE_KIND_ORGANIZATION)
                .addGrants(PermissionGrant.newBuilder().setPermissionKey("app.delete"))).build());
        String token = assignmentsA.grantRole(GrantRoleRequest.newBuilder().setOrganizationId(org)
                .setPrincipal(Principal.newBuilder().setUserId(user)).setRoleKey("shop_admin").build()).getRevisionToken();
        AccessQuery delete = query(user, "app.delete");
        assertThat(decideOnB(delete, token)).isEqualTo(Decision.DECISION_ALLOWED);
        assertThat(decideOnB(delete, null)).isEqualTo(Decision.DECISION_ALLOWED);

        rolesA.updateRole(UpdateRoleRequest.newBuilder().setOrganizationId(org)
                .setRole(Role.newBuilder().setKey("shop_admin")
                        .addGrants(PermissionGrant.newBuilder().setPermissionKey("app.view")))
                .setUpdateMask(FieldMask.newBuilder().addPaths("grants")).build());
        long tookMillis = convergence(delete, Decision.DECISION_DENIED);
        System.out.printf("replica rebuilt its catalogue after a role change in %d ms%n", tookMillis);
        assertThat(decideOnB(query(user, "app.view"), null)).isEqualTo(Decision.DECISION_ALLOWED);
    }

    /** Polls B with the default consistency until it answers {@code expected}; returns how long that took. */
    private long convergence(AccessQuery query, Decision expected) {
        long start = System.nanoTime();
        long deadline = start + CONVERGENCE_LIMIT.toNanos();
        while (decideOnB(query, null) != expected) {
            assertThat(System.nanoTime()).as("replica B converges to %s within %s", expected, CONVERGENCE_LIMIT)
                    .isLessThan(deadline);
            sleepAMillisecond();
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static void sleepAMillisecond() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Decision decideOnB(AccessQuery query, String token) {
        CheckAccessRequest.Builder request = CheckAccessRequest.newBuilder().setOrganizationId(org).setQuery(query);
        if (token != null) {
            request.setConsistency(Consistency.newBuilder().setAtLeastAsFresh(token));
        }
        return accessB.checkAccess(request.build()).getDecision();
    }

    private static AccessQuery viewShop(String user) {
        return query(user, "app.view");
    }

    private static AccessQuery query(String user, String permission) {
        return AccessQuery.newBuilder().setPrincipal(Principal.newBuilder().setUserId(user))
                .setTarget(Target.newBuilder().setPermissionKey(permission)).setStage("production").setAppKey("shop")
                .build();
    }

    private GrantRoleResponse grant(String user, String role) {
        return assignmentsA.grantRole(GrantRoleRequest.newBuilder().setOrganizationId(org)
                .setPrincipal(Principal.newBuilder().setUserId(user)).setRoleKey(role)
                .setScope(Scope.newBuilder().setAppKey("shop")).build());
    }

    private void app(String key) {
        AppServiceGrpc.newBlockingStub(TestServer.channel()).createApp(CreateAppRequest.newBuilder().setOrganizationId(org)
                .setApp(App.newBuilder().setKey(key).setDisplayName(key)).build());
    }

    private String activeUser(String email) {
        UserServiceGrpc.UserServiceBlockingStub users = UserServiceGrpc.newBlockingStub(TestServer.channel());
        String id = users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org).setEmail(email)
                .setDisplayName(email).build()).getUser().getUserId();
        users.activateUser(ActivateUserRequest.newBuilder().setOrganizationId(org).setUserId(id).build());
        return id;
    }
}
