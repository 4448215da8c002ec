package dev.verdict.server.security;

import static dev.verdict.server.SecureTestServer.BOOTSTRAP_KEY;
import static dev.verdict.server.SecureTestServer.withKey;
import static dev.verdict.server.TestServer.failure;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.ErrorInfo;
import dev.verdict.server.SecureTestServer;
import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.ApiClientServiceGrpc;
import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.AssignmentServiceGrpc;
import dev.verdict.v1.BatchCheckAccessItem;
import dev.verdict.v1.BatchCheckAccessRequest;
import dev.verdict.v1.ChangeServiceGrpc;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.CreateApiClientRequest;
import dev.verdict.v1.CreateApiClientResponse;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.CreateOrganizationResponse;
import dev.verdict.v1.CreateRoleRequest;
import dev.verdict.v1.Decision;
import dev.verdict.v1.DeleteOrganizationRequest;
import dev.verdict.v1.DisableApiClientRequest;
import dev.verdict.v1.GetOrganizationRequest;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.ListApiClientsRequest;
import dev.verdict.v1.ListChangesRequest;
import dev.verdict.v1.ListRolesRequest;
import dev.verdict.v1.OrganizationServiceGrpc;
import dev.verdict.v1.PermissionGrant;
import dev.verdict.v1.Principal;
import dev.verdict.v1.RevokeRoleRequest;
import dev.verdict.v1.Role;
import dev.verdict.v1.RoleKind;
import dev.verdict.v1.RoleServiceGrpc;
import dev.verdict.v1.SearchUsersRequest;
import dev.verdict.v1.Target;
import dev.verdict.v1.UpdateOrganizationRequest;
import dev.verdict.v1.UserServiceGrpc;
import io.grpc.Status;
import dev.verdict.server.Errors;
import com.google.rpc.ResourceInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What an authenticated caller may do: the rule of each RPC, asked of Verdict's own decision engine. */
class AuthorizationTest {
    private static final io.grpc.Channel CHANNEL = SecureTestServer.channel();

    @Test
    void theAdministratorKeyManagesItsOrganization() {
        CreateOrganizationResponse org = SecureTestServer.newOrganization();
        String id = org.getOrganization().getOrganizationId();
        String admin = org.getAdminApiKey();
        assertThat(withKey(RoleServiceGrpc.newBlockingStub(CHANNEL), admin)
                .listRoles(ListRolesRequest.newBuilder().setOrganizationId(id).build()).getRolesCount()).isGreaterThanOrEqualTo(2);
        assertThat(withKey(AppServiceGrpc.newBlockingStub(CHANNEL), admin).createApp(CreateAppRequest.newBuilder()
                .setOrganizationId(id).setApp(dev.verdict.v1.App.newBuilder().setKey("sales").setDisplayName("Sales")).build())
                .getApp().getKey()).isEqualTo("sales");
        assertThat(withKey(ApiClientServiceGrpc.newBlockingStub(CHANNEL), admin)
                .listApiClients(ListApiClientsRequest.newBuilder().setOrganizationId(id).build())
                .getApiClientsList()).extracting(c -> c.getName()).containsExactly("administrator");
        assertThat(withKey(ChangeServiceGrpc.newBlockingStub(CHANNEL), admin)
                .listChanges(ListChangesRequest.newBuilder().setOrganizationId(id).build()).getChangesCount()).isGreaterThanOrEqualTo(2);
        assertThat(check(admin, id, org.getAdminApiClient().getApiClientId(), "roles.manage")).isEqualTo(Decision.DECISION_ALLOWED);
    }

    @Test
    void aClientWithoutThePermissionIsDeniedWithItsName() {
        CreateOrganizationResponse org = SecureTestServer.newOrganization();
        String id = org.getOrganization().getOrganizationId();
        String bare = newClient(org, "bare").getSecret();
        StatusRuntimeException e = failure(() -> withKey(RoleServiceGrpc.newBlockingStub(CHANNEL), bare)
                .listRoles(ListRolesRequest.newBuilder().setOrganizationId(id).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(e.getStatus().getDescription()).contains("roles.view");
        assertThat(missingPermission(e)).isEqualTo("roles.view");
        // Any client of the organization may read the organization itself (its stages are needed for everything).
        assertThat(withKey(OrganizationServiceGrpc.newBlockingStub(CHANNEL), bare)
                .getOrganization(GetOrganizationRequest.newBuilder().setOrganizationId(id).build())
                .getOrganization().getOrganizationId()).isEqualTo(id);
    }

    @Test
    void aCheckOnlyKeyChecksAccessButCannotChangePolicy() {
        CreateOrganizationResponse org = SecureTestServer.newOrganization();
        String id = org.getOrganization().getOrganizationId();
        String admin = org.getAdminApiKey();
        withKey(RoleServiceGrpc.newBlockingStub(CHANNEL), admin).createRole(CreateRoleRequest.newBuilder()
                .setOrganizationId(id)
                .setRole(Role.newBuilder().setKey("checker").setDisplayName("Checker").setKind(RoleKind.ROLE_KIND_ORGANIZATION)
                        .addGrants(PermissionGrant.newBuilder().setPermissionKey("access.check")))
                .build());
        CreateApiClientResponse checker = newClient(org, "checker");
        String granted = withKey(AssignmentServiceGrpc.newBlockingStub(CHANNEL), admin).grantRole(GrantRoleRequest
                .newBuilder()
                .setOrganizationId(id)
                .setPrincipal(Principal.newBuilder().setApiClientId(checker.getApiClient().getApiClientId()))
                .setRoleKey("checker")
                .build()).getRevisionToken();
        // Authorization decides at minimize_latency: a key used the moment its new role is granted may be refused
        // until the feed has applied the role's creation (this test failed so). A check at least as fresh as the
        // grant waits for that.
        assertThat(withKey(AccessServiceGrpc.newBlockingStub(CHANNEL), admin).checkAccess(CheckAccessRequest.newBuilder()
                .setOrganizationId(id)
                .setQuery(AccessQuery.newBuilder()
                        .setPrincipal(Principal.newBuilder().setApiClientId(checker.getApiClient().getApiClientId()))
                        .setTarget(Target.newBuilder().setPermissionKey("access.check")))
                .setConsistency(dev.verdict.v1.Consistency.newBuilder().setAtLeastAsFresh(granted))
                .build()).getDecision()).isEqualTo(Decision.DECISION_ALLOWED);
        String key = checker.getSecret();

        assertThat(check(key, id, org.getAdminApiClient().getApiClientId(), "users.manage")).isEqualTo(Decision.DECISION_ALLOWED);
        assertThat(check(key, id, checker.getApiClient().getApiClientId(), "users.manage")).isEqualTo(Decision.DECISION_DENIED);

        assertDenied("roles.manage", () -> withKey(RoleServiceGrpc.newBlockingStub(CHANNEL), key).createRole(
                CreateRoleRequest.newBuilder().setOrganizationId(id).setRole(Role.newBuilder().setKey("mine")
                        .setDisplayName("Mine").setKind(RoleKind.ROLE_KIND_ORGANIZATION)).build()));
        assertDenied("users.manage", () -> withKey(AssignmentServiceGrpc.newBlockingStub(CHANNEL), key).grantRole(
                GrantRoleRequest.newBuilder().setOrganizationId(id)
                        .setPrincipal(Principal.newBuilder().setApiClientId(checker.getApiClient().getApiClientId()))
                        .setRoleKey("administrator").build()));
        assertDenied("users.manage", () -> withKey(UserServiceGrpc.newBlockingStub(CHANNEL), key).inviteUser(
                InviteUserRequest.newBuilder().setOrganizationId(id).setEmail("eve@example.com").build()));
        assertDenied("users.view", () -> withKey(UserServiceGrpc.newBlockingStub(CHANNEL), key).searchUsers(
                SearchUsersRequest.newBuilder().setOrganizationId(id).build()));
        assertDenied("apps.manage", () -> withKey(AppServiceGrpc.newBlockingStub(CHANNEL), key).createApp(
                CreateAppRequest.newBuilder().setOrganizationId(id)
                        .setApp(dev.verdict.v1.App.newBuilder().setKey("x").setDisplayName("X")).build()));
        assertDenied("api_clients.manage", () -> withKey(ApiClientServiceGrpc.newBlockingStub(CHANNEL), key).createApiClient(
                CreateApiClientRequest.newBuilder().setOrganizationId(id).setName("escalate").build()));
        assertDenied("audit.view", () -> withKey(ChangeServiceGrpc.newBlockingStub(CHANNEL), key).listChanges(
                ListChangesRequest.newBuilder().setOrganizationId(id).build()));
        // Nothing was written by the refused calls.
        assertThat(withKey(RoleServiceGrpc.newBlockingStub(CHANNEL), admin)
                .listRoles(ListRolesRequest.newBuilder().setOrganizationId(id).build()).getRolesList())
                .extracting(Role::getKey).doesNotContain("mine");
    }

    @Test
    void aRevokedRoleStopsAuthorizing() throws InterruptedException {
        CreateOrganizationResponse org = SecureTestServer.newOrganization();
        String id = org.getOrganization().getOrganizationId();
        CreateApiClientResponse client = newClient(org, "auditor");
        var grant = withKey(AssignmentServiceGrpc.newBlockingStub(CHANNEL), org.getAdminApiKey()).grantRole(
                GrantRoleRequest.newBuilder().setOrganizationId(id)
                        .setPrincipal(Principal.newBuilder().setApiClientId(client.getApiClient().getApiClientId()))
                        .setRoleKey("developer").build());
        var roles = withKey(RoleServiceGrpc.newBlockingStub(CHANNEL), client.getSecret());
        roles.listRoles(ListRolesRequest.newBuilder().setOrganizationId(id).build());
        withKey(AssignmentServiceGrpc.newBlockingStub(CHANNEL), org.getAdminApiKey()).revokeRole(RevokeRoleRequest.newBuilder()
                .setOrganizationId(id).setAssignmentId(grant.getAssignment().getAssignmentId()).build());
        long start = System.nanoTime();
        StatusRuntimeException denied = null;
        while (denied == null && System.nanoTime() - start < 5_000_000_000L) {
            try {
                roles.listRoles(ListRolesRequest.newBuilder().setOrganizationId(id).build());
                Thread.sleep(5);
            } catch (StatusRuntimeException e) {
                denied = e;
            }
        }
        assertThat(denied).isNotNull();
        assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        System.out.printf("AuthorizationTest: a revoked role stopped authorizing after %.1f ms%n", (System.nanoTime() - start) / 1e6);
    }

    @Test
    void aDisabledClientsCachedKeyIsForgotten() throws InterruptedException {
        CreateOrganizationResponse org = SecureTestServer.newOrganization();
        String id = org.getOrganization().getOrganizationId();
        CreateApiClientResponse client = newClient(org, "soon-disabled");
        var organizations = withKey(OrganizationServiceGrpc.newBlockingStub(CHANNEL), client.getSecret());
        GetOrganizationRequest get = GetOrganizationRequest.newBuilder().setOrganizationId(id).build();
        organizations.getOrganization(get); // now cached
        withKey(ApiClientServiceGrpc.newBlockingStub(CHANNEL), org.getAdminApiKey()).disableApiClient(DisableApiClientRequest
                .newBuilder().setOrganizationId(id).setApiClientId(client.getApiClient().getApiClientId()).build());
        long start = System.nanoTime();
        StatusRuntimeException refused = null;
        while (refused == null && System.nanoTime() - start < 5_000_000_000L) {
            try {
                organizations.getOrganization(get);
                Thread.sleep(5);
            } catch (StatusRuntimeException e) {
                refused = e;
            }
        }
        assertThat(refused).isNotNull();
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        double millis = (System.nanoTime() - start) / 1e6;
        System.out.printf("AuthorizationTest: a disabled client's cached key was refused after %.1f ms%n", millis);
        assertThat(millis).as("well before the 10 s expiry: the change feed invalidated it").isLessThan(5_000);
    }

    @Test
    void theBootstrapKeyManagesOrganizationsOnly() {
        CreateOrganizationResponse org = SecureTestServer.newOrganization();
        String id = org.getOrganization().getOrganizationId();
        StatusRuntimeException e = failure(() -> withKey(RoleServiceGrpc.newBlockingStub(CHANNEL), BOOTSTRAP_KEY)
                .listRoles(ListRolesRequest.newBuilder().setOrganizationId(id).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        // An organization's own administrator cannot delete the organization: that is the operator's.
        StatusRuntimeException delete = failure(() -> withKey(OrganizationServiceGrpc.newBlockingStub(CHANNEL),
                org.getAdminApiKey()).deleteOrganization(DeleteOrganizationRequest.newBuilder().setOrganizationId(id).build()));
        assertThat(delete.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        withKey(OrganizationServiceGrpc.newBlockingStub(CHANNEL), BOOTSTRAP_KEY)
                .deleteOrganization(DeleteOrganizationRequest.newBuilder().setOrganizationId(id).build());
        // Its keys die with it: at once the organization is NOT_FOUND to them, and once the change feed has
        // noticed the deletion (or the 10 s cache expiry passed) they are refused outright.
        var stub = withKey(OrganizationServiceGrpc.newBlockingStub(CHANNEL), org.getAdminApiKey());
        GetOrganizationRequest get = GetOrganizationRequest.newBuilder().setOrganizationId(id).build();
        long start = System.nanoTime();
        Status.Code code;
        do {
            code = failure(() -> stub.getOrganization(get)).getStatus().getCode();
            assertThat(code).isIn(Status.Code.NOT_FOUND, Status.Code.UNAUTHENTICATED);
        } while (code != Status.Code.UNAUTHENTICATED && System.nanoTime() - start < 12_000_000_000L);
        assertThat(code).isEqualTo(Status.Code.UNAUTHENTICATED);
        System.out.printf("AuthorizationTest: a deleted organization's key was refused after %.1f ms%n",
                (System.nanoTime() - start) / 1e6);
    }

    @Test
    void aCheckNamingItsOrganizationInUpperCaseIsAnswered() {
        CreateOrganizationResponse org = SecureTestServer.newOrganization();
        String upper = org.getOrganization().getOrganizationId().toUpperCase(Locale.ROOT);
        String admin = org.getAdminApiKey();
        String self = org.getAdminApiClient().getApiClientId();
        assertThat(check(admin, upper, self, "roles.manage")).isEqualTo(Decision.DECISION_ALLOWED);
        assertThat(withKey(AccessServiceGrpc.newBlockingStub(CHANNEL), admin).batchCheckAccess(BatchCheckAccessRequest
                .newBuilder().setOrganizationId(upper)
                .addItems(BatchCheckAccessItem.newBuilder().setCorrelationId("a").setQuery(query(self, "roles.manage")))
                .build()).getResults(0).getResponse().getDecision()).isEqualTo(Decision.DECISION_ALLOWED);
        assertThat(withKey(RoleServiceGrpc.newBlockingStub(CHANNEL), admin)
                .listRoles(ListRolesRequest.newBuilder().setOrganizationId(upper).build()).getRolesCount())
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void aCheckNamingAnotherOrganizationIsNotFoundInTheWordsItUsed() {
        CreateOrganizationResponse org = SecureTestServer.newOrganization();
        String other = SecureTestServer.newOrganization().getOrganization().getOrganizationId();
        String admin = org.getAdminApiKey();
        String self = org.getAdminApiClient().getApiClientId();
        for (String named : new String[] {other, other.toUpperCase(Locale.ROOT)}) {
            StatusRuntimeException check = failure(() -> check(admin, named, self, "roles.manage"));
            assertNotFound(check, named);
            StatusRuntimeException batch = failure(() -> withKey(AccessServiceGrpc.newBlockingStub(CHANNEL), admin)
                    .batchCheckAccess(BatchCheckAccessRequest.newBuilder().setOrganizationId(named)
                            .addItems(BatchCheckAccessItem.newBuilder().setQuery(query(self, "roles.manage"))).build()));
            assertNotFound(batch, named);
        }
    }

    @Test
    void aMalformedOrganizationIsInvalidNamingItsField() {
        CreateOrganizationResponse org = SecureTestServer.newOrganization();
        String admin = org.getAdminApiKey();
        String self = org.getAdminApiClient().getApiClientId();
        String id = org.getOrganization().getOrganizationId();
        // One character off the client's own id, and no UUID at all.
        String almost = id.substring(0, 35) + "g";
        for (String named : new String[] {almost, "nonsense"}) {
            StatusRuntimeException check = failure(() -> check(admin, named, self, "roles.manage"));
            assertThat(check.getStatus().getCode()).as(named).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(Errors.badFields(check)).as(named).containsExactly("organization_id");
            StatusRuntimeException roles = failure(() -> withKey(RoleServiceGrpc.newBlockingStub(CHANNEL), admin)
                    .listRoles(ListRolesRequest.newBuilder().setOrganizationId(named).build()));
            assertThat(check.getStatus().getDescription()).as(named).isEqualTo("organization_id: value must be a valid UUID");
            assertThat(roles.getStatus().getCode()).as(named).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(roles.getStatus().getDescription()).as(named).isEqualTo(check.getStatus().getDescription());
            assertThat(Errors.badFields(roles)).as(named).containsExactly("organization_id");
        }
        StatusRuntimeException nested = failure(() -> withKey(OrganizationServiceGrpc.newBlockingStub(CHANNEL), admin)
                .updateOrganization(UpdateOrganizationRequest.newBuilder()
                        .setOrganization(dev.verdict.v1.Organization.newBuilder().setOrganizationId("nonsense"))
                        .setUpdateMask(com.google.protobuf.FieldMask.newBuilder().addPaths("name"))
                        .build()));
        assertThat(nested.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(nested)).containsExactly("organization.organization_id");
    }

    private static void assertNotFound(StatusRuntimeException e, String organization) {
        assertThat(e.getStatus().getCode()).as(organization).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(e.getStatus().getDescription()).as(organization).contains(organization);
        assertThat(StatusProto.fromThrowable(e).getDetailsList()).as(organization)
                .filteredOn(any -> any.is(ResourceInfo.class)).hasSize(1)
                .allSatisfy(any -> assertThat(any.unpack(ResourceInfo.class).getResourceName()).isEqualTo(organization));
    }

    private static AccessQuery query(String apiClientId, String permission) {
        return AccessQuery.newBuilder()
                .setPrincipal(Principal.newBuilder().setApiClientId(apiClientId))
                .setTarget(Target.newBuilder().setPermissionKey(permission))
                .build();
    }

    private static Decision check(String key, String org, String apiClientId, String permission) {
        return withKey(AccessServiceGrpc.newBlockingStub(CHANNEL), key).checkAccess(CheckAccessRequest.newBuilder()
                .setOrganizationId(org)
                .setQuery(AccessQuery.newBuilder()
                        .setPrincipal(Principal.newBuilder().setApiClientId(apiClientId))
                        .setTarget(Target.newBuilder().setPermissionKey(permission)))
                .build()).getDecision();
    }

    private static CreateApiClientResponse newClient(CreateOrganizationResponse org, String name) {
        return withKey(ApiClientServiceGrpc.newBlockingStub(CHANNEL), org.getAdminApiKey()).createApiClient(
                CreateApiClientRequest.newBuilder().setOrganizationId(org.getOrganization().getOrganizationId())
                        .setName(name + "-" + UUID.randomUUID()).build());
    }

    private static void assertDenied(String permission, org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        StatusRuntimeException e = failure(call);
        assertThat(e.getStatus().getCode()).as(permission).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(missingPermission(e)).isEqualTo(permission);
    }

    private static String missingPermission(StatusRuntimeException e) {
        return StatusProto.fromThrowable(e).getDetailsList().stream()
                .filter(any -> any.is(ErrorInfo.class))
                .map(any -> {
                    try {
                        return any.unpack(ErrorInfo.class).getMetadataOrThrow("permission");
                    } catch (com.google.protobuf.InvalidProtocolBufferException x) {
                        throw new AssertionError(x);
                    }
                })
                .findFirst().orElse(null);
    }
}
