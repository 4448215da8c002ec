package dev.verdict.server.store;

import static dev.verdict.server.store.schema.Tables.ASSIGNMENT;

import dev.verdict.server.domain.Assignment;
import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.Page;
import dev.verdict.server.domain.Principal;
import dev.verdict.server.domain.PrincipalReference;
import dev.verdict.server.domain.RoleKind;
import dev.verdict.server.domain.Written;
import dev.verdict.server.store.schema.tables.records.AssignmentRecord;
import java.util.List;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;

/**
 * Direct role assignments of users and API clients. {@link #assign} holds the rules of a valid assignment;
 * every path that creates one (GrantRole here, InviteUser in {@link UserStore}) goes through it.
 */
public final class AssignmentStore {
    private final Store store;

    public AssignmentStore(Store store) {
        this.store = store;
    }

    /** Where a request names the parts of an assignment, so that a refusal names the caller's field. */
    record Fields(String principal, String role, String stage, String app) {}

    /** Assigns {@code roleKey} to a principal in the scope {@code (stage?, appKey?)}; null means every. */
    public Written<Assignment> grant(UUID org, PrincipalReference principal, String roleKey, String stage, String appKey) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            Principal holder = resolve(tx, org, principal, "principal");
            Assignment assignment = assign(tx, org, holder, roleKey, stage, appKey, null,
                    new Fields(principalField(principal, "principal"), "role_key", "scope.stage", "scope.app_key"));
            w.change("assignment", assignment.id(), "granted").affects(holder.id());
            return assignment;
        });
    }

    /** Revokes an assignment; a missing one is NOT_FOUND. */
    public Written<Void> revoke(UUID org, UUID assignmentId) {
        return store.write(org, w -> {
            AssignmentRecord deleted = w.dsl().deleteFrom(ASSIGNMENT)
                    .where(ASSIGNMENT.ORGANIZATION_ID.eq(org), ASSIGNMENT.ASSIGNMENT_ID.eq(assignmentId))
                    .returning()
                    .fetchOne();
            if (deleted == null) {
                throw DomainException.notFound("assignment", assignmentId.toString());
            }
            w.change("assignment", assignmentId, "revoked").affects(toAssignment(deleted).principal().id());
            return null;
        });
    }

    /** Assignments of one principal, ordered by id. */
    public Page<Assignment> listByPrincipal(UUID org, PrincipalReference principal, int pageSize, String pageToken) {
        return store.read(db -> {
            Principal holder = resolve(db, org, principal, "principal");
            return list(db, org, holds(holder), pageSize, pageToken);
        });
    }

    /** Assignments of one role, ordered by id. */
    public Page<Assignment> listByRole(UUID org, String roleKey, int pageSize, String pageToken) {
        return store.read(db -> {
            Lookups.roleKind(db, org, roleKey, "role_key");
            return list(db, org, ASSIGNMENT.ROLE_KEY.eq(roleKey), pageSize, pageToken);
        });
    }

    /** Assignments scoped to one app, ordered by id. */
    public Page<Assignment> listByApp(UUID org, String appKey, int pageSize, String pageToken) {
        return store.read(db -> {
            Lookups.requireApp(db, org, appKey, "app_key");
            return list(db, org, ASSIGNMENT.APP_KEY.eq(appKey), pageSize, pageToken);
        });
    }

    private static Page<Assignment> list(DSLContext db, UUID org, Condition filter, int pageSize, String pageToken) {
        List<String> after = PageToken.decode(pageToken, 1);
        Condition where = ASSIGNMENT.ORGANIZATION_ID.eq(org).and(filter);
        if (after != null) {
            where = where.and(ASSIGNMENT.ASSIGNMENT_ID.gt(tokenId(after.getFirst())));
        }
        List<Assignment> rows = db.selectFrom(ASSIGNMENT)
                .where(where)
                .orderBy(ASSIGNMENT.ASSIGNMENT_ID)
                .limit(pageSize + 1)
                .fetch(AssignmentStore::toAssignment);
        if (rows.size() <= pageSize) {
            return new Page<>(rows, "");
        }
        List<Assignment> items = List.copyOf(rows.subList(0, pageSize));
        return new Page<>(items, PageToken.encode(items.getLast().id().toString()));
    }

    /**
     * The rules of a valid assignment, and its creation. The role must exist (and be of {@code requiredKind}
     * when the request asks for one kind); a stage must be one of the organization's, an app must exist.
     * An end-user role goes to users only, always for one app in one stage. The same principal, role and
     * scope twice is ALREADY_EXISTS.
     */
    static Assignment assign(DSLContext tx, UUID org, Principal principal, String roleKey, String stage, String appKey,
            RoleKind requiredKind, Fields fields) {
        RoleKind kind = Lookups.roleKind(tx, org, roleKey, fields.role());
        if (requiredKind != null && kind != requiredKind) {
            throw DomainException.invalid(fields.role(), "role " + roleKey + " is an " + kind
                    + " role; an " + requiredKind + " role is required here");
        }
        if (kind == RoleKind.END_USER && principal.type() == Principal.Type.API_CLIENT) {
            throw DomainException.invalid(fields.principal(), "end-user role " + roleKey + " can only be assigned to users");
        }
        if (stage != null) {
            Lookups.requireStage(tx, org, stage, fields.stage());
        } else if (kind == RoleKind.END_USER) {
            throw DomainException.invalid(fields.stage(), "end-user role " + roleKey + " is assigned in one stage");
        }
        if (appKey != null) {
            Lookups.requireApp(tx, org, appKey, fields.app());
        } else if (kind == RoleKind.END_USER) {
            throw DomainException.invalid(fields.app(), "end-user role " + roleKey + " is assigned for one app");
        }
        Condition same = ASSIGNMENT.ORGANIZATION_ID.eq(org)
                .and(holds(principal))
                .and(ASSIGNMENT.ROLE_KEY.eq(roleKey))
                .and(stage == null ? ASSIGNMENT.STAGE.isNull() : ASSIGNMENT.STAGE.eq(stage))
                .and(appKey == null ? ASSIGNMENT.APP_KEY.isNull() : ASSIGNMENT.APP_KEY.eq(appKey));
        if (tx.fetchExists(ASSIGNMENT, same)) {
            throw DomainException.alreadyExists("assignment", "role " + roleKey + " of " + principal.id()
                    + " in scope (stage " + (stage == null ? "*" : stage) + ", app " + (appKey == null ? "*" : appKey) + ")");
        }
        boolean user = principal.type() == Principal.Type.USER;
        return tx.insertInto(ASSIGNMENT)
                .set(ASSIGNMENT.ORGANIZATION_ID, org)
                .set(ASSIGNMENT.ASSIGNMENT_ID, UUID.randomUUID())
                .set(ASSIGNMENT.USER_ID, user ? principal.id() : null)
                .set(ASSIGNMENT.API_CLIENT_ID, user ? null : principal.id())
                .set(ASSIGNMENT.ROLE_KEY, roleKey)
                .set(ASSIGNMENT.STAGE, stage)
                .set(ASSIGNMENT.APP_KEY, appKey)
                .returning()
                .fetchOne(AssignmentStore::toAssignment);
    }

    /** Resolves the principal a request names; an unknown one is INVALID_ARGUMENT on {@code field.<kind>}. */
    static Principal resolve(DSLContext db, UUID org, PrincipalReference principal, String field) {
        String kindField = principalField(principal, field);
        if (principal.type() == Principal.Type.API_CLIENT) {
            Lookups.requireApiClient(db, org, principal.id(), kindField);
            return Principal.apiClient(principal.id());
        }
        if (principal.id() != null) {
            Lookups.requireUser(db, org, principal.id(), kindField);
            return Principal.user(principal.id());
        }
        UUID id = Lookups.userIdByEmail(db, org, principal.email());
        if (id == null) {
            throw DomainException.invalid(kindField, "no user with email " + principal.email().strip() + " in this organization");
        }
        return Principal.user(id);
    }

    private static String principalField(PrincipalReference principal, String field) {
        if (principal.type() == Principal.Type.API_CLIENT) {
            return field + ".api_client_id";
        }
        return field + (principal.id() != null ? ".user_id" : ".user_email");
    }

    private static Condition holds(Principal principal) {
        return principal.type() == Principal.Type.USER
                ? ASSIGNMENT.USER_ID.eq(principal.id())
                : ASSIGNMENT.API_CLIENT_ID.eq(principal.id());
    }

    private static UUID tokenId(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid("page_token", "is not a token this listing issued");
        }
    }

    static Assignment toAssignment(AssignmentRecord r) {
        Principal principal = r.getUserId() != null ? Principal.user(r.getUserId()) : Principal.apiClient(r.getApiClientId());
        return new Assignment(r.getAssignmentId(), principal, r.getRoleKey(), r.getStage(), r.getAppKey(),
                r.getCreateTime().toInstant());
    }
}
