package dev.verdict.server.api;

import static dev.verdict.server.store.schema.Tables.API_CLIENT;
import static dev.verdict.server.store.schema.Tables.APP;
import static dev.verdict.server.store.schema.Tables.EXTERNAL_GROUP_MEMBERSHIP;
import static dev.verdict.server.store.schema.Tables.GROUP_IDP_MAPPING;
import static dev.verdict.server.store.schema.Tables.GROUP_MEMBER;
import static dev.verdict.server.store.schema.Tables.ROLE;
import static dev.verdict.server.store.schema.Tables.USER_GROUP;

import dev.verdict.server.TestServer;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Rows the user and assignment tests need from other services (end-user roles, apps, groups, IdP mappings,
 * API clients), written straight to the database so that these tests do not depend on those services.
 */
final class UserTestData {
    private UserTestData() {}

    private static DSLContext db() {
        return TestServer.server().database().dsl();
    }

    static void endUserRole(String org, String key) {
        db().insertInto(ROLE)
                .set(ROLE.ORGANIZATION_ID, UUID.fromString(org))
                .set(ROLE.ROLE_KEY, key)
                .set(ROLE.DISPLAY_NAME, key)
                .set(ROLE.KIND, "END_USER")
                .execute();
    }

    static void app(String org, String key) {
        db().insertInto(APP)
                .set(APP.ORGANIZATION_ID, UUID.fromString(org))
                .set(APP.APP_KEY, key)
                .set(APP.DISPLAY_NAME, key)
                .execute();
    }

    /** Creates a group in {@code stage} and returns its id. */
    static String group(String org, String name, String stage) {
        UUID id = UUID.randomUUID();
        db().insertInto(USER_GROUP)
                .set(USER_GROUP.ORGANIZATION_ID, UUID.fromString(org))
                .set(USER_GROUP.GROUP_ID, id)
                .set(USER_GROUP.NAME, name)
                .set(USER_GROUP.STAGE, stage)
                .execute();
        return id.toString();
    }

    static void idpMapping(String org, String groupId, String idp, String externalGroup) {
        db().insertInto(GROUP_IDP_MAPPING)
                .set(GROUP_IDP_MAPPING.ORGANIZATION_ID, UUID.fromString(org))
                .set(GROUP_IDP_MAPPING.GROUP_ID, UUID.fromString(groupId))
                .set(GROUP_IDP_MAPPING.IDP, idp)
                .set(GROUP_IDP_MAPPING.EXTERNAL_GROUP, externalGroup)
                .execute();
    }

    /** Creates an enabled API client and returns its id. */
    static String apiClient(String org, String name) {
        UUID id = UUID.randomUUID();
        db().insertInto(API_CLIENT)
                .set(API_CLIENT.ORGANIZATION_ID, UUID.fromString(org))
                .set(API_CLIENT.API_CLIENT_ID, id)
                .set(API_CLIENT.NAME, name)
                .set(API_CLIENT.SECRET_HASH, new byte[32])
                .execute();
        return id.toString();
    }

    /** The user's external groups at {@code idp}, sorted. */
    static List<String> externalGroups(String org, String userId, String idp) {
        return db().select(EXTERNAL_GROUP_MEMBERSHIP.EXTERNAL_GROUP).from(EXTERNAL_GROUP_MEMBERSHIP)
                .where(EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID.eq(UUID.fromString(org)),
                        EXTERNAL_GROUP_MEMBERSHIP.USER_ID.eq(UUID.fromString(userId)),
                        EXTERNAL_GROUP_MEMBERSHIP.IDP.eq(idp))
                .orderBy(EXTERNAL_GROUP_MEMBERSHIP.EXTERNAL_GROUP)
                .fetch(EXTERNAL_GROUP_MEMBERSHIP.EXTERNAL_GROUP);
    }

    /** Whether the user is a direct member of the group. */
    static boolean isMember(String org, String groupId, String userId) {
        return db().fetchExists(GROUP_MEMBER, GROUP_MEMBER.ORGANIZATION_ID.eq(UUID.fromString(org)),
                GROUP_MEMBER.GROUP_ID.eq(UUID.fromString(groupId)), GROUP_MEMBER.USER_ID.eq(UUID.fromString(userId)));
    }
}
