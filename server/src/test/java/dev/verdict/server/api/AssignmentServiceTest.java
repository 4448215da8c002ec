package dev.verdict.server.api;

import static dev.verdict.server.TestServer.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.Errors;
import dev.verdict.server.TestServer;
import dev.verdict.v1.Assignment;
import dev.verdict.v1.AssignmentServiceGrpc;
import dev.verdict.v1.DeleteUserRequest;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.GrantRoleResponse;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.ListAssignmentsRequest;
import dev.verdict.v1.ListAssignmentsResponse;
import dev.verdict.v1.Principal;
import dev.verdict.v1.RevokeRoleRequest;
import dev.verdict.v1.Scope;
import dev.verdict.v1.UserServiceGrpc;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AssignmentServiceTest {
    private final AssignmentServiceGrpc.AssignmentServiceBlockingStub assignments =
            AssignmentServiceGrpc.newBlockingStub(TestServer.channel());
    private final UserServiceGrpc.UserServiceBlockingStub users = UserServiceGrpc.newBlockingStub(TestServer.channel());
    private final String org = TestServer.newOrganization();
    private String userId;
    private String clientId;

    @BeforeEach
    void seed() {
        UserTestData.app(org, "crm");
        UserTestData.app(org, "billing");
        UserTestData.endUserRole(org, "crm_viewer");
        userId = invite(org, "Pat@Example.com");
        clientId = UserTestData.apiClient(org, "deployer");
    }

    private String invite(String organization, String email) {
        return users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(organization).setEmail(email).build())
                .getUser().getUserId();
    }

    private static Principal user(String id) {
        return Principal.newBuilder().setUserId(id).build();
    }

    private static Principal client(String id) {
        return Principal.newBuilder().setApiClientId(id).build();
    }

    private static Scope scope(String stage, String app) {
        return Scope.newBuilder().setStage(stage).setAppKey(app).build();
    }

    private GrantRoleResponse grant(Principal principal, String role, Scope scope) {
        return assignments.grantRole(GrantRoleRequest.newBuilder().setOrganizationId(org)
                .setPrincipal(principal).setRoleKey(role).setScope(scope).build());
    }

    private ListAssignmentsResponse list(Consumer<ListAssignmentsRequest.Builder> filter) {
        var request = ListAssignmentsRequest.newBuilder().setOrganizationId(org);
        filter.accept(request);
        return assignments.listAssignments(request.build());
    }

    // --- GrantRole

    @Test
    void grantsAnOrganizationRoleInEveryKindOfScope() {
        var orgWide = grant(user(userId), "developer", Scope.getDefaultInstance());
        assertThat(orgWide.getRevisionToken()).isNotEmpty();
        Assignment a = orgWide.getAssignment();
        assertThat(a.getAssignmentId()).isNotEmpty();
        assertThat(a.getPrincipal()).isEqualTo(user(userId));
        assertThat(a.getRoleKey()).isEqualTo("developer");
        assertThat(a.getScope()).isEqualTo(Scope.getDefaultInstance());
        assertThat(a.hasCreateTime()).isTrue();

        grant(user(userId), "developer", scope("qa", ""));
        grant(user(userId), "developer", scope("", "crm"));
        grant(user(userId), "developer", scope("production", "crm"));
        var held = list(b -> b.setPrincipal(user(userId))).getAssignmentsList();
        assertThat(held).extracting(x -> x.getScope().getStage() + "/" + x.getScope().getAppKey())
                .containsExactlyInAnyOrder("/", "qa/", "/crm", "production/crm");
    }

    @Test
    void grantsAnEndUserRoleForOneAppInOneStage() {
        Assignment a = grant(user(userId), "crm_viewer", scope("production", "crm")).getAssignment();
        assertThat(a.getScope()).isEqualTo(scope("production", "crm"));
        assertThat(list(b -> b.setAppKey("crm")).getAssignmentsList()).containsExactly(a);
    }

    @Test
    void grantsByEmailInAnyCaseAndAnswersWithTheUserId() {
        Assignment a = grant(Principal.newBuilder().setUserEmail("  pat@EXAMPLE.com ").build(), "developer",
                Scope.getDefaultInstance()).getAssignment();
        assertThat(a.getPrincipal()).isEqualTo(user(userId));
        assertThat(list(b -> b.setPrincipal(Principal.newBuilder().setUserEmail("PAT@example.com"))).getAssignmentsList())
                .containsExactly(a);
    }

    @Test
    void grantsOrganizationRolesToApiClientsButNotEndUserRoles() {
        Assignment a = grant(client(clientId), "administrator", scope("qa", "")).getAssignment();
        assertThat(a.getPrincipal()).isEqualTo(client(clientId));
        assertThat(list(b -> b.setPrincipal(client(clientId))).getAssignmentsList()).containsExactly(a);
        var e = failure(() -> grant(client(clientId), "crm_viewer", scope("qa", "crm")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("principal.api_client_id");
    }

    @Test
    void refusalsNameTheFieldAndGrantNothing() {
        record Case(String field, Principal principal, String role, Scope scope) {}
        String missing = UUID.randomUUID().toString();
        List<Case> cases = List.of(
                new Case("principal.user_id", user(missing), "developer", Scope.getDefaultInstance()),
                new Case("principal.user_email", Principal.newBuilder().setUserEmail("nobody@example.com").build(),
                        "developer", Scope.getDefaultInstance()),
                new Case("principal.api_client_id", client(missing), "developer", Scope.getDefaultInstance()),
                new Case("role_key", user(userId), "no_such_role", Scope.getDefaultInstance()),
                new Case("scope.stage", user(userId), "developer", scope("staging", "")),
                new Case("scope.app_key", user(userId), "developer", scope("", "no-such-app")),
                new Case("scope.stage", user(userId), "crm_viewer", scope("", "crm")),
                new Case("scope.app_key", user(userId), "crm_viewer", scope("qa", "")),
                new Case("scope.app_key", user(userId), "crm_viewer", scope("qa", "no-such-app")),
                new Case("scope.stage", user(userId), "crm_viewer", Scope.getDefaultInstance()));
        for (Case c : cases) {
            var e = failure(() -> grant(c.principal(), c.role(), c.scope()));
            assertThat(e.getStatus().getCode()).as(c.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(Errors.badFields(e)).as(c.toString()).containsExactly(c.field());
        }
        assertThat(list(b -> b.setPrincipal(user(userId))).getAssignmentsList()).isEmpty();
    }

    @Test
    void theSameAssignmentTwiceIsAlreadyExists() {
        grant(user(userId), "crm_viewer", scope("qa", "crm"));
        var e = failure(() -> grant(Principal.newBuilder().setUserEmail("pat@example.com").build(), "crm_viewer", scope("qa", "crm")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        grant(client(clientId), "developer", Scope.getDefaultInstance());
        var again = failure(() -> grant(client(clientId), "developer", Scope.getDefaultInstance()));
        assertThat(again.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        // Another scope is another assignment.
        grant(user(userId), "crm_viewer", scope("production", "crm"));
        assertThat(list(b -> b.setRoleKey("crm_viewer")).getAssignmentsList()).hasSize(2);
    }

    @Test
    void retriedGrantWithTheSameRequestIdReturnsTheFirstResult() {
        var request = GrantRoleRequest.newBuilder().setOrganizationId(org).setPrincipal(user(userId))
                .setRoleKey("developer").setRequestId(UUID.randomUUID().toString()).build();
        var first = assignments.grantRole(request);
        assertThat(assignments.grantRole(request)).isEqualTo(first);
        assertThat(list(b -> b.setPrincipal(user(userId))).getAssignmentsList()).hasSize(1);
    }

    @Test
    void anotherOrganizationsPrincipalsAndAssignmentsDoNotExistHere() {
        String other = TestServer.newOrganization();
        String stranger = invite(other, "pat@example.com");
        var e = failure(() -> grant(user(stranger), "developer", Scope.getDefaultInstance()));
        assertThat(Errors.badFields(e)).containsExactly("principal.user_id");

        String mine = grant(user(userId), "developer", Scope.getDefaultInstance()).getAssignment().getAssignmentId();
        var revokeThere = failure(() -> assignments.revokeRole(RevokeRoleRequest.newBuilder()
                .setOrganizationId(other).setAssignmentId(mine).build()));
        assertThat(revokeThere.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(assignments.listAssignments(ListAssignmentsRequest.newBuilder().setOrganizationId(other)
                .setRoleKey("developer").build()).getAssignmentsList()).isEmpty();
        assertThat(list(b -> b.setRoleKey("developer")).getAssignmentsList()).hasSize(1);
    }

    // --- RevokeRole

    @Test
    void revokesAnAssignmentOnce() {
        String id = grant(user(userId), "developer", Scope.getDefaultInstance()).getAssignment().getAssignmentId();
        String kept = grant(user(userId), "crm_viewer", scope("qa", "crm")).getAssignment().getAssignmentId();
        var revoked = assignments.revokeRole(RevokeRoleRequest.newBuilder().setOrganizationId(org).setAssignmentId(id).build());
        assertThat(revoked.getRevisionToken()).isNotEmpty();
        assertThat(list(b -> b.setPrincipal(user(userId))).getAssignmentsList())
                .extracting(Assignment::getAssignmentId).containsExactly(kept);
        var again = failure(() -> assignments.revokeRole(RevokeRoleRequest.newBuilder()
                .setOrganizationId(org).setAssignmentId(id).build()));
        assertThat(again.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    // --- ListAssignments

    @Test
    void listsByRoleByAppAndByPrincipalPageByPageInIdOrder() {
        String other = invite(org, "sam@example.com");
        List<String> granted = new ArrayList<>();
        granted.add(grant(user(userId), "developer", Scope.getDefaultInstance()).getAssignment().getAssignmentId());
        granted.add(grant(user(other), "developer", scope("", "crm")).getAssignment().getAssignmentId());
        granted.add(grant(client(clientId), "developer", scope("qa", "billing")).getAssignment().getAssignmentId());
        granted.add(grant(user(other), "crm_viewer", scope("qa", "crm")).getAssignment().getAssignmentId());

        List<Assignment> developers = new ArrayList<>();
        String token = "";
        do {
            String pageToken = token;
            var page = list(b -> b.setRoleKey("developer").setPageSize(2).setPageToken(pageToken));
            assertThat(page.getAssignmentsCount()).isLessThanOrEqualTo(2);
            developers.addAll(page.getAssignmentsList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(developers).extracting(Assignment::getAssignmentId)
                .containsExactlyInAnyOrderElementsOf(granted.subList(0, 3));
        assertThat(developers).extracting(Assignment::getAssignmentId).isSortedAccordingTo(
                (x, y) -> uuidOrder(x).compareTo(uuidOrder(y)));

        assertThat(list(b -> b.setAppKey("crm")).getAssignmentsList()).extracting(Assignment::getAssignmentId)
                .containsExactlyInAnyOrder(granted.get(1), granted.get(3));
        assertThat(list(b -> b.setPrincipal(user(other))).getAssignmentsList()).extracting(Assignment::getAssignmentId)
                .containsExactlyInAnyOrder(granted.get(1), granted.get(3));
        assertThat(list(b -> b.setPrincipal(client(clientId))).getAssignmentsList()).extracting(Assignment::getAssignmentId)
                .containsExactly(granted.get(2));
    }

    /** Postgres orders UUIDs by their bytes, which is their hex text in lower case. */
    private static String uuidOrder(String id) {
        return id.toLowerCase();
    }

    @Test
    void listRefusesUnknownFiltersAndBadTokens() {
        assertThat(Errors.badFields(failure(() -> list(b -> b.setRoleKey("no_such_role"))))).containsExactly("role_key");
        assertThat(Errors.badFields(failure(() -> list(b -> b.setAppKey("no-such-app"))))).containsExactly("app_key");
        assertThat(Errors.badFields(failure(() -> list(b -> b.setPrincipal(user(UUID.randomUUID().toString()))))))
                .containsExactly("principal.user_id");
        assertThat(Errors.badFields(failure(() -> list(b -> b.setRoleKey("developer").setPageToken("!!")))))
                .containsExactly("page_token");
        var noFilter = failure(() -> list(b -> {}));
        assertThat(noFilter.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void deletingAUserRemovesItsAssignments() {
        grant(user(userId), "developer", Scope.getDefaultInstance());
        grant(user(userId), "crm_viewer", scope("qa", "crm"));
        users.deleteUser(DeleteUserRequest.newBuilder().setOrganizationId(org).setUserId(userId).build());
        assertThat(list(b -> b.setRoleKey("developer")).getAssignmentsList()).isEmpty();
        assertThat(list(b -> b.setAppKey("crm")).getAssignmentsList()).isEmpty();
    }
}
