package dev.verdict.server.security;

import static dev.verdict.server.SecureTestServer.BOOTSTRAP_KEY;
import static dev.verdict.server.SecureTestServer.withKey;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import dev.verdict.server.DeclaredServices;
import dev.verdict.server.Errors;
import dev.verdict.server.SecureTestServer;
import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.ActivateUserRequest;
import dev.verdict.v1.AddGroupMembersRequest;
import dev.verdict.v1.AddIdpMappingRequest;
import dev.verdict.v1.ApiClientServiceGrpc;
import dev.verdict.v1.App;
import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.AssignmentServiceGrpc;
import dev.verdict.v1.BatchCheckAccessItem;
import dev.verdict.v1.BatchCheckAccessRequest;
import dev.verdict.v1.BatchCheckAccessResponse;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.CheckAccessResponse;
import dev.verdict.v1.ClassifyUsersRequest;
import dev.verdict.v1.CreateApiClientRequest;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.CreateGroupRequest;
import dev.verdict.v1.CreateOrganizationResponse;
import dev.verdict.v1.CreatePermissionRequest;
import dev.verdict.v1.CreateRoleRequest;
import dev.verdict.v1.DeactivateUserRequest;
import dev.verdict.v1.Decision;
import dev.verdict.v1.DeleteApiClientRequest;
import dev.verdict.v1.DeleteAppRequest;
import dev.verdict.v1.DeleteGroupRequest;
import dev.verdict.v1.DeletePermissionRequest;
import dev.verdict.v1.DeleteRoleRequest;
import dev.verdict.v1.DeleteUserRequest;
import dev.verdict.v1.DenyReason;
import dev.verdict.v1.DisableApiClientRequest;
import dev.verdict.v1.EnableApiClientRequest;
import dev.verdict.v1.ExplainAccessRequest;
import dev.verdict.v1.GetApiClientRequest;
import dev.verdict.v1.GetAppRequest;
import dev.verdict.v1.GetGroupRequest;
import dev.verdict.v1.GetOrganizationRequest;
import dev.verdict.v1.GetPermissionRequest;
import dev.verdict.v1.GetRoleRequest;
import dev.verdict.v1.GetUserByEmailRequest;
import dev.verdict.v1.GetUserRequest;
import dev.verdict.v1.GrantGroupRoleRequest;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.Group;
import dev.verdict.v1.GroupRoleGrant;
import dev.verdict.v1.GroupServiceGrpc;
import dev.verdict.v1.IdpMapping;
import dev.verdict.v1.ImportDirectoryRequest;
import dev.verdict.v1.ImportedAssignment;
import dev.verdict.v1.ImportedGroup;
import dev.verdict.v1.ImportedUser;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.ListAccessibleAppsRequest;
import dev.verdict.v1.ListAssignmentsRequest;
import dev.verdict.v1.ListGroupMembersRequest;
import dev.verdict.v1.ListUserGroupsRequest;
import dev.verdict.v1.ListUserPermissionsRequest;
import dev.verdict.v1.ListUsersWithAccessRequest;
import dev.verdict.v1.OrganizationServiceGrpc;
import dev.verdict.v1.Permission;
import dev.verdict.v1.PermissionGrant;
import dev.verdict.v1.PermissionLevel;
import dev.verdict.v1.PermissionServiceGrpc;
import dev.verdict.v1.Principal;
import dev.verdict.v1.RemoveGroupMembersRequest;
import dev.verdict.v1.RemoveIdpMappingRequest;
import dev.verdict.v1.RevokeGroupRoleRequest;
import dev.verdict.v1.RevokeRoleRequest;
import dev.verdict.v1.Role;
import dev.verdict.v1.RoleKind;
import dev.verdict.v1.RoleServiceGrpc;
import dev.verdict.v1.RotateApiClientSecretRequest;
import dev.verdict.v1.Scope;
import dev.verdict.v1.SearchUsersRequest;
import dev.verdict.v1.SyncExternalGroupsRequest;
import dev.verdict.v1.Target;
import dev.verdict.v1.UpdateAppRequest;
import dev.verdict.v1.UpdateGroupRequest;
import dev.verdict.v1.UpdatePermissionRequest;
import dev.verdict.v1.UpdateRoleRequest;
import dev.verdict.v1.UpdateUserRequest;
import dev.verdict.v1.User;
import dev.verdict.v1.UserServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Inside its own organization A, a caller naming a resource of organization B (a user id or email, a group
 * id, an assignment id, an API client id, a role, app or permission key) gets exactly the answer it gets for
 * a resource that never existed (the same status, message and fields, the id aside), never B's data, and B is
 * left untouched. Table-driven: one row per RPC and kind of reference, covering every service that takes one.
 * The contracts: the resource an RPC is about is NOT_FOUND; a resource a request refers to is INVALID_ARGUMENT
 * naming the field; a decision about an unknown principal or app is a deny with its reason; a filter or a removal
 * naming nothing that exists answers empty.
 */
class CrossOrganizationResourcesTest {
    private static final Channel CHANNEL = SecureTestServer.channel();
    /** Put in B's names and descriptions: an answer in A containing it shows B's data. */
    private static final String B_PRIVATE = "B-PRIVATE";

    private static Org a;
    private static Org b;
    private static Channel asA;
    private static Map<String, Object> bBefore;

    /** What a row expects of the answer besides equalling the answer for a missing resource. */
    private record Expect(Status.Code code, String field, DenyReason reason) {
        static Expect status(Status.Code code) {
            return new Expect(code, null, null);
        }

        static Expect invalid(String field) {
            return new Expect(Status.Code.INVALID_ARGUMENT, field, null);
        }

        /** Answered, as for a resource that does not exist (an empty list, a removal of nothing). */
        static Expect ok() {
            return new Expect(Status.Code.OK, null, null);
        }

        static Expect denied(DenyReason reason) {
            return new Expect(Status.Code.OK, null, reason);
        }
    }

    /**
     * One row: a request of A built around a reference, the reference of B's resource, one that exists nowhere,
     * and what the contract answers for the latter.
     */
    private record Row(String rpc, String bValue, String missingValue, Function<String, Message> request, Expect expect) {}

    private static Row row(String rpc, String bValue, String missing, Expect expect, Function<String, Message> request) {
        return new Row(rpc, bValue, missing, request, expect);
    }

    @BeforeAll
    static void twoOrganizations() {
        a = Org.create("a");
        b = Org.create("b");
        asA = ClientInterceptors.intercept(CHANNEL, SecureTestServer.bearer(a.admin));
        bBefore = b.snapshot();
    }

    private static List<Row> rows() {
        String org = a.id;
        String user = b.user;
        String group = b.group;
        String client = b.apiClient;
        String missingId = UUID.randomUUID().toString();
        Status.Code notFound = Status.Code.NOT_FOUND;
        List<Row> rows = new ArrayList<>();

        // User ids.
        rows.add(row("UserService/GetUser", user, missingId, Expect.status(notFound),
                id -> GetUserRequest.newBuilder().setOrganizationId(org).setUserId(id).build()));
        rows.add(row("UserService/UpdateUser", user, missingId, Expect.status(notFound),
                id -> UpdateUserRequest.newBuilder().setOrganizationId(org)
                        .setUser(User.newBuilder().setUserId(id).setDisplayName("renamed by A"))
                        .setUpdateMask(FieldMask.newBuilder().addPaths("display_name")).build()));
        rows.add(row("UserService/ActivateUser", user, missingId, Expect.status(notFound),
                id -> ActivateUserRequest.newBuilder().setOrganizationId(org).setUserId(id).build()));
        rows.add(row("UserService/DeactivateUser", user, missingId, Expect.status(notFound),
                id -> DeactivateUserRequest.newBuilder().setOrganizationId(org).setUserId(id).build()));
        rows.add(row("UserService/DeleteUser", user, missingId, Expect.status(notFound),
                id -> DeleteUserRequest.newBuilder().setOrganizationId(org).setUserId(id).build()));
        rows.add(row("UserService/ClassifyUsers", user, missingId, Expect.invalid("user_ids[1]"),
                id -> ClassifyUsersRequest.newBuilder().setOrganizationId(org).addUserIds(a.user).addUserIds(id)
                        .setClassification(dev.verdict.v1.UserClassification.USER_CLASSIFICATION_EXTERNAL).build()));
        rows.add(row("UserService/SyncExternalGroups", user, missingId, Expect.status(notFound),
                id -> SyncExternalGroupsRequest.newBuilder().setOrganizationId(org).setUserId(id).setIdp("okta")
                        .addExternalGroups("a-team").build()));
        rows.add(row("UserService/GetUserByEmail", b.email, "nobody@example.com", Expect.status(notFound),
                email -> GetUserByEmailRequest.newBuilder().setOrganizationId(org).setEmail(email).build()));
        rows.add(row("GroupService/AddGroupMembers (user)", user, missingId, Expect.invalid("user_ids[0]"),
                id -> AddGroupMembersRequest.newBuilder().setOrganizationId(org).setGroupId(a.group).addUserIds(id).build()));
        rows.add(row("GroupService/RemoveGroupMembers (user)", user, missingId, Expect.ok(),
                id -> RemoveGroupMembersRequest.newBuilder().setOrganizationId(org).setGroupId(a.group).addUserIds(id).build()));
        rows.add(row("GroupService/CreateGroup (user)", user, missingId, Expect.invalid("user_ids[0]"),
                id -> CreateGroupRequest.newBuilder().setOrganizationId(org).setName("with-" + id).setStage("production")
                        .addUserIds(id).build()));
        rows.add(row("GroupService/ListUserGroups", user, missingId, Expect.status(notFound),
                id -> ListUserGroupsRequest.newBuilder().setOrganizationId(org).setUserId(id).build()));
        rows.add(row("AssignmentService/GrantRole (user)", user, missingId, Expect.invalid("principal.user_id"),
                id -> GrantRoleRequest.newBuilder().setOrganizationId(org).setPrincipal(Principal.newBuilder().setUserId(id))
                        .setRoleKey("developer").build()));
        rows.add(row("AssignmentService/ListAssignments (user)", user, missingId, Expect.invalid("principal.user_id"),
                id -> ListAssignmentsRequest.newBuilder().setOrganizationId(org)
                        .setPrincipal(Principal.newBuilder().setUserId(id)).build()));
        rows.add(row("AccessService/CheckAccess (user)", user, missingId, Expect.denied(DenyReason.DENY_REASON_PRINCIPAL_NOT_FOUND),
                id -> CheckAccessRequest.newBuilder().setOrganizationId(org)
                        .setQuery(query(Principal.newBuilder().setUserId(id), "users.manage", "", "")).build()));
        rows.add(row("AccessService/CheckAccess (email)", b.email, "nobody@example.com",
                Expect.denied(DenyReason.DENY_REASON_PRINCIPAL_NOT_FOUND),
                email -> CheckAccessRequest.newBuilder().setOrganizationId(org)
                        .setQuery(query(Principal.newBuilder().setUserEmail(email), "users.manage", "", "")).build()));
        rows.add(row("AccessService/BatchCheckAccess (user)", user, missingId, Expect.denied(DenyReason.DENY_REASON_PRINCIPAL_NOT_FOUND),
                id -> BatchCheckAccessRequest.newBuilder().setOrganizationId(org).addItems(BatchCheckAccessItem.newBuilder()
                        .setCorrelationId("1").setQuery(query(Principal.newBuilder().setUserId(id), "app.view", "production", "a_app")))
                        .build()));
        rows.add(row("AccessService/ExplainAccess (user)", user, missingId, Expect.denied(DenyReason.DENY_REASON_PRINCIPAL_NOT_FOUND),
                id -> ExplainAccessRequest.newBuilder().setOrganizationId(org)
                        .setQuery(query(Principal.newBuilder().setUserId(id), "app.view", "production", "a_app")).build()));
        rows.add(row("AccessService/ListUserPermissions (user)", user, missingId, Expect.status(notFound),
                id -> ListUserPermissionsRequest.newBuilder().setOrganizationId(org)
                        .setPrincipal(Principal.newBuilder().setUserId(id)).build()));
        rows.add(row("AccessService/ListAccessibleApps (user)", user, missingId, Expect.status(notFound),
                id -> ListAccessibleAppsRequest.newBuilder().setOrganizationId(org)
                        .setPrincipal(Principal.newBuilder().setUserId(id))
                        .setTarget(Target.newBuilder().setPermissionKey("app.view")).setStage("production").build()));

        // Group ids.
        rows.add(row("GroupService/GetGroup", group, missingId, Expect.status(notFound),
                id -> GetGroupRequest.newBuilder().setOrganizationId(org).setGroupId(id).build()));
        rows.add(row("GroupService/UpdateGroup", group, missingId, Expect.status(notFound),
                id -> UpdateGroupRequest.newBuilder().setOrganizationId(org)
                        .setGroup(Group.newBuilder().setGroupId(id).setDescription("changed by A"))
                        .setUpdateMask(FieldMask.newBuilder().addPaths("description")).build()));
        rows.add(row("GroupService/DeleteGroup", group, missingId, Expect.status(notFound),
                id -> DeleteGroupRequest.newBuilder().setOrganizationId(org).setGroupId(id).setForce(true).build()));
        rows.add(row("GroupService/AddGroupMembers (group)", group, missingId, Expect.status(notFound),
                id -> AddGroupMembersRequest.newBuilder().setOrganizationId(org).setGroupId(id).addUserIds(a.user).build()));
        rows.add(row("GroupService/RemoveGroupMembers (group)", group, missingId, Expect.status(notFound),
                id -> RemoveGroupMembersRequest.newBuilder().setOrganizationId(org).setGroupId(id).addUserIds(a.user).build()));
        rows.add(row("GroupService/ListGroupMembers", group, missingId, Expect.status(notFound),
                id -> ListGroupMembersRequest.newBuilder().setOrganizationId(org).setGroupId(id).build()));
        rows.add(row("GroupService/GrantGroupRole (group)", group, missingId, Expect.status(notFound),
                id -> GrantGroupRoleRequest.newBuilder().setOrganizationId(org).setGroupId(id)
                        .setGrant(GroupRoleGrant.newBuilder().setRoleKey("a_role").setAppKey("a_app")).build()));
        rows.add(row("GroupService/RevokeGroupRole (group)", group, missingId, Expect.status(notFound),
                id -> RevokeGroupRoleRequest.newBuilder().setOrganizationId(org).setGroupId(id)
                        .setGrant(GroupRoleGrant.newBuilder().setRoleKey("b_role").setAppKey("b_app")).build()));
        rows.add(row("GroupService/AddIdpMapping", group, missingId, Expect.status(notFound),
                id -> AddIdpMappingRequest.newBuilder().setOrganizationId(org).setGroupId(id)
                        .setMapping(IdpMapping.newBuilder().setIdp("okta").setExternalGroup("a-team")).build()));
        rows.add(row("GroupService/RemoveIdpMapping", group, missingId, Expect.status(notFound),
                id -> RemoveIdpMappingRequest.newBuilder().setOrganizationId(org).setGroupId(id)
                        .setMapping(IdpMapping.newBuilder().setIdp("okta").setExternalGroup("b-team")).build()));
        rows.add(row("UserService/InviteUser (group)", group, missingId, Expect.invalid("group_ids[0]"),
                id -> InviteUserRequest.newBuilder().setOrganizationId(org).setEmail("joiner@example.com")
                        .addGroupIds(id).build()));
        rows.add(row("UserService/SearchUsers (group)", group, missingId, Expect.ok(),
                id -> SearchUsersRequest.newBuilder().setOrganizationId(org).setGroupId(id).build()));

        // Assignment and API client ids.
        rows.add(row("AssignmentService/RevokeRole", b.assignment, missingId, Expect.status(notFound),
                id -> RevokeRoleRequest.newBuilder().setOrganizationId(org).setAssignmentId(id).build()));
        rows.add(row("ApiClientService/GetApiClient", client, missingId, Expect.status(notFound),
                id -> GetApiClientRequest.newBuilder().setOrganizationId(org).setApiClientId(id).build()));
        rows.add(row("ApiClientService/RotateApiClientSecret", client, missingId, Expect.status(notFound),
                id -> RotateApiClientSecretRequest.newBuilder().setOrganizationId(org).setApiClientId(id).build()));
        rows.add(row("ApiClientService/DisableApiClient", client, missingId, Expect.status(notFound),
                id -> DisableApiClientRequest.newBuilder().setOrganizationId(org).setApiClientId(id).build()));
        rows.add(row("ApiClientService/EnableApiClient", client, missingId, Expect.status(notFound),
                id -> EnableApiClientRequest.newBuilder().setOrganizationId(org).setApiClientId(id).build()));
        rows.add(row("ApiClientService/DeleteApiClient", client, missingId, Expect.status(notFound),
                id -> DeleteApiClientRequest.newBuilder().setOrganizationId(org).setApiClientId(id).build()));
        rows.add(row("AssignmentService/GrantRole (API client)", client, missingId, Expect.invalid("principal.api_client_id"),
                id -> GrantRoleRequest.newBuilder().setOrganizationId(org)
                        .setPrincipal(Principal.newBuilder().setApiClientId(id)).setRoleKey("developer").build()));
        rows.add(row("AccessService/CheckAccess (API client)", client, missingId,
                Expect.denied(DenyReason.DENY_REASON_PRINCIPAL_NOT_FOUND),
                id -> CheckAccessRequest.newBuilder().setOrganizationId(org)
                        .setQuery(query(Principal.newBuilder().setApiClientId(id), "users.manage", "", "")).build()));

        // Role keys: B's organization role b_org_role and end-user role b_role.
        rows.add(row("RoleService/GetRole", "b_org_role", "missing_role", Expect.status(notFound),
                key -> GetRoleRequest.newBuilder().setOrganizationId(org).setKey(key).build()));
        rows.add(row("RoleService/UpdateRole", "b_org_role", "missing_role", Expect.status(notFound),
                key -> UpdateRoleRequest.newBuilder().setOrganizationId(org)
                        .setRole(Role.newBuilder().setKey(key).setDisplayName("changed by A"))
                        .setUpdateMask(FieldMask.newBuilder().addPaths("display_name")).build()));
        rows.add(row("RoleService/DeleteRole", "b_org_role", "missing_role", Expect.status(notFound),
                key -> DeleteRoleRequest.newBuilder().setOrganizationId(org).setKey(key).setForce(true).build()));
        rows.add(row("AssignmentService/GrantRole (role)", "b_org_role", "missing_role", Expect.invalid("role_key"),
                key -> GrantRoleRequest.newBuilder().setOrganizationId(org)
                        .setPrincipal(Principal.newBuilder().setUserId(a.user)).setRoleKey(key).build()));
        rows.add(row("AssignmentService/ListAssignments (role)", "b_org_role", "missing_role", Expect.invalid("role_key"),
                key -> ListAssignmentsRequest.newBuilder().setOrganizationId(org).setRoleKey(key).build()));
        rows.add(row("UserService/SearchUsers (role)", "b_org_role", "missing_role", Expect.ok(),
                key -> SearchUsersRequest.newBuilder().setOrganizationId(org).setRoleKey(key).build()));
        rows.add(row("UserService/InviteUser (role)", "b_org_role", "missing_role", Expect.invalid("organization_role_keys[0]"),
                key -> InviteUserRequest.newBuilder().setOrganizationId(org).setEmail("invited@example.com")
                        .addOrganizationRoleKeys(key).build()));
        rows.add(row("GroupService/GrantGroupRole (role)", "b_role", "missing_role", Expect.invalid("grant.role_key"),
                key -> GrantGroupRoleRequest.newBuilder().setOrganizationId(org).setGroupId(a.group)
                        .setGrant(GroupRoleGrant.newBuilder().setRoleKey(key).setAppKey("a_app")).build()));
        rows.add(row("GroupService/CreateGroup (role)", "b_role", "missing_role", Expect.invalid("role_grants[0].role_key"),
                key -> CreateGroupRequest.newBuilder().setOrganizationId(org).setName("granting-" + key).setStage("qa")
                        .addRoleGrants(GroupRoleGrant.newBuilder().setRoleKey(key).setAppKey("a_app")).build()));
        rows.add(row("AccessService/CheckAccess (role)", "b_role", "missing_role", Expect.invalid("query.target.role_key"),
                key -> CheckAccessRequest.newBuilder().setOrganizationId(org).setQuery(AccessQuery.newBuilder()
                        .setPrincipal(Principal.newBuilder().setUserId(a.user)).setTarget(Target.newBuilder().setRoleKey(key))
                        .setStage("production").setAppKey("a_app")).build()));
        rows.add(row("ImportService/ImportDirectory (role)", "b_org_role", "missing_role", Expect.invalid("users[0].assignments[0].role_key"),
                key -> ImportDirectoryRequest.newBuilder().setOrganizationId(org).addUsers(ImportedUser.newBuilder()
                        .setEmail("imported@example.com").addAssignments(ImportedAssignment.newBuilder().setRoleKey(key)))
                        .build()));

        // App keys: B's app b_app.
        rows.add(row("AppService/GetApp", "b_app", "missing_app", Expect.status(notFound),
                key -> GetAppRequest.newBuilder().setOrganizationId(org).setKey(key).build()));
        rows.add(row("AppService/UpdateApp", "b_app", "missing_app", Expect.status(notFound),
                key -> UpdateAppRequest.newBuilder().setOrganizationId(org)
                        .setApp(App.newBuilder().setKey(key).setDisplayName("changed by A"))
                        .setUpdateMask(FieldMask.newBuilder().addPaths("display_name")).build()));
        rows.add(row("AppService/DeleteApp", "b_app", "missing_app", Expect.status(notFound),
                key -> DeleteAppRequest.newBuilder().setOrganizationId(org).setKey(key).setForce(true).build()));
        rows.add(row("AccessService/CheckAccess (app)", "b_app", "missing_app", Expect.denied(DenyReason.DENY_REASON_APP_NOT_FOUND),
                key -> CheckAccessRequest.newBuilder().setOrganizationId(org)
                        .setQuery(query(Principal.newBuilder().setUserId(a.user), "app.view", "production", key)).build()));
        rows.add(row("AccessService/ListUsersWithAccess (app)", "b_app", "missing_app", Expect.ok(),
                key -> ListUsersWithAccessRequest.newBuilder().setOrganizationId(org)
                        .setTarget(Target.newBuilder().setPermissionKey("app.view")).setStage("production").setAppKey(key).build()));
        rows.add(row("AccessService/ListUserPermissions (app)", "b_app", "missing_app", Expect.invalid("app_key"),
                key -> ListUserPermissionsRequest.newBuilder().setOrganizationId(org)
                        .setPrincipal(Principal.newBuilder().setUserId(a.user)).setStage("production").setAppKey(key).build()));
        rows.add(row("AssignmentService/GrantRole (app)", "b_app", "missing_app", Expect.invalid("scope.app_key"),
                key -> GrantRoleRequest.newBuilder().setOrganizationId(org).setPrincipal(Principal.newBuilder().setUserId(a.user))
                        .setRoleKey("developer").setScope(Scope.newBuilder().setAppKey(key)).build()));
        rows.add(row("AssignmentService/ListAssignments (app)", "b_app", "missing_app", Expect.invalid("app_key"),
                key -> ListAssignmentsRequest.newBuilder().setOrganizationId(org).setAppKey(key).build()));
        rows.add(row("GroupService/GrantGroupRole (app)", "b_app", "missing_app", Expect.invalid("grant.app_key"),
                key -> GrantGroupRoleRequest.newBuilder().setOrganizationId(org).setGroupId(a.group)
                        .setGrant(GroupRoleGrant.newBuilder().setRoleKey("a_role").setAppKey(key)).build()));

        // Permission keys: B's permission b.perm.
        rows.add(row("PermissionService/GetPermission", "b.perm", "missing.perm", Expect.status(notFound),
                key -> GetPermissionRequest.newBuilder().setOrganizationId(org).setKey(key).build()));
        rows.add(row("PermissionService/UpdatePermission", "b.perm", "missing.perm", Expect.status(notFound),
                key -> UpdatePermissionRequest.newBuilder().setOrganizationId(org)
                        .setPermission(Permission.newBuilder().setKey(key).setDisplayName("changed by A"))
                        .setUpdateMask(FieldMask.newBuilder().addPaths("display_name")).build()));
        rows.add(row("PermissionService/DeletePermission", "b.perm", "missing.perm", Expect.status(notFound),
                key -> DeletePermissionRequest.newBuilder().setOrganizationId(org).setKey(key).setForce(true).build()));
        rows.add(row("RoleService/CreateRole (permission)", "b.perm", "missing.perm", Expect.invalid("role.grants[0].permission_key"),
                key -> CreateRoleRequest.newBuilder().setOrganizationId(org).setRole(Role.newBuilder()
                        .setKey("holds_" + key.replace('.', '_')).setDisplayName("x").setKind(RoleKind.ROLE_KIND_END_USER)
                        .addGrants(PermissionGrant.newBuilder().setPermissionKey(key))).build()));
        rows.add(row("AccessService/CheckAccess (permission)", "b.perm", "missing.perm",
                Expect.invalid("query.target.permission_key"),
                key -> CheckAccessRequest.newBuilder().setOrganizationId(org)
                        .setQuery(query(Principal.newBuilder().setUserId(a.user), key, "production", "a_app")).build()));

        // Group names in an import: B's group is not one of A's.
        rows.add(row("ImportService/ImportDirectory (group name)", b.groupName, "missing group",
                Expect.invalid("users[0].group_names[0]"),
                name -> ImportDirectoryRequest.newBuilder().setOrganizationId(org).addUsers(ImportedUser.newBuilder()
                        .setEmail("grouped@example.com").addGroupNames(name)).build()));
        return rows;
    }

    @Test
    void resourcesOfAnotherOrganizationAreAnsweredAsIfTheyDidNotExist() {
        List<String> leaks = new ArrayList<>();
        List<Row> rows = rows();
        for (Row row : rows) {
            String onB = answer(row, row.bValue());
            String onMissing = answer(row, row.missingValue());
            String expected = expected(row);
            if (!onB.equals(onMissing) || !onMissing.startsWith(expected) || onB.contains(B_PRIVATE)) {
                leaks.add(row.rpc() + "\n    B's:     " + onB + "\n    missing: " + onMissing + "\n    expected: " + expected);
            }
        }
        assertThat(leaks).as("requests of A naming B's resources answered unlike missing ones").isEmpty();
        System.out.println("CrossOrganizationResourcesTest: " + rows.size() + " requests naming B's resources, "
                + leaks.size() + " leaks");
        // Every service that takes a reference to a resource is covered.
        assertThat(rows.stream().map(r -> r.rpc().split("/")[0]).distinct()).containsExactlyInAnyOrder(
                "UserService", "GroupService", "AssignmentService", "AccessService", "ApiClientService",
                "RoleService", "AppService", "PermissionService", "ImportService");
        // Nothing of B changed, not even through a write of A that touched B's rows.
        assertThat(b.snapshot()).isEqualTo(bBefore);
    }

    private static String expected(Row row) {
        Expect e = row.expect();
        if (e.reason() != null) {
            return "OK DECISION_DENIED " + e.reason();
        }
        return e.code() + (e.field() == null ? "" : " [" + e.field() + "]");
    }

    /**
     * The answer to the row's request with {@code value}, as text with {@code value} replaced by a placeholder and
     * revision tokens blanked: the status with the fields it names, or for a decision its outcome.
     */
    private static String answer(Row row, String value) {
        Message request = row.request().apply(value);
        String text;
        try {
            Message response = ClientCalls.blockingUnaryCall(asA, method(request),
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
            text = "OK " + outcome(response) + TextFormat.printer().emittingSingleLine(true).printToString(response);
        } catch (StatusRuntimeException e) {
            text = e.getStatus().getCode() + " " + Errors.badFields(e) + " " + e.getStatus().getDescription();
        }
        return text.replace(value, "<ref>").replaceAll("revision_token: \"\\d+\"", "revision_token: _");
    }

    private static String outcome(Message response) {
        return switch (response) {
            case CheckAccessResponse r -> r.getDecision() + " " + r.getReason() + " ";
            case dev.verdict.v1.ExplainAccessResponse r -> r.getDecision() + " " + r.getReason() + " ";
            case BatchCheckAccessResponse r -> r.getResults(0).getResponse().getDecision() + " "
                    + r.getResults(0).getResponse().getReason() + " ";
            default -> "";
        };
    }

    private static final Map<String, MethodDescriptor<Message, Message>> METHODS = new HashMap<>();

    /** The RPC taking {@code request}'s message type (each RPC has a request type of its own). */
    private static synchronized MethodDescriptor<Message, Message> method(Message request) {
        if (METHODS.isEmpty()) {
            for (var service : DeclaredServices.all()) {
                for (var method : service.getMethods()) {
                    METHODS.put(method.getInputType().getFullName(), OrganizationIsolationTest.descriptor(method));
                }
            }
        }
        return METHODS.get(request.getDescriptorForType().getFullName());
    }

    private static AccessQuery query(Principal.Builder principal, String permission, String stage, String app) {
        return AccessQuery.newBuilder().setPrincipal(principal).setTarget(Target.newBuilder().setPermissionKey(permission))
                .setStage(stage).setAppKey(app).build();
    }

    /**
     * An organization with one of each resource: app {@code <p>_app}, end-user role {@code <p>_role} holding
     * {@code <p>.perm} on it, organization role {@code <p>_org_role}, an active user with an assignment, a group in
     * production granting the role and mapping an IdP group, and an API client.
     */
    private record Org(String id, String admin, String user, String email, String group, String groupName,
            String assignment, String apiClient) {
        static Org create(String p) {
            CreateOrganizationResponse created = SecureTestServer.newOrganization();
            String id = created.getOrganization().getOrganizationId();
            String key = created.getAdminApiKey();
            String secret = p.equals("b") ? " " + B_PRIVATE : "";
            withKey(AppServiceGrpc.newBlockingStub(CHANNEL), key).createApp(CreateAppRequest.newBuilder().setOrganizationId(id)
                    .setApp(App.newBuilder().setKey(p + "_app").setDisplayName("App" + secret)).build());
            withKey(PermissionServiceGrpc.newBlockingStub(CHANNEL), key).createPermission(CreatePermissionRequest.newBuilder()
                    .setOrganizationId(id).setPermission(Permission.newBuilder().setKey(p + ".perm")
                            .setDisplayName("Perm" + secret).setLevel(PermissionLevel.PERMISSION_LEVEL_APP)).build());
            var roles = withKey(RoleServiceGrpc.newBlockingStub(CHANNEL), key);
            roles.createRole(CreateRoleRequest.newBuilder().setOrganizationId(id).setRole(Role.newBuilder()
                    .setKey(p + "_role").setDisplayName("Role" + secret).setKind(RoleKind.ROLE_KIND_END_USER)
                    .addGrants(PermissionGrant.newBuilder().setPermissionKey(p + ".perm"))).build());
            roles.createRole(CreateRoleRequest.newBuilder().setOrganizationId(id).setRole(Role.newBuilder()
                    .setKey(p + "_org_role").setDisplayName("Org role" + secret).setKind(RoleKind.ROLE_KIND_ORGANIZATION)
                    .addGrants(PermissionGrant.newBuilder().setPermissionKey("app.view"))).build());
            String email = p + "-user@example.com";
            var users = withKey(UserServiceGrpc.newBlockingStub(CHANNEL), key);
            String user = users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(id).setEmail(email)
                    .setDisplayName("User" + secret).build()).getUser().getUserId();
            users.activateUser(ActivateUserRequest.newBuilder().setOrganizationId(id).setUserId(user).build());
            String assignment = withKey(AssignmentServiceGrpc.newBlockingStub(CHANNEL), key).grantRole(GrantRoleRequest
                    .newBuilder().setOrganizationId(id).setPrincipal(Principal.newBuilder().setUserId(user))
                    .setRoleKey(p + "_org_role").setScope(Scope.newBuilder().setAppKey(p + "_app")).build())
                    .getAssignment().getAssignmentId();
            String groupName = p + " group";
            String group = withKey(GroupServiceGrpc.newBlockingStub(CHANNEL), key).createGroup(CreateGroupRequest.newBuilder()
                    .setOrganizationId(id).setName(groupName).setDescription("Group" + secret).setStage("production")
                    .addRoleGrants(GroupRoleGrant.newBuilder().setRoleKey(p + "_role").setAppKey(p + "_app"))
                    .addIdpMappings(IdpMapping.newBuilder().setIdp("okta").setExternalGroup(p + "-team"))
                    .addUserIds(user).build()).getGroup().getGroupId();
            String client = withKey(ApiClientServiceGrpc.newBlockingStub(CHANNEL), key).createApiClient(CreateApiClientRequest
                    .newBuilder().setOrganizationId(id).setName("client" + secret).build()).getApiClient().getApiClientId();
            return new Org(id, key, user, email, group, groupName, assignment, client);
        }

        /** Everything of this organization the rows could touch, read with its own key. */
        Map<String, Object> snapshot() {
            Map<String, Object> state = new HashMap<>();
            state.put("organization", withKey(OrganizationServiceGrpc.newBlockingStub(CHANNEL), BOOTSTRAP_KEY)
                    .getOrganization(GetOrganizationRequest.newBuilder().setOrganizationId(id).build()).getOrganization());
            state.put("user", withKey(UserServiceGrpc.newBlockingStub(CHANNEL), admin)
                    .getUser(GetUserRequest.newBuilder().setOrganizationId(id).setUserId(user).build()).getUser());
            var groups = withKey(GroupServiceGrpc.newBlockingStub(CHANNEL), admin);
            state.put("group", groups.getGroup(GetGroupRequest.newBuilder().setOrganizationId(id).setGroupId(group).build())
                    .getGroup());
            state.put("members", groups.listGroupMembers(ListGroupMembersRequest.newBuilder().setOrganizationId(id)
                    .setGroupId(group).build()).getMembersList());
            state.put("client", withKey(ApiClientServiceGrpc.newBlockingStub(CHANNEL), admin)
                    .getApiClient(GetApiClientRequest.newBuilder().setOrganizationId(id).setApiClientId(apiClient).build())
                    .getApiClient());
            state.put("assignments", withKey(AssignmentServiceGrpc.newBlockingStub(CHANNEL), admin)
                    .listAssignments(ListAssignmentsRequest.newBuilder().setOrganizationId(id)
                            .setPrincipal(Principal.newBuilder().setUserId(user)).build()).getAssignmentsList());
            state.put("app", withKey(AppServiceGrpc.newBlockingStub(CHANNEL), admin)
                    .getApp(GetAppRequest.newBuilder().setOrganizationId(id).setKey("b_app").build()).getApp());
            state.put("role", withKey(RoleServiceGrpc.newBlockingStub(CHANNEL), admin)
                    .getRole(GetRoleRequest.newBuilder().setOrganizationId(id).setKey("b_org_role").build()).getRole());
            state.put("permission", withKey(PermissionServiceGrpc.newBlockingStub(CHANNEL), admin)
                    .getPermission(GetPermissionRequest.newBuilder().setOrganizationId(id).setKey("b.perm").build())
                    .getPermission());
            return state;
        }
    }
}
