package dev.verdict.server.api;

import static dev.verdict.server.store.schema.Tables.CHANGE_LOG;
import static dev.verdict.server.store.schema.Tables.GROUP_ROLE_GRANT;

import dev.verdict.server.TestServer;
import dev.verdict.v1.App;
import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.CreateRoleRequest;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.Role;
import dev.verdict.v1.RoleKind;
import dev.verdict.v1.RoleServiceGrpc;
import dev.verdict.v1.SyncExternalGroupsRequest;
import dev.verdict.v1.UserServiceGrpc;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Test data that GroupService needs but does not own, made through the services that own it (UserService,
 * RoleService, AppService). What no RPC returns, the stored grants of a deleted group and the change log
 * (ChangeService is not in main yet), is read straight from the test database with jOOQ.
 */
final class GroupTestData {
    private GroupTestData() {}

    /** The last change-log entry of an organization. */
    record LoggedChange(String resourceType, String resourceId, String action, Set<UUID> userIds) {}

    private static DSLContext dsl() {
        return TestServer.server().database().dsl();
    }

    /** Invites a user of {@code org} named "Name of &lt;email&gt;"; returns its id. */
    static String user(String org, String email) {
        return UserServiceGrpc.newBlockingStub(TestServer.channel()).inviteUser(InviteUserRequest.newBuilder()
                .setOrganizationId(org)
                .setEmail(email)
                .setDisplayName("Name of " + email)
                .build()).getUser().getUserId();
    }

    /** An end-user role without permissions (apps often check the role itself). */
    static void endUserRole(String org, String key) {
        RoleServiceGrpc.newBlockingStub(TestServer.channel()).createRole(CreateRoleRequest.newBuilder()
                .setOrganizationId(org)
                .setRole(Role.newBuilder().setKey(key).setDisplayName(key).setKind(RoleKind.ROLE_KIND_END_USER))
                .build());
    }

    /** An app. */
    static void app(String org, String key) {
        AppServiceGrpc.newBlockingStub(TestServer.channel()).createApp(CreateAppRequest.newBuilder()
                .setOrganizationId(org)
                .setApp(App.newBuilder().setKey(key).setDisplayName(key))
                .build());
    }

    /** Sets the user's groups at an IdP, as a sign-in through it does. */
    static void externalGroups(String org, String userId, String idp, String... groups) {
        UserServiceGrpc.newBlockingStub(TestServer.channel()).syncExternalGroups(SyncExternalGroupsRequest.newBuilder()
                .setOrganizationId(org)
                .setUserId(userId)
                .setIdp(idp)
                .addAllExternalGroups(List.of(groups))
                .build());
    }

    /** The role grants stored for a group, as "role@app". */
    static List<String> storedGrants(String org, String groupId) {
        return dsl().select(GROUP_ROLE_GRANT.ROLE_KEY, GROUP_ROLE_GRANT.APP_KEY).from(GROUP_ROLE_GRANT)
                .where(GROUP_ROLE_GRANT.ORGANIZATION_ID.eq(UUID.fromString(org)),
                        GROUP_ROLE_GRANT.GROUP_ID.eq(UUID.fromString(groupId)))
                .fetch(r -> r.value1() + "@" + r.value2());
    }

    /** The newest change-log entry of {@code org}. */
    static LoggedChange lastChange(String org) {
        return dsl().selectFrom(CHANGE_LOG)
                .where(CHANGE_LOG.ORGANIZATION_ID.eq(UUID.fromString(org)))
                .orderBy(CHANGE_LOG.REVISION.desc())
                .limit(1)
                .fetchOne(r -> new LoggedChange(r.getResourceType(), r.getResourceId(), r.getAction(),
                        Set.of(r.getUserIds())));
    }
}
