package dev.verdict.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.TestServer;
import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.ActivateUserRequest;
import dev.verdict.v1.AddGroupMembersRequest;
import dev.verdict.v1.App;
import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.AssignmentServiceGrpc;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.CheckAccessResponse;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.CreateGroupRequest;
import dev.verdict.v1.CreateRoleRequest;
import dev.verdict.v1.Decision;
import dev.verdict.v1.DenyReason;
import dev.verdict.v1.GrantGroupRoleRequest;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.GroupRoleGrant;
import dev.verdict.v1.GroupServiceGrpc;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.Principal;
import dev.verdict.v1.Role;
import dev.verdict.v1.RoleKind;
import dev.verdict.v1.RoleServiceGrpc;
import dev.verdict.v1.Scope;
import dev.verdict.v1.Target;
import dev.verdict.v1.UserServiceGrpc;
import org.junit.jupiter.api.Test;

/** Decisions follow writes made through the management RPCs, read-your-writes with each write's token. */
class AccessThroughManagementRpcsTest {
    private final AccessServiceGrpc.AccessServiceBlockingStub access = AccessServiceGrpc.newBlockingStub(TestServer.channel());
    private final UserServiceGrpc.UserServiceBlockingStub users = UserServiceGrpc.newBlockingStub(TestServer.channel());
    private final GroupServiceGrpc.GroupServiceBlockingStub groups = GroupServiceGrpc.newBlockingStub(TestServer.channel());

    private CheckAccessResponse check(String org, AccessQuery query, String token) {
        return access.checkAccess(CheckAccessRequest.newBuilder().setOrganizationId(org).setQuery(query)
                .setConsistency(Consistency.newBuilder().setAtLeastAsFresh(token)).build());
    }

    @Test
    void everyWriteIsSeenWithItsToken() {
        String org = TestServer.newOrganization();
        AppServiceGrpc.newBlockingStub(TestServer.channel()).createApp(CreateAppRequest.newBuilder().setOrganizationId(org)
                .setApp(App.newBuilder().setKey("shop").setDisplayName("Shop")).build());
        RoleServiceGrpc.newBlockingStub(TestServer.channel()).createRole(CreateRoleRequest.newBuilder().setOrganizationId(org)
                .setRole(Role.newBuilder().setKey("shopper").setDisplayName("Shopper").setKind(RoleKind.ROLE_KIND_END_USER))
                .build());
        var invited = users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org)
                .setEmail("rpc@example.com").setDisplayName("Rpc").build());
        String userId = invited.getUser().getUserId();
        Principal who = Principal.newBuilder().setUserId(userId).build();
        AccessQuery shopper = AccessQuery.newBuilder().setPrincipal(who).setTarget(Target.newBuilder().setRoleKey("shopper"))
                .setStage("qa").setAppKey("shop").build();
        assertThat(check(org, shopper, invited.getRevisionToken()).getReason())
                .isEqualTo(DenyReason.DENY_REASON_PRINCIPAL_INACTIVE);

        String activated = users.activateUser(ActivateUserRequest.newBuilder().setOrganizationId(org).setUserId(userId).build())
                .getRevisionToken();
        assertThat(check(org, shopper, activated).getReason()).isEqualTo(DenyReason.DENY_REASON_NO_GRANT);

        var group = groups.createGroup(CreateGroupRequest.newBuilder().setOrganizationId(org).setName("Buyers").setStage("qa")
                .build()).getGroup();
        String granted = groups.grantGroupRole(GrantGroupRoleRequest.newBuilder().setOrganizationId(org)
                .setGroupId(group.getGroupId()).setGrant(GroupRoleGrant.newBuilder().setRoleKey("shopper").setAppKey("shop"))
                .build()).getRevisionToken();
        assertThat(check(org, shopper, granted).getDecision()).isEqualTo(Decision.DECISION_DENIED);
        String added = groups.addGroupMembers(AddGroupMembersRequest.newBuilder().setOrganizationId(org)
                .setGroupId(group.getGroupId()).addUserIds(userId).build()).getRevisionToken();
        assertThat(check(org, shopper, added).getDecision()).isEqualTo(Decision.DECISION_ALLOWED);

        AccessQuery deploy = AccessQuery.newBuilder().setPrincipal(who).setTarget(Target.newBuilder().setPermissionKey("app.deploy"))
                .setStage("development").setAppKey("shop").build();
        assertThat(check(org, deploy, added).getDecision()).isEqualTo(Decision.DECISION_DENIED);
        String assigned = AssignmentServiceGrpc.newBlockingStub(TestServer.channel()).grantRole(GrantRoleRequest.newBuilder()
                .setOrganizationId(org).setPrincipal(who).setRoleKey("developer")
                .setScope(Scope.newBuilder().setAppKey("shop")).build()).getRevisionToken();
        CheckAccessResponse allowed = check(org, deploy, assigned);
        assertThat(allowed.getDecision()).isEqualTo(Decision.DECISION_ALLOWED);
        assertThat(Long.parseLong(allowed.getRevisionToken())).isGreaterThanOrEqualTo(Long.parseLong(assigned));
    }
}
