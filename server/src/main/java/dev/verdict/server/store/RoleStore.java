package dev.verdict.server.store;

import static dev.verdict.server.store.schema.Tables.ASSIGNMENT;
import static dev.verdict.server.store.schema.Tables.GROUP_ROLE_GRANT;
import static dev.verdict.server.store.schema.Tables.ROLE;
import static dev.verdict.server.store.schema.Tables.ROLE_PERMISSION;

import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.Page;
import dev.verdict.server.domain.PermissionGrant;
import dev.verdict.server.domain.PermissionLevel;
import dev.verdict.server.domain.Role;
import dev.verdict.server.domain.RoleKind;
import dev.verdict.server.domain.Written;
import dev.verdict.server.store.schema.tables.records.RoleRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Roles of an organization and their permission grants (ROLE_PERMISSION, null stages meaning every stage).
 * The built-in roles are seeded by {@link OrganizationStore} and never changed here.
 */
public final class RoleStore {
    private static final String RESOURCE = "role";

    private final Store store;

    public RoleStore(Store store) {
        this.store = store;
    }

    /** Creates a custom role with its grants, each checked against the catalogue and the stages. */
    public Written<Role> create(UUID org, Role role) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            if (tx.fetchExists(ROLE, ROLE.ORGANIZATION_ID.eq(org), ROLE.ROLE_KEY.eq(role.key()))) {
                throw DomainException.alreadyExists(RESOURCE, role.key());
            }
            checkGrants(tx, org, role.kind(), role.grants());
            tx.insertInto(ROLE)
                    .set(ROLE.ORGANIZATION_ID, org)
                    .set(ROLE.ROLE_KEY, role.key())
                    .set(ROLE.DISPLAY_NAME, role.displayName())
                    .set(ROLE.DESCRIPTION, role.description())
                    .set(ROLE.KIND, role.kind().name())
                    .set(ROLE.BUILT_IN, false)
                    .execute();
            insertGrants(tx, org, role.key(), role.grants());
            w.change(RESOURCE, role.key(), "created");
            return get(tx, org, role.key()).orElseThrow();
        });
    }

    /** The role {@code key} of the organization, if any. */
    public Optional<Role> get(UUID org, String key) {
        return store.read(db -> get(db, org, key));
    }

    static Optional<Role> get(DSLContext db, UUID org, String key) {
        return db.selectFrom(ROLE)
                .where(ROLE.ORGANIZATION_ID.eq(org), ROLE.ROLE_KEY.eq(key))
                .fetchOptional()
                .map(r -> toRole(r, grants(db, org, List.of(key)).getOrDefault(key, List.of())));
    }

    /** Roles ordered by key, of one kind when {@code kind} is not null. */
    public Page<Role> list(UUID org, RoleKind kind, int pageSize, String pageToken) {
        List<String> after = PageToken.decode(pageToken, 1);
        return store.read(db -> {
            if (OrganizationStore.get(db, org).isEmpty()) {
                throw DomainException.notFound("organization", org.toString());
            }
            Condition where = ROLE.ORGANIZATION_ID.eq(org);
            if (kind != null) {
                where = where.and(ROLE.KIND.eq(kind.name()));
            }
            if (after != null) {
                where = where.and(ROLE.ROLE_KEY.gt(after.getFirst()));
            }
            List<RoleRecord> rows = db.selectFrom(ROLE).where(where).orderBy(ROLE.ROLE_KEY).limit(pageSize + 1).fetch();
            List<RoleRecord> items = rows.size() > pageSize ? rows.subList(0, pageSize) : rows;
            Map<String, List<PermissionGrant>> grants =
                    grants(db, org, items.stream().map(RoleRecord::getRoleKey).toList());
            List<Role> roles = items.stream()
                    .map(r -> toRole(r, grants.getOrDefault(r.getRoleKey(), List.of())))
                    .toList();
            String next = rows.size() > pageSize ? PageToken.encode(roles.getLast().key()) : "";
            return new Page<>(roles, next);
        });
    }

    /**
     * Changes a custom role; a null argument leaves that field as it is, and {@code grants} replaces the
     * whole set. Built-in roles are refused.
     */
    public Written<Role> update(UUID org, String key, String displayName, String description, List<PermissionGrant> grants) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            RoleKind kind = requireCustom(tx, org, key);
            var update = tx.update(ROLE).set(ROLE.ROLE_KEY, key);
            if (displayName != null) {
                update = update.set(ROLE.DISPLAY_NAME, displayName);
            }
            if (description != null) {
                update = update.set(ROLE.DESCRIPTION, description);
            }
            update.where(ROLE.ORGANIZATION_ID.eq(org), ROLE.ROLE_KEY.eq(key)).execute();
            if (grants != null) {
                checkGrants(tx, org, kind, grants);
                tx.deleteFrom(ROLE_PERMISSION)
                        .where(ROLE_PERMISSION.ORGANIZATION_ID.eq(org), ROLE_PERMISSION.ROLE_KEY.eq(key))
                        .execute();
                insertGrants(tx, org, key, grants);
            }
            w.change(RESOURCE, key, "updated");
            return get(tx, org, key).orElseThrow();
        });
    }

    /**
     * Deletes a custom role. While it is assigned or granted to a group this is refused unless
     * {@code force}, which revokes those too (the foreign keys cascade).
     */
    public Written<Void> delete(UUID org, String key, boolean force) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            requireCustom(tx, org, key);
            List<UUID> assignees = tx.selectDistinct(DSL.coalesce(ASSIGNMENT.USER_ID, ASSIGNMENT.API_CLIENT_ID))
                    .from(ASSIGNMENT)
                    .where(ASSIGNMENT.ORGANIZATION_ID.eq(org), ASSIGNMENT.ROLE_KEY.eq(key))
                    .fetch(DSL.coalesce(ASSIGNMENT.USER_ID, ASSIGNMENT.API_CLIENT_ID));
            int groupGrants = tx.fetchCount(GROUP_ROLE_GRANT,
                    GROUP_ROLE_GRANT.ORGANIZATION_ID.eq(org).and(GROUP_ROLE_GRANT.ROLE_KEY.eq(key)));
            if (!force && (!assignees.isEmpty() || groupGrants > 0)) {
                throw DomainException.failedPrecondition("IN_USE", "roles/" + key,
                        "role " + key + " is assigned to " + assignees.size() + " principals and granted to "
                                + groupGrants + " groups; delete with force to revoke them");
            }
            tx.deleteFrom(ROLE).where(ROLE.ORGANIZATION_ID.eq(org), ROLE.ROLE_KEY.eq(key)).execute();
            w.change(RESOURCE, key, "deleted").affects(assignees);
            return null;
        });
    }

    /** The kind of custom role {@code key}: NOT_FOUND when missing, BUILT_IN when built in. */
    private static RoleKind requireCustom(DSLContext tx, UUID org, String key) {
        RoleRecord role = tx.selectFrom(ROLE).where(ROLE.ORGANIZATION_ID.eq(org), ROLE.ROLE_KEY.eq(key)).fetchOne();
        if (role == null) {
            throw DomainException.notFound(RESOURCE, key);
        }
        if (role.getBuiltIn()) {
            throw DomainException.failedPrecondition("BUILT_IN", "roles/" + key,
                    "role " + key + " is built in and cannot be changed or deleted");
        }
        return RoleKind.valueOf(role.getKind());
    }

    /**
     * Checks grants: each names a distinct permission of the organization, an end-user role holds only
     * app-level permissions, stages are the organization's, and an organization-level permission is granted
     * in every stage.
     */
    private static void checkGrants(DSLContext tx, UUID org, RoleKind kind, List<PermissionGrant> grants) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < grants.size(); i++) {
            PermissionGrant grant = grants.get(i);
            String field = "role.grants[" + i + "]";
            if (!seen.add(grant.permissionKey())) {
                throw DomainException.invalid(field + ".permission_key",
                        "repeats permission " + grant.permissionKey() + "; list each permission once");
            }
            PermissionLevel level = Lookups.permissionLevel(tx, org, grant.permissionKey(), field + ".permission_key");
            if (kind == RoleKind.END_USER && level != PermissionLevel.APP) {
                throw DomainException.invalid(field + ".permission_key", "an end-user role may hold only app-level "
                        + "permissions; " + grant.permissionKey() + " is " + level + "-level");
            }
            for (int j = 0; j < grant.stages().size(); j++) {
                Lookups.requireStage(tx, org, grant.stages().get(j), field + ".stages[" + j + "]");
            }
            if (level == PermissionLevel.ORGANIZATION && !grant.allStages()) {
                throw DomainException.invalid(field + ".stages", "organization-level permission "
                        + grant.permissionKey() + " applies in every stage; leave stages empty");
            }
        }
    }

    private static void insertGrants(DSLContext tx, UUID org, String role, List<PermissionGrant> grants) {
        for (PermissionGrant grant : grants) {
            tx.insertInto(ROLE_PERMISSION)
                    .set(ROLE_PERMISSION.ORGANIZATION_ID, org)
                    .set(ROLE_PERMISSION.ROLE_KEY, role)
                    .set(ROLE_PERMISSION.PERMISSION_KEY, grant.permissionKey())
                    .set(ROLE_PERMISSION.STAGES, grant.allStages() ? null : grant.stages().toArray(String[]::new))
                    .execute();
        }
    }

    /** The grants of {@code roles}, each list ordered by permission key. */
    private static Map<String, List<PermissionGrant>> grants(DSLContext db, UUID org, Collection<String> roles) {
        Map<String, List<PermissionGrant>> grants = new HashMap<>();
        if (roles.isEmpty()) {
            return grants;
        }
        db.select(ROLE_PERMISSION.ROLE_KEY, ROLE_PERMISSION.PERMISSION_KEY, ROLE_PERMISSION.STAGES)
                .from(ROLE_PERMISSION)
                .where(ROLE_PERMISSION.ORGANIZATION_ID.eq(org), ROLE_PERMISSION.ROLE_KEY.in(roles))
                .orderBy(ROLE_PERMISSION.ROLE_KEY, ROLE_PERMISSION.PERMISSION_KEY)
                .forEach(r -> grants.computeIfAbsent(r.value1(), k -> new ArrayList<>()).add(new PermissionGrant(
                        r.value2(), r.value3() == null ? List.of() : List.of(r.value3()))));
        return grants;
    }

    private static Role toRole(RoleRecord r, List<PermissionGrant> grants) {
        return new Role(r.getRoleKey(), r.getDisplayName(), r.getDescription(), RoleKind.valueOf(r.getKind()),
                List.copyOf(grants), r.getBuiltIn());
    }
}
