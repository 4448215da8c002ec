package dev.verdict.server.store;

import static dev.verdict.server.store.schema.Tables.API_CLIENT;
import static dev.verdict.server.store.schema.Tables.APP;
import static dev.verdict.server.store.schema.Tables.APP_USER;
import static dev.verdict.server.store.schema.Tables.PERMISSION;
import static dev.verdict.server.store.schema.Tables.ROLE;
import static dev.verdict.server.store.schema.Tables.USER_GROUP;

import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.PermissionLevel;
import dev.verdict.server.domain.RoleKind;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Checks that what a request names exists in the caller's organization, shared by every repository. A key
 * that a request uses as a reference (a role to assign, an app to scope to, a stage) and that is unknown is
 * INVALID_ARGUMENT naming {@code field}; the resource a request is about is NOT_FOUND instead (see each
 * repository). Another organization's resources are never found.
 */
public final class Lookups {
    private Lookups() {}

    /** The kind of role {@code key}, or INVALID_ARGUMENT on {@code field}. */
    public static RoleKind roleKind(DSLContext db, UUID org, String key, String field) {
        String kind = db.select(ROLE.KIND).from(ROLE)
                .where(ROLE.ORGANIZATION_ID.eq(org), ROLE.ROLE_KEY.eq(key))
                .fetchOne(ROLE.KIND);
        if (kind == null) {
            throw DomainException.invalid(field, "no role " + key + " in this organization");
        }
        return RoleKind.valueOf(kind);
    }

    /** The level of permission {@code key}, or INVALID_ARGUMENT on {@code field}. */
    public static PermissionLevel permissionLevel(DSLContext db, UUID org, String key, String field) {
        String level = db.select(PERMISSION.LEVEL).from(PERMISSION)
                .where(PERMISSION.ORGANIZATION_ID.eq(org), PERMISSION.PERMISSION_KEY.eq(key))
                .fetchOne(PERMISSION.LEVEL);
        if (level == null) {
            throw DomainException.invalid(field, "no permission " + key + " in this organization");
        }
        return PermissionLevel.valueOf(level);
    }

    /** Requires app {@code key}, or INVALID_ARGUMENT on {@code field}. */
    public static void requireApp(DSLContext db, UUID org, String key, String field) {
        if (!db.fetchExists(APP, APP.ORGANIZATION_ID.eq(org), APP.APP_KEY.eq(key))) {
            throw DomainException.invalid(field, "no app " + key + " in this organization");
        }
    }

    /** Requires {@code stage} to be one of the organization's stages, or INVALID_ARGUMENT on {@code field}. */
    public static void requireStage(DSLContext db, UUID org, String stage, String field) {
        List<String> stages = OrganizationStore.stages(db, org);
        if (!stages.contains(stage)) {
            throw DomainException.invalid(field, "no stage " + stage + " in this organization; stages are " + stages);
        }
    }

    /** Requires user {@code id}, or INVALID_ARGUMENT on {@code field}. */
    public static void requireUser(DSLContext db, UUID org, UUID id, String field) {
        if (!db.fetchExists(APP_USER, APP_USER.ORGANIZATION_ID.eq(org), APP_USER.USER_ID.eq(id))) {
            throw DomainException.invalid(field, "no user " + id + " in this organization");
        }
    }

    /** Requires API client {@code id}, or INVALID_ARGUMENT on {@code field}. */
    public static void requireApiClient(DSLContext db, UUID org, UUID id, String field) {
        if (!db.fetchExists(API_CLIENT, API_CLIENT.ORGANIZATION_ID.eq(org), API_CLIENT.API_CLIENT_ID.eq(id))) {
            throw DomainException.invalid(field, "no API client " + id + " in this organization");
        }
    }

    /** Requires group {@code id}, or INVALID_ARGUMENT on {@code field}. */
    public static void requireGroup(DSLContext db, UUID org, UUID id, String field) {
        if (!db.fetchExists(USER_GROUP, USER_GROUP.ORGANIZATION_ID.eq(org), USER_GROUP.GROUP_ID.eq(id))) {
            throw DomainException.invalid(field, "no group " + id + " in this organization");
        }
    }

    /** The user id for an email (compared case-insensitively after trimming), or null. */
    public static UUID userIdByEmail(DSLContext db, UUID org, String email) {
        return db.select(APP_USER.USER_ID).from(APP_USER)
                .where(APP_USER.ORGANIZATION_ID.eq(org), APP_USER.EMAIL_KEY.eq(dev.verdict.server.domain.User.emailKey(email)))
                .fetchOne(APP_USER.USER_ID);
    }
}
