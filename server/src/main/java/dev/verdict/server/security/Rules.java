package dev.verdict.server.security;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The authorization table: the {@link Rule} of every RPC of {@code verdict.v1}, by full method name
 * ({@code verdict.v1.UserService/InviteUser}). Reads need {@code <resource>.view}, writes
 * {@code <resource>.manage} (which implies the view permission in the built-in catalogue); README lists the
 * table. An RPC missing here is refused to everybody, and a test fails for it.
 */
public final class Rules {
    private static final Map<String, Rule> BY_METHOD = new HashMap<>();

    static {
        String org = "OrganizationService";
        put(Rule.bootstrapOnly(), org, "CreateOrganization", "ListOrganizations", "DeleteOrganization");
        put(Rule.bootstrapOrClient(null), org, "GetOrganization");
        put(Rule.bootstrapOrClient("stage.manage"), org, "UpdateOrganization");

        put(Rule.client("users.view"), "UserService", "GetUser", "GetUserByEmail", "SearchUsers", "GetLicenseUsage");
        put(Rule.client("users.manage"), "UserService", "InviteUser", "UpdateUser", "ActivateUser", "DeactivateUser",
                "DeleteUser", "ClassifyUsers", "SyncExternalGroups");

        put(Rule.client("roles.view"), "PermissionService", "GetPermission", "ListPermissions");
        put(Rule.client("roles.manage"), "PermissionService", "CreatePermission", "UpdatePermission", "DeletePermission");
        put(Rule.client("roles.view"), "RoleService", "GetRole", "ListRoles");
        put(Rule.client("roles.manage"), "RoleService", "CreateRole", "UpdateRole", "DeleteRole");

        put(Rule.client("apps.view"), "AppService", "GetApp", "ListApps");
        put(Rule.client("apps.manage"), "AppService", "CreateApp", "UpdateApp", "DeleteApp");

        put(Rule.client("users.view"), "AssignmentService", "ListAssignments");
        put(Rule.client("users.manage"), "AssignmentService", "GrantRole", "RevokeRole");

        put(Rule.client("groups.view"), "GroupService", "GetGroup", "ListGroups", "ListGroupMembers", "ListUserGroups");
        put(Rule.client("groups.manage"), "GroupService", "CreateGroup", "UpdateGroup", "DeleteGroup",
                "AddGroupMembers", "RemoveGroupMembers", "GrantGroupRole", "RevokeGroupRole", "AddIdpMapping",
                "RemoveIdpMapping");

        put(Rule.client("api_clients.view"), "ApiClientService", "GetApiClient", "ListApiClients");
        put(Rule.client("api_clients.manage"), "ApiClientService", "CreateApiClient", "RotateApiClientSecret",
                "DisableApiClient", "EnableApiClient", "DeleteApiClient");

        put(Rule.client("audit.view"), "ChangeService", "ListChanges", "WatchChanges");

        // A bulk import creates apps, groups and users with their roles: it needs what each of those needs.
        put(Rule.client("apps.manage", "groups.manage", "users.manage"), "ImportService", "ImportDirectory");

        put(Rule.client("access.check"), "AccessService", "CheckAccess", "BatchCheckAccess", "ExplainAccess",
                "ListUserPermissions", "ListAccessibleApps", "ListUsersWithAccess");
    }

    private Rules() {}

    /** The rule of {@code fullMethodName}, if it has one. */
    public static Optional<Rule> of(String fullMethodName) {
        return Optional.ofNullable(BY_METHOD.get(fullMethodName));
    }

    private static void put(Rule rule, String service, String... methods) {
        for (String method : methods) {
            if (BY_METHOD.put("verdict.v1." + service + "/" + method, rule) != null) {
                throw new IllegalStateException(service + "/" + method + " has two rules");
            }
        }
    }
}
