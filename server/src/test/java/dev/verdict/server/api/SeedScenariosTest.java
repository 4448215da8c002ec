package dev.verdict.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import dev.verdict.server.Errors;
import dev.verdict.server.TestServer;
import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.ActivateUserRequest;
import dev.verdict.v1.AddGroupMembersRequest;
import dev.verdict.v1.AddIdpMappingRequest;
import dev.verdict.v1.ApiClientServiceGrpc;
import dev.verdict.v1.App;
import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.AssignmentServiceGrpc;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.CheckAccessResponse;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.CreateApiClientRequest;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.CreateGroupRequest;
import dev.verdict.v1.CreatePermissionRequest;
import dev.verdict.v1.CreateRoleRequest;
import dev.verdict.v1.DeactivateUserRequest;
import dev.verdict.v1.Decision;
import dev.verdict.v1.DeleteApiClientRequest;
import dev.verdict.v1.DeleteAppRequest;
import dev.verdict.v1.DeleteGroupRequest;
import dev.verdict.v1.DeleteRoleRequest;
import dev.verdict.v1.DeleteUserRequest;
import dev.verdict.v1.DenyReason;
import dev.verdict.v1.DisableApiClientRequest;
import dev.verdict.v1.EnableApiClientRequest;
import dev.verdict.v1.EndUserRoleGrant;
import dev.verdict.v1.ExplainAccessRequest;
import dev.verdict.v1.ExplainAccessResponse;
import dev.verdict.v1.GrantGroupRoleRequest;
import dev.verdict.v1.GrantPath;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.GroupRoleGrant;
import dev.verdict.v1.GroupServiceGrpc;
import dev.verdict.v1.IdpMapping;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.ListAccessibleAppsRequest;
import dev.verdict.v1.ListUserPermissionsRequest;
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
import dev.verdict.v1.Scope;
import dev.verdict.v1.SyncExternalGroupsRequest;
import dev.verdict.v1.SyncExternalGroupsResponse;
import dev.verdict.v1.Target;
import dev.verdict.v1.UpdatePermissionRequest;
import dev.verdict.v1.UpdateRoleRequest;
import dev.verdict.v1.UserServiceGrpc;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scenarios of the seed documents, told as short stories through the real gRPC API: the data is made with
 * the management RPCs, and every check after a write asks for that write's revision token (read-your-writes),
 * so each assertion is about the write just made, not about cache timing.
 */
class SeedScenariosTest {
    private static final String DEVELOPMENT = "development";
    private static final String PRODUCTION = "production";

    private final AccessServiceGrpc.AccessServiceBlockingStub access = AccessServiceGrpc.newBlockingStub(TestServer.channel());
    private final AppServiceGrpc.AppServiceBlockingStub apps = AppServiceGrpc.newBlockingStub(TestServer.channel());
    private final RoleServiceGrpc.RoleServiceBlockingStub roles = RoleServiceGrpc.newBlockingStub(TestServer.channel());
    private final PermissionServiceGrpc.PermissionServiceBlockingStub permissions =
            PermissionServiceGrpc.newBlockingStub(TestServer.channel());
    private final UserServiceGrpc.UserServiceBlockingStub users = UserServiceGrpc.newBlockingStub(TestServer.channel());
    private final GroupServiceGrpc.GroupServiceBlockingStub groups = GroupServiceGrpc.newBlockingStub(TestServer.channel());
    private final AssignmentServiceGrpc.AssignmentServiceBlockingStub assignments =
            AssignmentServiceGrpc.newBlockingStub(TestServer.channel());
    private final ApiClientServiceGrpc.ApiClientServiceBlockingStub apiClients =
            ApiClientServiceGrpc.newBlockingStub(TestServer.channel());

    /** Each test (JUnit makes an instance per test) lives in an organization of its own. */
    private final String org = TestServer.newOrganization();

    @Test
    void aRoleGrantingAppChangeOnlyInDevelopmentMayChangeDebugAndDeployThereButNotInProduction() {
        app("shop");
        role("dev_changer", RoleKind.ROLE_KIND_ORGANIZATION, grant("app.change", DEVELOPMENT));
        String member = activeUser("dana@example.com");
        String token = grantRole(member, "dev_changer", "", "").token();

        for (String permission : List.of("app.change", "app.debug", "app.deploy", "app.view")) {
            assertAllowed(token, permission(member, permission, DEVELOPMENT, "shop"));
            assertDenied(token, permission(member, permission, PRODUCTION, "shop"), DenyReason.DENY_REASON_NO_GRANT);
            assertDenied(token, permission(member, permission, "qa", "shop"), DenyReason.DENY_REASON_NO_GRANT);
        }

        // app.view is reached only through the implications app.change -> app.debug/app.deploy -> app.view.
        ExplainAccessResponse why = explain(token, permission(member, "app.view", DEVELOPMENT, "shop"));
        assertThat(why.getDecision()).isEqualTo(Decision.DECISION_ALLOWED);
        assertThat(why.getPathsList()).singleElement().satisfies(path -> {
            assertThat(path.getRoleKey()).isEqualTo("dev_changer");
            assertThat(path.getGrantedPermissionKey()).isEqualTo("app.change");
            assertThat(path.getGrantedStagesList()).containsExactly(DEVELOPMENT);
            assertThat(path.getImplicationChainList()).hasSize(3).startsWith("app.change").endsWith("app.view");
            assertThat(path.getAssignmentId()).isNotEmpty();
            assertThat(path.getGroupId()).isEmpty();
        });
        ExplainAccessResponse whyNot = explain(token, permission(member, "app.view", PRODUCTION, "shop"));
        assertThat(whyNot.getDecision()).isEqualTo(Decision.DECISION_DENIED);
        assertThat(whyNot.getReason()).isEqualTo(DenyReason.DENY_REASON_NO_GRANT);
        assertThat(whyNot.getPathsList()).isEmpty();
    }

    @Test
    void viewEveryAppButChangeOnlyOne() {
        app("shop");
        app("billing");
        app("crm");
        role("app_viewer", RoleKind.ROLE_KIND_ORGANIZATION, grant("app.view"));
        role("app_changer", RoleKind.ROLE_KIND_ORGANIZATION, grant("app.change"));
        String member = activeUser("vera@example.com");
        grantRole(member, "app_viewer", "", "");
        String token = grantRole(member, "app_changer", "", "billing").token();

        for (String stage : List.of(DEVELOPMENT, "qa", PRODUCTION)) {
            for (String app : List.of("shop", "billing", "crm")) {
                assertAllowed(token, permission(member, "app.view", stage, app));
            }
            assertAllowed(token, permission(member, "app.change", stage, "billing"));
            assertAllowed(token, permission(member, "app.deploy", stage, "billing"));
            assertDenied(token, permission(member, "app.change", stage, "shop"), DenyReason.DENY_REASON_NO_GRANT);
            assertDenied(token, permission(member, "app.deploy", stage, "crm"), DenyReason.DENY_REASON_NO_GRANT);
        }
        assertThat(accessibleApps(token, member, "app.view", PRODUCTION)).containsExactly("billing", "crm", "shop");
        assertThat(accessibleApps(token, member, "app.change", PRODUCTION)).containsExactly("billing");

        // Viewing billing has two paths: the organization-wide viewer role and, by implication, the changer role.
        ExplainAccessResponse why = explain(token, permission(member, "app.view", PRODUCTION, "billing"));
        assertThat(why.getPathsList()).extracting(GrantPath::getRoleKey)
                .containsExactlyInAnyOrder("app_viewer", "app_changer");
        assertThat(why.getPathsList()).filteredOn(path -> path.getRoleKey().equals("app_changer"))
                .allSatisfy(path -> assertThat(path.getScope().getAppKey()).isEqualTo("billing"));
    }

    @Test
    void aUserInTheMarketingAndFinanceGroupsGetsBothGroupsEndUserRoles() {
        app("dashboards");
        app("reports");
        role("marketing_dashboard", RoleKind.ROLE_KIND_END_USER);
        role("finance_reporting", RoleKind.ROLE_KIND_END_USER);
        String marketing = group("Marketing", PRODUCTION, "marketing_dashboard", "dashboards");
        String finance = group("Finance", PRODUCTION, "finance_reporting", "reports");
        String user = activeUser("mia@example.com");
        addMembers(marketing, user);
        String token = addMembers(finance, user);

        assertAllowed(token, role(user, "marketing_dashboard", PRODUCTION, "dashboards"));
        assertAllowed(token, role(user, "finance_reporting", PRODUCTION, "reports"));
        // Each role only on its group's app, and only in the groups' stage.
        assertDenied(token, role(user, "marketing_dashboard", PRODUCTION, "reports"), DenyReason.DENY_REASON_NO_GRANT);
        assertDenied(token, role(user, "finance_reporting", PRODUCTION, "dashboards"), DenyReason.DENY_REASON_NO_GRANT);
        assertDenied(token, role(user, "finance_reporting", "qa", "reports"), DenyReason.DENY_REASON_NO_GRANT);

        ExplainAccessResponse why = explain(token, role(user, "finance_reporting", PRODUCTION, "reports"));
        assertThat(why.getPathsList()).singleElement().satisfies(path -> {
            assertThat(path.getGroupId()).isEqualTo(finance);
            assertThat(path.getGroupName()).isEqualTo("Finance");
            assertThat(path.getViaIdp()).isEmpty();
            assertThat(path.getRoleKey()).isEqualTo("finance_reporting");
            assertThat(path.getScope().getStage()).isEqualTo(PRODUCTION);
            assertThat(path.getScope().getAppKey()).isEqualTo("reports");
        });
        assertThat(access.listUserPermissions(ListUserPermissionsRequest.newBuilder().setOrganizationId(org)
                        .setPrincipal(user(user)).setStage(PRODUCTION).setAppKey("dashboards")
                        .setConsistency(fresh(token)).build()).getRoleKeysList())
                .containsExactly("marketing_dashboard");
    }

    @Test
    void anIdpMappingGrantsAccessAfterASyncWithThatGroupAndTakesItAwayAfterASyncWithoutIt() {
        app("crm");
        role("crm_user", RoleKind.ROLE_KIND_END_USER);
        String sales = group("Sales", PRODUCTION, "crm_user", "crm");
        String mapped = groups.addIdpMapping(AddIdpMappingRequest.newBuilder().setOrganizationId(org).setGroupId(sales)
                .setMapping(mapping("okta", "sales-team")).build()).getRevisionToken();
        String user = activeUser("sam@example.com");
        AccessQuery crmUser = role(user, "crm_user", PRODUCTION, "crm");
        assertDenied(mapped, crmUser, DenyReason.DENY_REASON_NO_GRANT);

        var synced = sync(user, "okta", "sales-team", "everyone");
        assertThat(synced.getMappedGroupIdsList()).containsExactly(sales);
        assertAllowed(synced.getRevisionToken(), crmUser);
        ExplainAccessResponse why = explain(synced.getRevisionToken(), crmUser);
        assertThat(why.getPathsList()).singleElement().satisfies(path -> {
            assertThat(path.getGroupName()).isEqualTo("Sales");
            assertThat(path.getViaIdp()).isEqualTo("okta");
            assertThat(path.getViaExternalGroup()).isEqualTo("sales-team");
            assertThat(path.getRoleKey()).isEqualTo("crm_user");
        });

        String withoutIt = sync(user, "okta", "everyone").getRevisionToken();
        assertDenied(withoutIt, crmUser, DenyReason.DENY_REASON_NO_GRANT);

        // Group names are compared exactly: another letter case is another group.
        var otherCase = sync(user, "okta", "Sales-Team");
        assertThat(otherCase.getMappedGroupIdsList()).isEmpty();
        assertDenied(otherCase.getRevisionToken(), crmUser, DenyReason.DENY_REASON_NO_GRANT);
        // And the IdP is part of the pair: the same group name at another IdP does not match.
        assertDenied(sync(user, "azure", "sales-team").getRevisionToken(), crmUser, DenyReason.DENY_REASON_NO_GRANT);

        // A sync is per IdP: syncing azure again leaves the okta groups alone.
        assertAllowed(sync(user, "okta", "sales-team").getRevisionToken(), crmUser);
        assertAllowed(sync(user, "azure").getRevisionToken(), crmUser);
    }

    @Test
    void aMappingAddedOrRemovedAfterTheSyncChangesTheAccessOfUsersAlreadySynced() {
        app("crm");
        role("crm_user", RoleKind.ROLE_KIND_END_USER);
        String support = group("Support", PRODUCTION, "crm_user", "crm");
        String user = activeUser("sue@example.com");
        AccessQuery crmUser = role(user, "crm_user", PRODUCTION, "crm");
        assertDenied(sync(user, "okta", "support-team").getRevisionToken(), crmUser, DenyReason.DENY_REASON_NO_GRANT);

        String added = groups.addIdpMapping(AddIdpMappingRequest.newBuilder().setOrganizationId(org).setGroupId(support)
                .setMapping(mapping("okta", "support-team")).build()).getRevisionToken();
        assertAllowed(added, crmUser);

        String removed = groups.removeIdpMapping(RemoveIdpMappingRequest.newBuilder().setOrganizationId(org)
                .setGroupId(support).setMapping(mapping("okta", "support-team")).build()).getRevisionToken();
        assertDenied(removed, crmUser, DenyReason.DENY_REASON_NO_GRANT);
    }

    @Test
    void deletingAGroupRemovesInheritedAccessButKeepsDirectAndOtherGroupAccess() {
        app("wiki");
        role("wiki_editor", RoleKind.ROLE_KIND_END_USER);
        String editors = group("Editors", PRODUCTION, "wiki_editor", "wiki");
        String writers = group("Writers", PRODUCTION, "wiki_editor", "wiki");
        groups.addIdpMapping(AddIdpMappingRequest.newBuilder().setOrganizationId(org).setGroupId(editors)
                .setMapping(mapping("okta", "editors")).build());
        String onlyEditors = activeUser("only@example.com");
        String alsoWriters = activeUser("both@example.com");
        String alsoDirect = activeUser("direct@example.com");
        String throughIdp = activeUser("idp@example.com");
        addMembers(editors, onlyEditors, alsoWriters, alsoDirect);
        addMembers(writers, alsoWriters);
        grantRole(alsoDirect, "wiki_editor", PRODUCTION, "wiki");
        String before = sync(throughIdp, "okta", "editors").getRevisionToken();
        for (String user : List.of(onlyEditors, alsoWriters, alsoDirect, throughIdp)) {
            assertAllowed(before, role(user, "wiki_editor", PRODUCTION, "wiki"));
        }

        // Refused while the group has direct members; a refused delete changes nothing.
        var refused = TestServer.failure(() -> groups.deleteGroup(DeleteGroupRequest.newBuilder().setOrganizationId(org)
                .setGroupId(editors).build()));
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(Errors.preconditionTypes(refused)).isNotEmpty();
        assertAllowed(before, role(onlyEditors, "wiki_editor", PRODUCTION, "wiki"));

        String deleted = groups.deleteGroup(DeleteGroupRequest.newBuilder().setOrganizationId(org).setGroupId(editors)
                .setForce(true).build()).getRevisionToken();
        assertDenied(deleted, role(onlyEditors, "wiki_editor", PRODUCTION, "wiki"), DenyReason.DENY_REASON_NO_GRANT);
        assertDenied(deleted, role(throughIdp, "wiki_editor", PRODUCTION, "wiki"), DenyReason.DENY_REASON_NO_GRANT);
        assertAllowed(deleted, role(alsoWriters, "wiki_editor", PRODUCTION, "wiki"));
        assertAllowed(deleted, role(alsoDirect, "wiki_editor", PRODUCTION, "wiki"));
        assertThat(explain(deleted, role(alsoWriters, "wiki_editor", PRODUCTION, "wiki")).getPathsList())
                .extracting(GrantPath::getGroupName).containsExactly("Writers");
        assertThat(explain(deleted, role(alsoDirect, "wiki_editor", PRODUCTION, "wiki")).getPathsList())
                .singleElement().satisfies(path -> {
                    assertThat(path.getGroupId()).isEmpty();
                    assertThat(path.getAssignmentId()).isNotEmpty();
                });
    }

    @Test
    void aDeactivatedUserIsDeniedUntilActivatedAgainAndADeletedUserIsNotFound() {
        app("shop");
        var invited = users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org)
                .setEmail("ivy@example.com").setDisplayName("Ivy").addOrganizationRoleKeys("developer").build());
        String user = invited.getUser().getUserId();
        AccessQuery view = permission(user, "app.view", PRODUCTION, "shop");
        AccessQuery viewByEmail = permission(Principal.newBuilder().setUserEmail("IVY@example.com ").build(),
                "app.view", PRODUCTION, "shop");
        // Invited, not yet active: even with a role, nothing is allowed.
        assertDenied(invited.getRevisionToken(), view, DenyReason.DENY_REASON_PRINCIPAL_INACTIVE);
        assertDenied(invited.getRevisionToken(), viewByEmail, DenyReason.DENY_REASON_PRINCIPAL_INACTIVE);

        String activated = activate(user);
        assertAllowed(activated, view);
        assertAllowed(activated, viewByEmail);

        String deactivated = users.deactivateUser(DeactivateUserRequest.newBuilder().setOrganizationId(org)
                .setUserId(user).build()).getRevisionToken();
        assertDenied(deactivated, view, DenyReason.DENY_REASON_PRINCIPAL_INACTIVE);
        assertDenied(deactivated, viewByEmail, DenyReason.DENY_REASON_PRINCIPAL_INACTIVE);
        ExplainAccessResponse why = explain(deactivated, view);
        assertThat(why.getReason()).isEqualTo(DenyReason.DENY_REASON_PRINCIPAL_INACTIVE);
        assertThat(why.getPathsList()).isEmpty();

        String reactivated = activate(user);
        assertAllowed(reactivated, view);

        String deleted = users.deleteUser(DeleteUserRequest.newBuilder().setOrganizationId(org).setUserId(user).build())
                .getRevisionToken();
        assertDenied(deleted, view, DenyReason.DENY_REASON_PRINCIPAL_NOT_FOUND);
        assertDenied(deleted, viewByEmail, DenyReason.DENY_REASON_PRINCIPAL_NOT_FOUND);

        // The same email invited again is a new user, invited and without the old one's roles.
        var again = users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org)
                .setEmail("ivy@example.com").setDisplayName("Ivy").build());
        assertDenied(again.getRevisionToken(), viewByEmail, DenyReason.DENY_REASON_PRINCIPAL_INACTIVE);
        assertDenied(activate(again.getUser().getUserId()), viewByEmail, DenyReason.DENY_REASON_NO_GRANT);
    }

    @Test
    void anApiClientWithAnOrganizationRoleIsAllowedUntilDisabled() {
        app("shop");
        var created = apiClients.createApiClient(CreateApiClientRequest.newBuilder().setOrganizationId(org)
                .setName("deployer").build());
        String client = created.getApiClient().getApiClientId();
        AccessQuery deploy = permission(Principal.newBuilder().setApiClientId(client).build(), "app.deploy",
                DEVELOPMENT, "shop");
        assertDenied(created.getRevisionToken(), deploy, DenyReason.DENY_REASON_NO_GRANT);

        String granted = assignments.grantRole(GrantRoleRequest.newBuilder().setOrganizationId(org)
                .setPrincipal(Principal.newBuilder().setApiClientId(client)).setRoleKey("developer").build())
                .getRevisionToken();
        assertAllowed(granted, deploy);
        // developer changes apps only in the first stage.
        assertDenied(granted, permission(Principal.newBuilder().setApiClientId(client).build(), "app.deploy",
                PRODUCTION, "shop"), DenyReason.DENY_REASON_NO_GRANT);

        String disabled = apiClients.disableApiClient(DisableApiClientRequest.newBuilder().setOrganizationId(org)
                .setApiClientId(client).build()).getRevisionToken();
        assertDenied(disabled, deploy, DenyReason.DENY_REASON_PRINCIPAL_INACTIVE);

        String enabled = apiClients.enableApiClient(EnableApiClientRequest.newBuilder().setOrganizationId(org)
                .setApiClientId(client).build()).getRevisionToken();
        assertAllowed(enabled, deploy);

        String deleted = apiClients.deleteApiClient(DeleteApiClientRequest.newBuilder().setOrganizationId(org)
                .setApiClientId(client).build()).getRevisionToken();
        assertDenied(deleted, deploy, DenyReason.DENY_REASON_PRINCIPAL_NOT_FOUND);
    }

    @Test
    void revokeRoleTakesAccessAwayAtItsToken() {
        app("shop");
        String member = activeUser("rita@example.com");
        var granted = grantRole(member, "developer", "", "shop");
        AccessQuery change = permission(member, "app.change", DEVELOPMENT, "shop");
        assertAllowed(granted.token(), change);
        assertAllowed(granted.token(), change); // now cached

        String revoked = assignments.revokeRole(RevokeRoleRequest.newBuilder().setOrganizationId(org)
                .setAssignmentId(granted.assignmentId()).build()).getRevisionToken();
        assertDenied(revoked, change, DenyReason.DENY_REASON_NO_GRANT);
        assertDenied(revoked, permission(member, "app.view", DEVELOPMENT, "shop"), DenyReason.DENY_REASON_NO_GRANT);
    }

    @Test
    void revokeGroupRoleTakesAccessAwayFromEveryMemberAtItsToken() {
        app("portal");
        role("portal_user", RoleKind.ROLE_KIND_END_USER);
        String customers = group("Customers", PRODUCTION, "portal_user", "portal");
        String direct = activeUser("cora@example.com");
        String mapped = activeUser("carl@example.com");
        addMembers(customers, direct);
        groups.addIdpMapping(AddIdpMappingRequest.newBuilder().setOrganizationId(org).setGroupId(customers)
                .setMapping(mapping("okta", "customers")).build());
        String token = sync(mapped, "okta", "customers").getRevisionToken();
        assertAllowed(token, role(direct, "portal_user", PRODUCTION, "portal"));
        assertAllowed(token, role(mapped, "portal_user", PRODUCTION, "portal"));

        String revoked = groups.revokeGroupRole(RevokeGroupRoleRequest.newBuilder().setOrganizationId(org)
                .setGroupId(customers).setGrant(GroupRoleGrant.newBuilder().setRoleKey("portal_user").setAppKey("portal"))
                .build()).getRevisionToken();
        assertDenied(revoked, role(direct, "portal_user", PRODUCTION, "portal"), DenyReason.DENY_REASON_NO_GRANT);
        assertDenied(revoked, role(mapped, "portal_user", PRODUCTION, "portal"), DenyReason.DENY_REASON_NO_GRANT);
    }

    @Test
    void removeGroupMembersTakesAccessAwayFromTheRemovedMembersOnlyAtItsToken() {
        app("portal");
        role("portal_user", RoleKind.ROLE_KIND_END_USER);
        String customers = group("Customers", PRODUCTION, "portal_user", "portal");
        String leaving = activeUser("lea@example.com");
        String staying = activeUser("stan@example.com");
        String token = addMembers(customers, leaving, staying);
        assertAllowed(token, role(leaving, "portal_user", PRODUCTION, "portal"));
        assertAllowed(token, role(staying, "portal_user", PRODUCTION, "portal"));

        String removed = groups.removeGroupMembers(RemoveGroupMembersRequest.newBuilder().setOrganizationId(org)
                .setGroupId(customers).addUserIds(leaving).build()).getRevisionToken();
        assertDenied(removed, role(leaving, "portal_user", PRODUCTION, "portal"), DenyReason.DENY_REASON_NO_GRANT);
        assertAllowed(removed, role(staying, "portal_user", PRODUCTION, "portal"));
    }

    @Test
    void updateRoleRemovingAGrantOrAStageTakesAccessAwayAtItsToken() {
        app("shop");
        role("release_manager", RoleKind.ROLE_KIND_ORGANIZATION, grant("app.view"), grant("app.deploy", DEVELOPMENT, "qa"),
                grant("app.delete"));
        String member = activeUser("rob@example.com");
        String token = grantRole(member, "release_manager", "", "").token();
        assertAllowed(token, permission(member, "app.deploy", "qa", "shop"));
        assertAllowed(token, permission(member, "app.delete", PRODUCTION, "shop"));

        String updated = roles.updateRole(UpdateRoleRequest.newBuilder().setOrganizationId(org)
                .setRole(Role.newBuilder().setKey("release_manager").addGrants(grant("app.view"))
                        .addGrants(grant("app.deploy", DEVELOPMENT)))
                .setUpdateMask(FieldMask.newBuilder().addPaths("grants")).build()).getRevisionToken();
        assertDenied(updated, permission(member, "app.delete", PRODUCTION, "shop"), DenyReason.DENY_REASON_NO_GRANT);
        assertDenied(updated, permission(member, "app.deploy", "qa", "shop"), DenyReason.DENY_REASON_NO_GRANT);
        assertAllowed(updated, permission(member, "app.deploy", DEVELOPMENT, "shop"));
        assertAllowed(updated, permission(member, "app.view", PRODUCTION, "shop"));
    }

    @Test
    void updatePermissionRemovingAnImplicationTakesTheImpliedAccessAwayAtItsToken() {
        app("shop");
        permissions.createPermission(CreatePermissionRequest.newBuilder().setOrganizationId(org)
                .setPermission(Permission.newBuilder().setKey("report.read").setLevel(PermissionLevel.PERMISSION_LEVEL_APP))
                .build());
        permissions.createPermission(CreatePermissionRequest.newBuilder().setOrganizationId(org)
                .setPermission(Permission.newBuilder().setKey("report.edit").setLevel(PermissionLevel.PERMISSION_LEVEL_APP)
                        .addImplies("report.read"))
                .build());
        role("report_editor", RoleKind.ROLE_KIND_ORGANIZATION, grant("report.edit"));
        String member = activeUser("rene@example.com");
        String token = grantRole(member, "report_editor", "", "").token();
        assertAllowed(token, permission(member, "report.read", PRODUCTION, "shop"));

        String updated = permissions.updatePermission(UpdatePermissionRequest.newBuilder().setOrganizationId(org)
                .setPermission(Permission.newBuilder().setKey("report.edit"))
                .setUpdateMask(FieldMask.newBuilder().addPaths("implies")).build()).getRevisionToken();
        assertDenied(updated, permission(member, "report.read", PRODUCTION, "shop"), DenyReason.DENY_REASON_NO_GRANT);
        assertAllowed(updated, permission(member, "report.edit", PRODUCTION, "shop"));
    }

    @Test
    void aGroupCreatedWithGrantsMembersAndMappingsInOneRequestGrantsAtItsToken() {
        app("portal");
        role("portal_user", RoleKind.ROLE_KIND_END_USER);
        String direct = activeUser("gina@example.com");
        String mapped = activeUser("gil@example.com");
        sync(mapped, "okta", "partners");
        var created = groups.createGroup(CreateGroupRequest.newBuilder().setOrganizationId(org).setName("Partners")
                .setStage(PRODUCTION).addRoleGrants(GroupRoleGrant.newBuilder().setRoleKey("portal_user").setAppKey("portal"))
                .addUserIds(direct).addIdpMappings(mapping("okta", "partners")).build());
        assertAllowed(created.getRevisionToken(), role(direct, "portal_user", PRODUCTION, "portal"));
        assertAllowed(created.getRevisionToken(), role(mapped, "portal_user", PRODUCTION, "portal"));

        // An invitation can place the user in the group and give a direct end-user role at once.
        app("shop");
        role("shopper", RoleKind.ROLE_KIND_END_USER);
        var invited = users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org).setEmail("gus@example.com")
                .addGroupIds(created.getGroup().getGroupId())
                .addEndUserRoles(EndUserRoleGrant.newBuilder().setRoleKey("shopper").setAppKey("shop")
                        .setStage(PRODUCTION))
                .build());
        String invitee = invited.getUser().getUserId();
        assertDenied(invited.getRevisionToken(), role(invitee, "portal_user", PRODUCTION, "portal"),
                DenyReason.DENY_REASON_PRINCIPAL_INACTIVE);
        String activated = activate(invitee);
        assertAllowed(activated, role(invitee, "portal_user", PRODUCTION, "portal"));
        assertAllowed(activated, role(invitee, "shopper", PRODUCTION, "shop"));
    }

    @Test
    void aForceDeletedAppOrRoleCreatedAgainUnderTheSameKeyBringsNoOldAccessBack() {
        app("shop");
        role("shop_admin", RoleKind.ROLE_KIND_ORGANIZATION, grant("app.delete"));
        role("shopper", RoleKind.ROLE_KIND_END_USER);
        String buyers = group("Buyers", PRODUCTION, "shopper", "shop");
        String member = activeUser("max@example.com");
        String buyer = activeUser("bea@example.com");
        grantRole(member, "developer", "", "shop");
        grantRole(member, "shop_admin", "", "");
        String token = addMembers(buyers, buyer);
        assertAllowed(token, permission(member, "app.change", DEVELOPMENT, "shop"));
        assertAllowed(token, role(buyer, "shopper", PRODUCTION, "shop"));

        String appDeleted = apps.deleteApp(DeleteAppRequest.newBuilder().setOrganizationId(org)
                .setKey("shop").setForce(true).build()).getRevisionToken();
        assertDenied(appDeleted, permission(member, "app.view", PRODUCTION, "shop"), DenyReason.DENY_REASON_APP_NOT_FOUND);
        String appAgain = app("shop");
        assertDenied(appAgain, permission(member, "app.change", DEVELOPMENT, "shop"), DenyReason.DENY_REASON_NO_GRANT);
        assertDenied(appAgain, role(buyer, "shopper", PRODUCTION, "shop"), DenyReason.DENY_REASON_NO_GRANT);
        // shop_admin was assigned organization-wide, so it reaches the new app.
        assertAllowed(appAgain, permission(member, "app.delete", PRODUCTION, "shop"));

        roles.deleteRole(DeleteRoleRequest.newBuilder().setOrganizationId(org).setKey("shop_admin")
                .setForce(true).build());
        String roleAgain = role("shop_admin", RoleKind.ROLE_KIND_ORGANIZATION, grant("app.delete"));
        assertDenied(roleAgain, permission(member, "app.delete", PRODUCTION, "shop"), DenyReason.DENY_REASON_NO_GRANT);
    }

    // ---- the management writes, each returning its revision token ----

    private String app(String key) {
        return apps.createApp(CreateAppRequest.newBuilder().setOrganizationId(org)
                .setApp(App.newBuilder().setKey(key).setDisplayName(key)).build()).getRevisionToken();
    }

    private String role(String key, RoleKind kind, PermissionGrant... grants) {
        return roles.createRole(CreateRoleRequest.newBuilder().setOrganizationId(org)
                .setRole(Role.newBuilder().setKey(key).setDisplayName(key).setKind(kind).addAllGrants(List.of(grants)))
                .build()).getRevisionToken();
    }

    private static PermissionGrant grant(String permission, String... stages) {
        return PermissionGrant.newBuilder().setPermissionKey(permission).addAllStages(List.of(stages)).build();
    }

    /** Invites and activates a user; returns its id. */
    private String activeUser(String email) {
        String id = users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org).setEmail(email)
                .setDisplayName(email).build()).getUser().getUserId();
        activate(id);
        return id;
    }

    private String activate(String user) {
        return users.activateUser(ActivateUserRequest.newBuilder().setOrganizationId(org).setUserId(user).build())
                .getRevisionToken();
    }

    private record Granted(String assignmentId, String token) {}

    private Granted grantRole(String user, String role, String stage, String app) {
        var response = assignments.grantRole(GrantRoleRequest.newBuilder().setOrganizationId(org)
                .setPrincipal(Principal.newBuilder().setUserId(user)).setRoleKey(role)
                .setScope(Scope.newBuilder().setStage(stage).setAppKey(app)).build());
        return new Granted(response.getAssignment().getAssignmentId(), response.getRevisionToken());
    }

    /** Creates a group in {@code stage} granting {@code role} on {@code app}; returns its id. */
    private String group(String name, String stage, String role, String app) {
        String id = groups.createGroup(CreateGroupRequest.newBuilder().setOrganizationId(org).setName(name)
                .setStage(stage).build()).getGroup().getGroupId();
        groups.grantGroupRole(GrantGroupRoleRequest.newBuilder().setOrganizationId(org).setGroupId(id)
                .setGrant(GroupRoleGrant.newBuilder().setRoleKey(role).setAppKey(app)).build());
        return id;
    }

    private String addMembers(String group, String... userIds) {
        return groups.addGroupMembers(AddGroupMembersRequest.newBuilder().setOrganizationId(org).setGroupId(group)
                .addAllUserIds(List.of(userIds)).build()).getRevisionToken();
    }

    private static IdpMapping mapping(String idp, String externalGroup) {
        return IdpMapping.newBuilder().setIdp(idp).setExternalGroup(externalGroup).build();
    }

    private SyncExternalGroupsResponse sync(String user, String idp, String... externalGroups) {
        return users.syncExternalGroups(SyncExternalGroupsRequest.newBuilder().setOrganizationId(org).setUserId(user)
                .setIdp(idp).addAllExternalGroups(List.of(externalGroups)).build());
    }

    // ---- the questions, always at least as fresh as the write just made ----

    private static Consistency fresh(String token) {
        return Consistency.newBuilder().setAtLeastAsFresh(token).build();
    }

    private static Principal user(String id) {
        return Principal.newBuilder().setUserId(id).build();
    }

    private static AccessQuery permission(String user, String key, String stage, String app) {
        return permission(user(user), key, stage, app);
    }

    private static AccessQuery permission(Principal who, String key, String stage, String app) {
        return AccessQuery.newBuilder().setPrincipal(who).setTarget(Target.newBuilder().setPermissionKey(key))
                .setStage(stage).setAppKey(app).build();
    }

    private static AccessQuery role(String user, String key, String stage, String app) {
        return AccessQuery.newBuilder().setPrincipal(user(user)).setTarget(Target.newBuilder().setRoleKey(key))
                .setStage(stage).setAppKey(app).build();
    }

    private CheckAccessResponse check(String token, AccessQuery query) {
        CheckAccessResponse response = access.checkAccess(CheckAccessRequest.newBuilder().setOrganizationId(org)
                .setQuery(query).setConsistency(fresh(token)).build());
        assertThat(Long.parseLong(response.getRevisionToken()))
                .as("revision of a decision asked at least as fresh as %s", token)
                .isGreaterThanOrEqualTo(Long.parseLong(token));
        return response;
    }

    private void assertAllowed(String token, AccessQuery query) {
        CheckAccessResponse response = check(token, query);
        assertThat(response.getDecision()).as("%s (denied: %s)", describe(query), response.getReason())
                .isEqualTo(Decision.DECISION_ALLOWED);
    }

    private void assertDenied(String token, AccessQuery query, DenyReason reason) {
        CheckAccessResponse response = check(token, query);
        assertThat(response.getDecision()).as(describe(query)).isEqualTo(Decision.DECISION_DENIED);
        assertThat(response.getReason()).as(describe(query)).isEqualTo(reason);
    }

    private ExplainAccessResponse explain(String token, AccessQuery query) {
        return access.explainAccess(ExplainAccessRequest.newBuilder().setOrganizationId(org).setQuery(query)
                .setConsistency(fresh(token)).build());
    }

    private List<String> accessibleApps(String token, String user, String permission, String stage) {
        return access.listAccessibleApps(ListAccessibleAppsRequest.newBuilder().setOrganizationId(org)
                .setPrincipal(user(user)).setTarget(Target.newBuilder().setPermissionKey(permission)).setStage(stage)
                .setConsistency(fresh(token)).build()).getAppKeysList();
    }

    private static String describe(AccessQuery query) {
        Target target = query.getTarget();
        return (target.hasRoleKey() ? "role " + target.getRoleKey() : target.getPermissionKey())
                + " in " + query.getStage() + "/" + query.getAppKey();
    }
}
