package dev.verdict.server.store;

import static dev.verdict.server.store.schema.Tables.PERMISSION;
import static dev.verdict.server.store.schema.Tables.PERMISSION_IMPLICATION;
import static dev.verdict.server.store.schema.Tables.ROLE_PERMISSION;

import dev.verdict.server.domain.BuiltInCatalogue;
import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.Page;
import dev.verdict.server.domain.Permission;
import dev.verdict.server.domain.PermissionLevel;
import dev.verdict.server.domain.Written;
import dev.verdict.server.store.schema.tables.records.PermissionRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;

/**
 * The permission catalogue of an organization: built-in permissions (seeded by {@link OrganizationStore},
 * never changed here) and custom ones. Implication between permissions is kept acyclic: every write that
 * adds implications checks that none leads back to the permission it starts from.
 */
public final class PermissionStore {
    private static final String RESOURCE = "permission";

    private final Store store;

    public PermissionStore(Store store) {
        this.store = store;
    }

    /**
     * Creates a custom permission and grants it to {@code administrator} in every stage, since the
     * administrator holds every permission.
     */
    public Written<Permission> create(UUID org, Permission permission) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            if (tx.fetchExists(PERMISSION, PERMISSION.ORGANIZATION_ID.eq(org), PERMISSION.PERMISSION_KEY.eq(permission.key()))) {
                throw DomainException.alreadyExists(RESOURCE, permission.key());
            }
            tx.insertInto(PERMISSION)
                    .set(PERMISSION.ORGANIZATION_ID, org)
                    .set(PERMISSION.PERMISSION_KEY, permission.key())
                    .set(PERMISSION.DISPLAY_NAME, permission.displayName())
                    .set(PERMISSION.SECTION, permission.section())
                    .set(PERMISSION.LEVEL, permission.level().name())
                    .set(PERMISSION.DESCRIPTION, permission.description())
                    .set(PERMISSION.BUILT_IN, false)
                    .execute();
            replaceImplications(tx, org, permission.key(), permission.implies());
            tx.insertInto(ROLE_PERMISSION)
                    .set(ROLE_PERMISSION.ORGANIZATION_ID, org)
                    .set(ROLE_PERMISSION.ROLE_KEY, BuiltInCatalogue.ADMINISTRATOR)
                    .set(ROLE_PERMISSION.PERMISSION_KEY, permission.key())
                    .set(ROLE_PERMISSION.STAGES, (String[]) null)
                    .execute();
            w.change(RESOURCE, permission.key(), "created");
            return get(tx, org, permission.key()).orElseThrow();
        });
    }

    /** The permission {@code key} of the organization, if any. */
    public Optional<Permission> get(UUID org, String key) {
        return store.read(db -> get(db, org, key));
    }

    static Optional<Permission> get(DSLContext db, UUID org, String key) {
        return db.selectFrom(PERMISSION)
                .where(PERMISSION.ORGANIZATION_ID.eq(org), PERMISSION.PERMISSION_KEY.eq(key))
                .fetchOptional()
                .map(r -> toPermission(r, implications(db, org, List.of(key)).getOrDefault(key, List.of())));
    }

    /** Permissions ordered by key, of one section and/or level when those are not null. */
    public Page<Permission> list(UUID org, String section, PermissionLevel level, int pageSize, String pageToken) {
        List<String> after = PageToken.decode(pageToken, 1);
        return store.read(db -> {
            if (OrganizationStore.get(db, org).isEmpty()) {
                throw DomainException.notFound("organization", org.toString());
            }
            Condition where = PERMISSION.ORGANIZATION_ID.eq(org);
            if (section != null) {
                where = where.and(PERMISSION.SECTION.eq(section));
            }
            if (level != null) {
                where = where.and(PERMISSION.LEVEL.eq(level.name()));
            }
            if (after != null) {
                where = where.and(PERMISSION.PERMISSION_KEY.gt(after.getFirst()));
            }
            List<PermissionRecord> rows = db.selectFrom(PERMISSION)
                    .where(where)
                    .orderBy(PERMISSION.PERMISSION_KEY)
                    .limit(pageSize + 1)
                    .fetch();
            List<PermissionRecord> items = rows.size() > pageSize ? rows.subList(0, pageSize) : rows;
            Map<String, List<String>> implies =
                    implications(db, org, items.stream().map(PermissionRecord::getPermissionKey).toList());
            List<Permission> permissions = items.stream()
                    .map(r -> toPermission(r, implies.getOrDefault(r.getPermissionKey(), List.of())))
                    .toList();
            String next = rows.size() > pageSize ? PageToken.encode(permissions.getLast().key()) : "";
            return new Page<>(permissions, next);
        });
    }

    /**
     * Changes a custom permission; a null argument leaves that field as it is, and {@code implies} replaces
     * the whole set. Built-in permissions are refused.
     */
    public Written<Permission> update(
            UUID org, String key, String displayName, String section, String description, List<String> implies) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            requireCustom(tx, org, key);
            var update = tx.update(PERMISSION).set(PERMISSION.PERMISSION_KEY, key);
            if (displayName != null) {
                update = update.set(PERMISSION.DISPLAY_NAME, displayName);
            }
            if (section != null) {
                update = update.set(PERMISSION.SECTION, section);
            }
            if (description != null) {
                update = update.set(PERMISSION.DESCRIPTION, description);
            }
            update.where(PERMISSION.ORGANIZATION_ID.eq(org), PERMISSION.PERMISSION_KEY.eq(key)).execute();
            if (implies != null) {
                replaceImplications(tx, org, key, implies);
            }
            w.change(RESOURCE, key, "updated");
            return get(tx, org, key).orElseThrow();
        });
    }

    /**
     * Deletes a custom permission. While a role other than {@code administrator} grants it or another
     * permission implies it, this is refused unless {@code force}, which removes those grants and
     * implications too (the foreign keys cascade).
     */
    public Written<Void> delete(UUID org, String key, boolean force) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            requireCustom(tx, org, key);
            if (!force) {
                List<String> roles = tx.select(ROLE_PERMISSION.ROLE_KEY).from(ROLE_PERMISSION)
                        .where(ROLE_PERMISSION.ORGANIZATION_ID.eq(org), ROLE_PERMISSION.PERMISSION_KEY.eq(key),
                                ROLE_PERMISSION.ROLE_KEY.ne(BuiltInCatalogue.ADMINISTRATOR))
                        .orderBy(ROLE_PERMISSION.ROLE_KEY)
                        .fetch(ROLE_PERMISSION.ROLE_KEY);
                List<String> implying = tx.select(PERMISSION_IMPLICATION.PERMISSION_KEY).from(PERMISSION_IMPLICATION)
                        .where(PERMISSION_IMPLICATION.ORGANIZATION_ID.eq(org), PERMISSION_IMPLICATION.IMPLIED_KEY.eq(key))
                        .orderBy(PERMISSION_IMPLICATION.PERMISSION_KEY)
                        .fetch(PERMISSION_IMPLICATION.PERMISSION_KEY);
                if (!roles.isEmpty() || !implying.isEmpty()) {
                    throw DomainException.failedPrecondition("IN_USE", "permissions/" + key,
                            "permission " + key + " is granted by roles " + roles + " and implied by permissions "
                                    + implying + "; delete with force to remove it from them");
                }
            }
            tx.deleteFrom(PERMISSION)
                    .where(PERMISSION.ORGANIZATION_ID.eq(org), PERMISSION.PERMISSION_KEY.eq(key))
                    .execute();
            w.change(RESOURCE, key, "deleted");
            return null;
        });
    }

    /** Requires {@code key} to be a custom permission: NOT_FOUND when missing, BUILT_IN when built in. */
    private static void requireCustom(DSLContext tx, UUID org, String key) {
        Boolean builtIn = tx.select(PERMISSION.BUILT_IN).from(PERMISSION)
                .where(PERMISSION.ORGANIZATION_ID.eq(org), PERMISSION.PERMISSION_KEY.eq(key))
                .fetchOne(PERMISSION.BUILT_IN);
        if (builtIn == null) {
            throw DomainException.notFound(RESOURCE, key);
        }
        if (builtIn) {
            throw DomainException.failedPrecondition("BUILT_IN", "permissions/" + key,
                    "permission " + key + " is built in and cannot be changed or deleted");
        }
    }

    /**
     * Makes {@code implies} the direct implications of {@code key}: each must be a permission of the
     * organization ({@code permission.implies[i]}) and none may lead back to {@code key}
     * ({@code permission.implies}, naming the cycle).
     */
    private static void replaceImplications(DSLContext tx, UUID org, String key, List<String> implies) {
        for (int i = 0; i < implies.size(); i++) {
            Lookups.permissionLevel(tx, org, implies.get(i), "permission.implies[" + i + "]");
        }
        tx.deleteFrom(PERMISSION_IMPLICATION)
                .where(PERMISSION_IMPLICATION.ORGANIZATION_ID.eq(org), PERMISSION_IMPLICATION.PERMISSION_KEY.eq(key))
                .execute();
        Map<String, List<String>> graph = implicationGraph(tx, org);
        for (String implied : implies) {
            List<String> back = path(graph, implied, key);
            if (back != null) {
                List<String> cycle = new ArrayList<>();
                cycle.add(key);
                cycle.addAll(back);
                throw DomainException.invalid("permission.implies",
                        "would make an implication cycle: " + String.join(" → ", cycle));
            }
        }
        for (String implied : implies) {
            tx.insertInto(PERMISSION_IMPLICATION)
                    .set(PERMISSION_IMPLICATION.ORGANIZATION_ID, org)
                    .set(PERMISSION_IMPLICATION.PERMISSION_KEY, key)
                    .set(PERMISSION_IMPLICATION.IMPLIED_KEY, implied)
                    .execute();
        }
    }

    /** Every direct implication of the organization, by implying key. */
    private static Map<String, List<String>> implicationGraph(DSLContext tx, UUID org) {
        Map<String, List<String>> graph = new HashMap<>();
        tx.select(PERMISSION_IMPLICATION.PERMISSION_KEY, PERMISSION_IMPLICATION.IMPLIED_KEY)
                .from(PERMISSION_IMPLICATION)
                .where(PERMISSION_IMPLICATION.ORGANIZATION_ID.eq(org))
                .forEach(r -> graph.computeIfAbsent(r.value1(), k -> new ArrayList<>()).add(r.value2()));
        return graph;
    }

    /** The shortest implication path from {@code from} to {@code to} (both included), or null. */
    private static List<String> path(Map<String, List<String>> graph, String from, String to) {
        Map<String, String> cameFrom = new HashMap<>();
        cameFrom.put(from, null);
        ArrayDeque<String> queue = new ArrayDeque<>(List.of(from));
        while (!queue.isEmpty()) {
            String at = queue.removeFirst();
            if (at.equals(to)) {
                List<String> path = new ArrayList<>();
                for (String step = at; step != null; step = cameFrom.get(step)) {
                    path.addFirst(step);
                }
                return path;
            }
            for (String next : graph.getOrDefault(at, List.of())) {
                if (!cameFrom.containsKey(next)) {
                    cameFrom.put(next, at);
                    queue.addLast(next);
                }
            }
        }
        return null;
    }

    /** The direct implications of {@code keys}, each list ordered by key. */
    private static Map<String, List<String>> implications(DSLContext db, UUID org, Collection<String> keys) {
        Map<String, List<String>> implies = new HashMap<>();
        if (keys.isEmpty()) {
            return implies;
        }
        db.select(PERMISSION_IMPLICATION.PERMISSION_KEY, PERMISSION_IMPLICATION.IMPLIED_KEY)
                .from(PERMISSION_IMPLICATION)
                .where(PERMISSION_IMPLICATION.ORGANIZATION_ID.eq(org), PERMISSION_IMPLICATION.PERMISSION_KEY.in(keys))
                .orderBy(PERMISSION_IMPLICATION.PERMISSION_KEY, PERMISSION_IMPLICATION.IMPLIED_KEY)
                .forEach(r -> implies.computeIfAbsent(r.value1(), k -> new ArrayList<>()).add(r.value2()));
        return implies;
    }

    private static Permission toPermission(PermissionRecord r, List<String> implies) {
        return new Permission(r.getPermissionKey(), r.getDisplayName(), r.getSection(),
                PermissionLevel.valueOf(r.getLevel()), List.copyOf(implies), r.getDescription(), r.getBuiltIn());
    }
}
