package dev.verdict.server.api;

import static dev.verdict.server.store.schema.Tables.API_CLIENT;
import static dev.verdict.server.store.schema.Tables.APP;
import static dev.verdict.server.store.schema.Tables.APP_USER;
import static dev.verdict.server.store.schema.Tables.ASSIGNMENT;
import static dev.verdict.server.store.schema.Tables.EXTERNAL_GROUP_MEMBERSHIP;
import static dev.verdict.server.store.schema.Tables.GROUP_IDP_MAPPING;
import static dev.verdict.server.store.schema.Tables.GROUP_MEMBER;
import static dev.verdict.server.store.schema.Tables.GROUP_ROLE_GRANT;
import static dev.verdict.server.store.schema.Tables.PERMISSION;
import static dev.verdict.server.store.schema.Tables.PERMISSION_IMPLICATION;
import static dev.verdict.server.store.schema.Tables.ROLE;
import static dev.verdict.server.store.schema.Tables.ROLE_PERMISSION;
import static dev.verdict.server.store.schema.Tables.USER_GROUP;

import dev.verdict.server.TestServer;
import dev.verdict.server.store.Store;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Test data of one organization written straight through {@link Store} (so that every write has its change
 * log row and NOTIFY), standing in for the management RPCs the engine tests do not depend on. Each method
 * returns the revision token of its write.
 */
final class DecisionTestData {
    final String organizationId;
    final UUID org;
    private final Store store;

    DecisionTestData() {
        organizationId = TestServer.newOrganization();
        org = UUID.fromString(organizationId);
        store = new Store(TestServer.server().database().dsl());
    }

    String app(String key) {
        return store.write(org, w -> {
            w.dsl().insertInto(APP).set(APP.ORGANIZATION_ID, org).set(APP.APP_KEY, key).set(APP.DISPLAY_NAME, key).execute();
            return w.change("app", key, "created");
        }).revisionToken();
    }

    String permission(String key, String level, String... implies) {
        return store.write(org, w -> {
            w.dsl().insertInto(PERMISSION).set(PERMISSION.ORGANIZATION_ID, org).set(PERMISSION.PERMISSION_KEY, key)
                    .set(PERMISSION.DISPLAY_NAME, key).set(PERMISSION.SECTION, "Test").set(PERMISSION.LEVEL, level).execute();
            for (String implied : implies) {
                w.dsl().insertInto(PERMISSION_IMPLICATION).set(PERMISSION_IMPLICATION.ORGANIZATION_ID, org)
                        .set(PERMISSION_IMPLICATION.PERMISSION_KEY, key).set(PERMISSION_IMPLICATION.IMPLIED_KEY, implied)
                        .execute();
            }
            return w.change("permission", key, "created");
        }).revisionToken();
    }

    /** A role with grants permission → stages (an empty list: every stage). */
    String role(String key, String kind, Map<String, List<String>> grants) {
        return store.write(org, w -> {
            w.dsl().insertInto(ROLE).set(ROLE.ORGANIZATION_ID, org).set(ROLE.ROLE_KEY, key).set(ROLE.DISPLAY_NAME, key)
                    .set(ROLE.KIND, kind).execute();
            grants.forEach((permission, stages) -> w.dsl().insertInto(ROLE_PERMISSION)
                    .set(ROLE_PERMISSION.ORGANIZATION_ID, org).set(ROLE_PERMISSION.ROLE_KEY, key)
                    .set(ROLE_PERMISSION.PERMISSION_KEY, permission)
                    .set(ROLE_PERMISSION.STAGES, stages.isEmpty() ? null : stages.toArray(String[]::new))
                    .execute());
            return w.change("role", key, "created");
        }).revisionToken();
    }

    UUID user(String email, String status) {
        UUID id = UUID.randomUUID();
        store.write(org, w -> {
            w.dsl().insertInto(APP_USER).set(APP_USER.ORGANIZATION_ID, org).set(APP_USER.USER_ID, id)
                    .set(APP_USER.EMAIL, email).set(APP_USER.EMAIL_KEY, email.strip().toLowerCase())
                    .set(APP_USER.DISPLAY_NAME, email).set(APP_USER.STATUS, status)
                    .set(APP_USER.CLASSIFICATION, "INTERNAL").execute();
            return w.change("user", id, "invited").affects(id);
        });
        return id;
    }

    String status(UUID user, String status) {
        return store.write(org, w -> {
            w.dsl().update(APP_USER).set(APP_USER.STATUS, status)
                    .where(APP_USER.ORGANIZATION_ID.eq(org), APP_USER.USER_ID.eq(user)).execute();
            return w.change("user", user, status.toLowerCase()).affects(user);
        }).revisionToken();
    }

    UUID apiClient(boolean enabled) {
        UUID id = UUID.randomUUID();
        store.write(org, w -> {
            w.dsl().insertInto(API_CLIENT).set(API_CLIENT.ORGANIZATION_ID, org).set(API_CLIENT.API_CLIENT_ID, id)
                    .set(API_CLIENT.NAME, "client-" + id).set(API_CLIENT.SECRET_HASH, new byte[32])
                    .set(API_CLIENT.ENABLED, enabled).execute();
            return w.change("api_client", id, "created").affects(id);
        });
        return id;
    }

    /** Assigns a role to a user (or API client when {@code apiClient}); returns the write's revision token. */
    String assign(UUID principal, boolean apiClient, String role, String stage, String app) {
        return store.write(org, w -> {
            w.dsl().insertInto(ASSIGNMENT).set(ASSIGNMENT.ORGANIZATION_ID, org).set(ASSIGNMENT.ASSIGNMENT_ID, UUID.randomUUID())
                    .set(apiClient ? ASSIGNMENT.API_CLIENT_ID : ASSIGNMENT.USER_ID, principal)
                    .set(ASSIGNMENT.ROLE_KEY, role).set(ASSIGNMENT.STAGE, stage).set(ASSIGNMENT.APP_KEY, app).execute();
            return w.change("assignment", principal, "granted").affects(principal);
        }).revisionToken();
    }

    String assign(UUID user, String role, String stage, String app) {
        return assign(user, false, role, stage, app);
    }

    UUID group(String name, String stage) {
        UUID id = UUID.randomUUID();
        store.write(org, w -> {
            w.dsl().insertInto(USER_GROUP).set(USER_GROUP.ORGANIZATION_ID, org).set(USER_GROUP.GROUP_ID, id)
                    .set(USER_GROUP.NAME, name).set(USER_GROUP.STAGE, stage).execute();
            return w.change("group", id, "created");
        });
        return id;
    }

    String groupGrant(UUID group, String role, String app) {
        return store.write(org, w -> {
            w.dsl().insertInto(GROUP_ROLE_GRANT).set(GROUP_ROLE_GRANT.ORGANIZATION_ID, org)
                    .set(GROUP_ROLE_GRANT.GROUP_ID, group).set(GROUP_ROLE_GRANT.ROLE_KEY, role)
                    .set(GROUP_ROLE_GRANT.APP_KEY, app).execute();
            return w.change("group", group, "role_granted");
        }).revisionToken();
    }

    String member(UUID group, UUID user) {
        return store.write(org, w -> {
            w.dsl().insertInto(GROUP_MEMBER).set(GROUP_MEMBER.ORGANIZATION_ID, org).set(GROUP_MEMBER.GROUP_ID, group)
                    .set(GROUP_MEMBER.USER_ID, user).execute();
            return w.change("group", group, "members_added").affects(user);
        }).revisionToken();
    }

    String mapping(UUID group, String idp, String externalGroup) {
        return store.write(org, w -> {
            w.dsl().insertInto(GROUP_IDP_MAPPING).set(GROUP_IDP_MAPPING.ORGANIZATION_ID, org)
                    .set(GROUP_IDP_MAPPING.GROUP_ID, group).set(GROUP_IDP_MAPPING.IDP, idp)
                    .set(GROUP_IDP_MAPPING.EXTERNAL_GROUP, externalGroup).execute();
            return w.change("group", group, "mapping_added");
        }).revisionToken();
    }

    String externalGroup(UUID user, String idp, String externalGroup) {
        return store.write(org, w -> {
            w.dsl().insertInto(EXTERNAL_GROUP_MEMBERSHIP).set(EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID, org)
                    .set(EXTERNAL_GROUP_MEMBERSHIP.USER_ID, user).set(EXTERNAL_GROUP_MEMBERSHIP.IDP, idp)
                    .set(EXTERNAL_GROUP_MEMBERSHIP.EXTERNAL_GROUP, externalGroup).execute();
            return w.change("user", user, "external_groups_synced").affects(user);
        }).revisionToken();
    }
}
