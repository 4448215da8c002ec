package dev.verdict.server.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.VerdictServer;
import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.ActivateUserRequest;
import dev.verdict.v1.AssignmentServiceGrpc;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.CreateOrganizationRequest;
import dev.verdict.v1.Decision;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.OrganizationServiceGrpc;
import dev.verdict.v1.Principal;
import dev.verdict.v1.Target;
import dev.verdict.v1.UserServiceGrpc;
import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A replica that hears no NOTIFY at all (its change feed does not LISTEN) still converges: it polls the
 * organizations' revisions, so a write through another replica reaches its token-less checks within a few
 * poll intervals.
 */
class PollingReplicaTest {
    private static final int POLL_MILLIS = 200;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aReplicaWithoutNotificationsSeesAnotherReplicasWritesByPolling() throws Exception {
        try (RestartablePostgres postgres = RestartablePostgres.start();
                VerdictServer writer = FaultServers.start(postgres.jdbcUrl(), 1000, true);
                VerdictServer replica = FaultServers.start(postgres.jdbcUrl(), POLL_MILLIS, false)) {
            ManagedChannel toWriter = FaultServers.channel(writer);
            ManagedChannel toReplica = FaultServers.channel(replica);
            try {
                // Only the writer listens: the replica really is deaf to NOTIFY.
                try (var db = DSL.using(postgres.jdbcUrl(), "postgres", "")) {
                    assertThat(db.fetchCount(DSL.table("pg_stat_activity"), DSL.field("query", String.class).like("LISTEN%")))
                            .isEqualTo(1);
                }
                String org = OrganizationServiceGrpc.newBlockingStub(toWriter).createOrganization(
                        CreateOrganizationRequest.newBuilder().setName("replicas").build()).getOrganization().getOrganizationId();
                var users = UserServiceGrpc.newBlockingStub(toWriter);
                String user = users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org)
                        .setEmail("rep@example.com").setDisplayName("Rep").build()).getUser().getUserId();
                users.activateUser(ActivateUserRequest.newBuilder().setOrganizationId(org).setUserId(user).build());
                CheckAccessRequest check = CheckAccessRequest.newBuilder().setOrganizationId(org)
                        .setQuery(AccessQuery.newBuilder().setPrincipal(Principal.newBuilder().setUserId(user))
                                .setTarget(Target.newBuilder().setPermissionKey("users.manage")))
                        .build();
                var replicaAccess = AccessServiceGrpc.newBlockingStub(toReplica);
                // The replica follows the organization and caches the user's closure: denied.
                assertThat(replicaAccess.checkAccess(check).getDecision()).isEqualTo(Decision.DECISION_DENIED);
                assertThat(replicaAccess.checkAccess(check).getDecision()).isEqualTo(Decision.DECISION_DENIED);

                long revision = Long.parseLong(AssignmentServiceGrpc.newBlockingStub(toWriter).grantRole(
                        GrantRoleRequest.newBuilder().setOrganizationId(org)
                                .setPrincipal(Principal.newBuilder().setUserId(user)).setRoleKey("administrator").build())
                        .getRevisionToken());
                long start = System.nanoTime();
                while (replicaAccess.checkAccess(check).getDecision() != Decision.DECISION_ALLOWED
                        && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
                    Thread.sleep(10);
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                System.out.printf("A polling replica saw the write after %d ms (poll every %d ms)%n", millis, POLL_MILLIS);
                assertThat(replicaAccess.checkAccess(check).getDecision()).isEqualTo(Decision.DECISION_ALLOWED);
                assertThat(millis).isLessThan(10L * POLL_MILLIS);
                assertThat(replica.changeFeed().appliedRevision(java.util.UUID.fromString(org))).isGreaterThanOrEqualTo(revision);
            } finally {
                toWriter.shutdownNow();
                toReplica.shutdownNow();
            }
        }
    }
}
