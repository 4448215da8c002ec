package dev.verdict.server.api;

import static dev.verdict.server.store.schema.Tables.APP_USER;
import static dev.verdict.server.store.schema.Tables.CHANGE_LOG;
import static dev.verdict.server.store.schema.Tables.EXTERNAL_GROUP_MEMBERSHIP;
import static dev.verdict.server.store.schema.Tables.GROUP_ROLE_GRANT;
import static dev.verdict.server.store.schema.Tables.ROLE;

import dev.verdict.server.TestServer;
import dev.verdict.server.domain.User;
import dev.verdict.v1.App;
import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.CreateAppRequest;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Test data that GroupService needs but does not own. Apps go through AppService; users, end-user roles and
 * external group memberships are written with jOOQ straight into the test database, because UserService
 * and RoleService were still being written when these tests were.
 */
final class GroupTestData {
    private GroupTestData() {}

    /** The last change-log entry of an organization. */
    record LoggedChange(String resourceType, String resourceId, String action, Set<UUID> userIds) {}

    private static DSLContext dsl() {
        return TestServer.server().database().dsl();
    }

    /** An active user of {@code org}; returns its id. */
    static String user(String org, String email) {
        UUID id = UUID.randomUUID();
        dsl().insertInto(APP_USER)
                .set(APP_USER.ORGANIZATION_ID, UUID.fromString(org))
                .set(APP_USER.USER_ID, id)
                .set(APP_USER.EMAIL, email)
                .set(APP_USER.EMAIL_KEY, User.emailKey(email))
                .set(APP_USER.DISPLAY_NAME, "Name of " + email)
                .set(APP_USER.STATUS, "ACTIVE")
                .set(APP_USER.CLASSIFICATION, "EXTERNAL")
                .execute();
        return id.toString();
    }

    /** An end-user role without permissions (apps often check the role itself). */
    static void endUserRole(String org, String key) {
        dsl().insertInto(ROLE)
                .set(ROLE.ORGANIZATION_ID, UUID.fromString(org))
                .set(ROLE.ROLE_KEY, key)
                .set(ROLE.DISPLAY_NAME, key)
                .set(ROLE.KIND, "END_USER")
                .execute();
    }

    /** An app, through AppService. */
    static void app(String org, String key) {
        AppServiceGrpc.newBlockingStub(TestServer.channel()).createApp(CreateAppRequest.newBuilder()
                .setOrganizationId(org)
                .setApp(App.newBuilder().setKey(key).setDisplayName(key))
                .build());
    }

    /** Sets the user's groups at an IdP, as a sign-in through it would (SyncExternalGroups). */
    static void externalGroups(String org, String userId, String idp, String... groups) {
        UUID orgId = UUID.fromString(org);
        UUID user = UUID.fromString(userId);
        dsl().transaction(c -> {
            c.dsl().deleteFrom(EXTERNAL_GROUP_MEMBERSHIP)
                    .where(EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID.eq(orgId),
                            EXTERNAL_GROUP_MEMBERSHIP.USER_ID.eq(user), EXTERNAL_GROUP_MEMBERSHIP.IDP.eq(idp))
                    .execute();
            for (String group : groups) {
                c.dsl().insertInto(EXTERNAL_GROUP_MEMBERSHIP)
                        .set(EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID, orgId)
                        .set(EXTERNAL_GROUP_MEMBERSHIP.USER_ID, user)
                        .set(EXTERNAL_GROUP_MEMBERSHIP.IDP, idp)
                        .set(EXTERNAL_GROUP_MEMBERSHIP.EXTERNAL_GROUP, group)
                        .execute();
            }
        });
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
