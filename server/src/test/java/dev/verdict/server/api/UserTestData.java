package dev.verdict.server.api;

import static dev.verdict.server.store.schema.Tables.EXTERNAL_GROUP_MEMBERSHIP;
import static dev.verdict.server.store.schema.Tables.GROUP_IDP_MAPPING;
import static dev.verdict.server.store.schema.Tables.GROUP_MEMBER;
import static dev.verdict.server.store.schema.Tables.USER_GROUP;

import dev.verdict.server.TestServer;
import dev.verdict.v1.ApiClientServiceGrpc;
import dev.verdict.v1.App;
import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.CreateApiClientRequest;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.CreateRoleRequest;
import dev.verdict.v1.Role;
import dev.verdict.v1.RoleKind;
import dev.verdict.v1.RoleServiceGrpc;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * What the user and assignment tests need from other services. End-user roles, apps and API clients are made
 * through their RPCs; groups and IdP mappings are written straight to the database (GroupService is built in
 * parallel), as are the reads of external-group rows that no RPC returns.
 */
final class UserTestData {
    private UserTestData() {}

    private static DSLContext db() {
        return TestServer.server().database().dsl();
    }

    /** Creates an end-user role without permissions (apps often check the role itself). */
    static void endUserRole(String org, String key) {
        RoleServiceGrpc.newBlockingStub(TestServer.channel()).createRole(CreateRoleRequest.newBuilder()
                .setOrganizationId(org)
                .setRole(Role.newBuilder().setKey(key).setDisplayName(key).setKind(RoleKind.ROLE_KIND_END_USER))
                .build());
    }

    static void app(String org, String key) {
        AppServiceGrpc.newBlockingStub(TestServer.channel()).createApp(CreateAppRequest.newBuilder()
                .setOrganizationId(org)
                .setApp(App.newBuilder().setKey(key).setDisplayName(key))
                .build());
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
        return ApiClientServiceGrpc.newBlockingStub(TestServer.channel()).createApiClient(CreateApiClientRequest.newBuilder()
                .setOrganizationId(org).setName(name).build()).getApiClient().getApiClientId();
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
