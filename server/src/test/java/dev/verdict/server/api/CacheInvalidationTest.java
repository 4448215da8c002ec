package dev.verdict.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.TestServer;
import dev.verdict.server.decision.DecisionEngine;
import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.ActivateUserRequest;
import dev.verdict.v1.App;
import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.DeactivateUserRequest;
import dev.verdict.v1.Decision;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.Principal;
import dev.verdict.v1.Target;
import dev.verdict.v1.UpdateAppRequest;
import dev.verdict.v1.UserServiceGrpc;
import com.google.protobuf.FieldMask;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The closure cache drops exactly what a change affects: a user's change drops that user only, a change that
 * leaves every decision as it was (an app's description) drops nothing, and a catalogue change (a new app)
 * makes every closure of the organization rebuild.
 */
class CacheInvalidationTest {
    private final UserServiceGrpc.UserServiceBlockingStub users = UserServiceGrpc.newBlockingStub(TestServer.channel());
    private final AppServiceGrpc.AppServiceBlockingStub apps = AppServiceGrpc.newBlockingStub(TestServer.channel());
    private final AccessServiceGrpc.AccessServiceBlockingStub access = AccessServiceGrpc.newBlockingStub(TestServer.channel());
    private final String org = TestServer.newOrganization();
    private final DecisionEngine engine = TestServer.server().engine();

    private String activeDeveloper(String email) {
        String id = users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org).setEmail(email)
                .addOrganizationRoleKeys("developer").build()).getUser().getUserId();
        users.activateUser(ActivateUserRequest.newBuilder().setOrganizationId(org).setUserId(id).build());
        return id;
    }

    /** Checks at least as fresh as {@code token}: the change is applied, the closure rebuilt if it was dropped. */
    private Decision check(String user, String token) {
        return access.checkAccess(CheckAccessRequest.newBuilder().setOrganizationId(org)
                .setQuery(AccessQuery.newBuilder().setPrincipal(Principal.newBuilder().setUserId(user))
                        .setTarget(Target.newBuilder().setPermissionKey("users.view")))
                .setConsistency(Consistency.newBuilder().setAtLeastAsFresh(token))
                .build()).getDecision();
    }

    private boolean cached(String user) {
        return engine.decidesFromMemory(UUID.fromString(org), dev.verdict.server.domain.Principal.user(UUID.fromString(user)));
    }

    @Test
    void anApiClientsCachedClosureIsNeverTheAnswerForAUserWithItsId() {
        String client = dev.verdict.v1.ApiClientServiceGrpc.newBlockingStub(TestServer.channel()).createApiClient(
                dev.verdict.v1.CreateApiClientRequest.newBuilder().setOrganizationId(org).setName("svc").build())
                .getApiClient().getApiClientId();
        String token = dev.verdict.v1.AssignmentServiceGrpc.newBlockingStub(TestServer.channel()).grantRole(
                dev.verdict.v1.GrantRoleRequest.newBuilder().setOrganizationId(org)
                        .setPrincipal(Principal.newBuilder().setApiClientId(client)).setRoleKey("developer").build())
                .getRevisionToken();
        CheckAccessRequest.Builder check = CheckAccessRequest.newBuilder().setOrganizationId(org)
                .setQuery(AccessQuery.newBuilder().setPrincipal(Principal.newBuilder().setApiClientId(client))
                        .setTarget(Target.newBuilder().setPermissionKey("users.view")))
                .setConsistency(Consistency.newBuilder().setAtLeastAsFresh(token));
        assertThat(access.checkAccess(check.build()).getDecision()).isEqualTo(Decision.DECISION_ALLOWED); // cached

        var asUser = access.checkAccess(check.setQuery(check.getQuery().toBuilder()
                .setPrincipal(Principal.newBuilder().setUserId(client))).build());
        assertThat(asUser.getDecision()).isEqualTo(Decision.DECISION_DENIED);
        assertThat(asUser.getReason()).isEqualTo(dev.verdict.v1.DenyReason.DENY_REASON_PRINCIPAL_NOT_FOUND);
    }

    @Test
    void eachChangeDropsExactlyTheClosuresItAffects() {
        String ana = activeDeveloper("ana@acme.example");
        String bob = activeDeveloper("bob@acme.example");
        String token = apps.createApp(CreateAppRequest.newBuilder().setOrganizationId(org)
                .setApp(App.newBuilder().setKey("sales")).build()).getRevisionToken();
        assertThat(check(ana, token)).isEqualTo(Decision.DECISION_ALLOWED);
        assertThat(check(bob, token)).isEqualTo(Decision.DECISION_ALLOWED);
        assertThat(cached(ana)).isTrue();
        assertThat(cached(bob)).isTrue();

        String described = apps.updateApp(UpdateAppRequest.newBuilder().setOrganizationId(org)
                .setApp(App.newBuilder().setKey("sales").setDescription("The sales portal"))
                .setUpdateMask(FieldMask.newBuilder().addPaths("description")).build()).getRevisionToken();
        TestServer.server().changeFeed().awaitRevision(UUID.fromString(org), Long.parseLong(described),
                java.time.Duration.ofSeconds(5));
        assertThat(check(bob, described)).isEqualTo(Decision.DECISION_ALLOWED); // re-reads the catalogue
        assertThat(cached(ana)).as("a description decides nothing").isTrue();

        String deactivated = users.deactivateUser(DeactivateUserRequest.newBuilder().setOrganizationId(org)
                .setUserId(ana).build()).getRevisionToken();
        TestServer.server().changeFeed().awaitRevision(UUID.fromString(org), Long.parseLong(deactivated),
                java.time.Duration.ofSeconds(5));
        assertThat(cached(ana)).as("the deactivated user").isFalse();
        assertThat(cached(bob)).as("another user").isTrue();
        assertThat(check(ana, deactivated)).isEqualTo(Decision.DECISION_DENIED);

        String created = apps.createApp(CreateAppRequest.newBuilder().setOrganizationId(org)
                .setApp(App.newBuilder().setKey("billing")).build()).getRevisionToken();
        TestServer.server().changeFeed().awaitRevision(UUID.fromString(org), Long.parseLong(created),
                java.time.Duration.ofSeconds(5));
        assertThat(check(ana, created)).isEqualTo(Decision.DECISION_DENIED); // the new catalogue is read
        assertThat(cached(bob)).as("a new app changes the catalogue every closure is built on").isFalse();
    }
}
