package dev.verdict.server.decision;

import static dev.verdict.server.store.schema.Tables.API_CLIENT;
import static dev.verdict.server.store.schema.Tables.APP;
import static dev.verdict.server.store.schema.Tables.APP_USER;
import static dev.verdict.server.store.schema.Tables.ASSIGNMENT;
import static dev.verdict.server.store.schema.Tables.EXTERNAL_GROUP_MEMBERSHIP;
import static dev.verdict.server.store.schema.Tables.GROUP_IDP_MAPPING;
import static dev.verdict.server.store.schema.Tables.GROUP_MEMBER;
import static dev.verdict.server.store.schema.Tables.GROUP_ROLE_GRANT;
import static dev.verdict.server.store.schema.Tables.ORGANIZATION;
import static dev.verdict.server.store.schema.Tables.PERMISSION;
import static dev.verdict.server.store.schema.Tables.PERMISSION_IMPLICATION;
import static dev.verdict.server.store.schema.Tables.ROLE;
import static dev.verdict.server.store.schema.Tables.ROLE_PERMISSION;
import static dev.verdict.server.store.schema.Tables.USER_GROUP;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * A deliberately naive evaluator of the decision rule of DESIGN §2, written from the rule and nothing else:
 * it copies an organization's tables into plain collections and answers each question by walking them, with
 * no interning, no closures kept between questions and no cache. The differential test holds the engine to it.
 *
 * <p>Order of outcomes: a malformed question (unknown target key, wrong shape, unknown stage) is an invalid
 * argument; then an unknown app, an unknown principal, an inactive one; then the grants decide.
 */
final class ReferenceEvaluator {

    /** What the rule says about one question. */
    record Outcome(String decision, String reasonOrField) {
        static Outcome allowed() {
            return new Outcome("ALLOWED", "");
        }

        static Outcome denied(String reason) {
            return new Outcome("DENIED", reason);
        }

        static Outcome invalid(String field) {
            return new Outcome("INVALID_ARGUMENT", field);
        }
    }

    /** One question. Exactly one of the principal fields and one of the target fields is set. */
    record Question(String userId, String userEmail, String apiClientId, String permissionKey, String roleKey,
                    String stage, String appKey) {}

    record Grant(String role, String stage, String app) {}

    record RolePermission(String permission, Set<String> stages) {}

    /** A plain copy of one organization's tables. */
    record Snapshot(
            List<String> stages,
            Map<String, String> permissionLevels,
            Map<String, Set<String>> implies,
            Map<String, String> roleKinds,
            Map<String, List<RolePermission>> rolePermissions,
            Set<String> apps,
            Map<UUID, String> userStatus,
            Map<String, UUID> userByEmail,
            Map<UUID, Boolean> apiClientEnabled,
            Map<UUID, List<Grant>> directGrants,
            Map<UUID, String> groupStage,
            Map<UUID, Set<UUID>> groupMembers,
            Map<UUID, List<String[]>> groupRoleGrants,
            Map<UUID, Set<List<String>>> groupMappings,
            Map<UUID, Set<List<String>>> externalGroups) {}

    private ReferenceEvaluator() {}

    static Snapshot snapshot(DSLContext db, UUID org) {
        return db.transactionResult(c -> {
            DSLContext tx = c.dsl();
            List<String> stages = List.of(tx.select(ORGANIZATION.STAGES).from(ORGANIZATION)
                    .where(ORGANIZATION.ORGANIZATION_ID.eq(org)).fetchOne(ORGANIZATION.STAGES));
            Map<String, String> levels = new HashMap<>();
            tx.selectFrom(PERMISSION).where(PERMISSION.ORGANIZATION_ID.eq(org))
                    .forEach(r -> levels.put(r.getPermissionKey(), r.getLevel()));
            Map<String, Set<String>> implies = new HashMap<>();
            tx.selectFrom(PERMISSION_IMPLICATION).where(PERMISSION_IMPLICATION.ORGANIZATION_ID.eq(org))
                    .forEach(r -> implies.computeIfAbsent(r.getPermissionKey(), k -> new HashSet<>()).add(r.getImpliedKey()));
            Map<String, String> kinds = new HashMap<>();
            tx.selectFrom(ROLE).where(ROLE.ORGANIZATION_ID.eq(org)).forEach(r -> kinds.put(r.getRoleKey(), r.getKind()));
            Map<String, List<RolePermission>> rolePermissions = new HashMap<>();
            tx.selectFrom(ROLE_PERMISSION).where(ROLE_PERMISSION.ORGANIZATION_ID.eq(org)).forEach(r ->
                    rolePermissions.computeIfAbsent(r.getRoleKey(), k -> new ArrayList<>()).add(new RolePermission(
                            r.getPermissionKey(), r.getStages() == null ? null : Set.of(r.getStages()))));
            Set<String> apps = new HashSet<>(tx.select(APP.APP_KEY).from(APP).where(APP.ORGANIZATION_ID.eq(org))
                    .fetch(APP.APP_KEY));
            Map<UUID, String> status = new HashMap<>();
            Map<String, UUID> byEmail = new HashMap<>();
            tx.selectFrom(APP_USER).where(APP_USER.ORGANIZATION_ID.eq(org)).forEach(r -> {
                status.put(r.getUserId(), r.getStatus());
                byEmail.put(r.getEmail().strip().toLowerCase(Locale.ROOT), r.getUserId());
            });
            Map<UUID, Boolean> clients = new HashMap<>();
            tx.selectFrom(API_CLIENT).where(API_CLIENT.ORGANIZATION_ID.eq(org))
                    .forEach(r -> clients.put(r.getApiClientId(), r.getEnabled()));
            Map<UUID, List<Grant>> direct = new HashMap<>();
            tx.selectFrom(ASSIGNMENT).where(ASSIGNMENT.ORGANIZATION_ID.eq(org)).forEach(r -> {
                UUID principal = r.getUserId() != null ? r.getUserId() : r.getApiClientId();
                direct.computeIfAbsent(principal, k -> new ArrayList<>())
                        .add(new Grant(r.getRoleKey(), r.getStage(), r.getAppKey()));
            });
            Map<UUID, String> groupStage = new HashMap<>();
            tx.selectFrom(USER_GROUP).where(USER_GROUP.ORGANIZATION_ID.eq(org))
                    .forEach(r -> groupStage.put(r.getGroupId(), r.getStage()));
            Map<UUID, Set<UUID>> members = new HashMap<>();
            tx.selectFrom(GROUP_MEMBER).where(GROUP_MEMBER.ORGANIZATION_ID.eq(org))
                    .forEach(r -> members.computeIfAbsent(r.getGroupId(), k -> new HashSet<>()).add(r.getUserId()));
            Map<UUID, List<String[]>> groupGrants = new HashMap<>();
            tx.selectFrom(GROUP_ROLE_GRANT).where(GROUP_ROLE_GRANT.ORGANIZATION_ID.eq(org)).forEach(r ->
                    groupGrants.computeIfAbsent(r.getGroupId(), k -> new ArrayList<>())
                            .add(new String[] {r.getRoleKey(), r.getAppKey()}));
            Map<UUID, Set<List<String>>> mappings = new HashMap<>();
            tx.selectFrom(GROUP_IDP_MAPPING).where(GROUP_IDP_MAPPING.ORGANIZATION_ID.eq(org)).forEach(r ->
                    mappings.computeIfAbsent(r.getGroupId(), k -> new HashSet<>())
                            .add(List.of(r.getIdp(), r.getExternalGroup())));
            Map<UUID, Set<List<String>>> external = new HashMap<>();
            tx.selectFrom(EXTERNAL_GROUP_MEMBERSHIP).where(EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID.eq(org)).forEach(r ->
                    external.computeIfAbsent(r.getUserId(), k -> new HashSet<>())
                            .add(List.of(r.getIdp(), r.getExternalGroup())));
            return new Snapshot(stages, levels, implies, kinds, rolePermissions, apps, status, byEmail, clients,
                    direct, groupStage, members, groupGrants, mappings, external);
        });
    }

    static Outcome check(Snapshot s, Question q) {
        boolean hasStage = q.stage() != null && !q.stage().isEmpty();
        boolean hasApp = q.appKey() != null && !q.appKey().isEmpty();
        // The shape of the question, fixed by the target.
        if (q.permissionKey() != null) {
            String level = s.permissionLevels().get(q.permissionKey());
            if (level == null) {
                return Outcome.invalid("query.target.permission_key");
            }
            boolean wantsStage = !level.equals("ORGANIZATION");
            boolean wantsApp = level.equals("APP");
            if (wantsStage != hasStage) {
                return Outcome.invalid("query.stage");
            }
            if (wantsApp != hasApp) {
                return Outcome.invalid("query.app_key");
            }
        } else {
            String kind = s.roleKinds().get(q.roleKey());
            if (kind == null) {
                return Outcome.invalid("query.target.role_key");
            }
            if (kind.equals("END_USER") && !hasStage) {
                return Outcome.invalid("query.stage");
            }
            if (kind.equals("END_USER") && !hasApp) {
                return Outcome.invalid("query.app_key");
            }
        }
        if (hasStage && !s.stages().contains(q.stage())) {
            return Outcome.invalid("query.stage");
        }
        if (hasApp && !s.apps().contains(q.appKey())) {
            return Outcome.denied("APP_NOT_FOUND");
        }
        // Rule 1: an existing, active principal.
        UUID principal;
        boolean active;
        if (q.apiClientId() != null) {
            principal = UUID.fromString(q.apiClientId());
            Boolean enabled = s.apiClientEnabled().get(principal);
            if (enabled == null) {
                return Outcome.denied("PRINCIPAL_NOT_FOUND");
            }
            active = enabled;
        } else {
            principal = q.userId() != null
                    ? UUID.fromString(q.userId())
                    : s.userByEmail().get(q.userEmail().strip().toLowerCase(Locale.ROOT));
            String status = principal == null ? null : s.userStatus().get(principal);
            if (status == null) {
                return Outcome.denied("PRINCIPAL_NOT_FOUND");
            }
            active = status.equals("ACTIVE");
        }
        if (!active) {
            return Outcome.denied("PRINCIPAL_INACTIVE");
        }
        // Rules 2 and 3 over every grant of the principal.
        for (Grant g : grants(s, principal, q.apiClientId() != null)) {
            boolean covered = (g.stage() == null || (hasStage && g.stage().equals(q.stage())))
                    && (g.app() == null || (hasApp && g.app().equals(q.appKey())));
            if (!covered) {
                continue;
            }
            if (q.roleKey() != null) {
                if (g.role().equals(q.roleKey())) {
                    return Outcome.allowed();
                }
                continue;
            }
            for (RolePermission rp : s.rolePermissions().getOrDefault(g.role(), List.of())) {
                boolean inStage = rp.stages() == null || (hasStage && rp.stages().contains(q.stage()));
                if (inStage && impliedBy(s, rp.permission()).contains(q.permissionKey())) {
                    return Outcome.allowed();
                }
            }
        }
        return Outcome.denied("NO_GRANT");
    }

    // ---- reverse queries, each defined through check(): exactly the keys, apps or users it would allow ----

    /** What ListUserPermissions should answer: the keys checks would allow at (stage, app), sorted. */
    record Holdings(List<String> permissionKeys, List<String> roleKeys) {}

    /**
     * Whether the question's principal (by id, email or API client id) exists in the organization, deleted
     * principals and emails no longer anyone's included.
     */
    static boolean principalExists(Snapshot s, Question q) {
        if (q.apiClientId() != null) {
            return s.apiClientEnabled().containsKey(UUID.fromString(q.apiClientId()));
        }
        UUID user = q.userId() != null
                ? UUID.fromString(q.userId())
                : s.userByEmail().get(q.userEmail().strip().toLowerCase(Locale.ROOT));
        return user != null && s.userStatus().containsKey(user);
    }

    /**
     * The permissions and roles that {@code principal} would be ALLOWED at ({@code stage}, {@code app}) by
     * {@link #check}, each sorted; null when the principal does not exist. Only the principal fields of
     * {@code principal} are read.
     */
    static Holdings holdings(Snapshot s, Question principal, String stage, String app) {
        if (!principalExists(s, principal)) {
            return null;
        }
        List<String> permissions = new ArrayList<>();
        for (String key : new TreeSet<>(s.permissionLevels().keySet())) {
            if (allowed(s, principal, key, null, stage, app)) {
                permissions.add(key);
            }
        }
        List<String> roles = new ArrayList<>();
        for (String key : new TreeSet<>(s.roleKinds().keySet())) {
            if (allowed(s, principal, null, key, stage, app)) {
                roles.add(key);
            }
        }
        return new Holdings(permissions, roles);
    }

    /**
     * The apps, sorted, where {@link #check} would allow the question's target at {@code stage}; null when
     * the principal does not exist. The question's stage and app are ignored.
     */
    static List<String> accessibleApps(Snapshot s, Question q, String stage) {
        if (!principalExists(s, q)) {
            return null;
        }
        List<String> apps = new ArrayList<>();
        for (String app : new TreeSet<>(s.apps())) {
            if (allowed(s, q, q.permissionKey(), q.roleKey(), stage, app)) {
                apps.add(app);
            }
        }
        return apps;
    }

    /**
     * The ids, in the order of their text, of ACTIVE users whom {@link #check} would allow the question's
     * target at its stage and app. The question's principal is ignored.
     */
    static List<String> usersWithAccess(Snapshot s, Question q) {
        List<String> users = new ArrayList<>();
        for (Map.Entry<UUID, String> user : s.userStatus().entrySet()) {
            Question asked = new Question(user.getKey().toString(), null, null, q.permissionKey(), q.roleKey(),
                    q.stage(), q.appKey());
            if (user.getValue().equals("ACTIVE") && check(s, asked).equals(Outcome.allowed())) {
                users.add(user.getKey().toString());
            }
        }
        users.sort(null);
        return users;
    }

    private static boolean allowed(Snapshot s, Question principal, String permission, String role, String stage,
            String app) {
        Question asked = new Question(principal.userId(), principal.userEmail(), principal.apiClientId(),
                permission, role, stage, app);
        return check(s, asked).equals(Outcome.allowed());
    }

    /** Direct assignments, plus for users the grants of every group they are an effective member of. */
    private static List<Grant> grants(Snapshot s, UUID principal, boolean apiClient) {
        List<Grant> grants = new ArrayList<>(s.directGrants().getOrDefault(principal, List.of()));
        if (apiClient) {
            return grants;
        }
        Set<List<String>> external = s.externalGroups().getOrDefault(principal, Set.of());
        for (Map.Entry<UUID, String> group : s.groupStage().entrySet()) {
            UUID id = group.getKey();
            boolean direct = s.groupMembers().getOrDefault(id, Set.of()).contains(principal);
            boolean mapped = s.groupMappings().getOrDefault(id, Set.of()).stream().anyMatch(external::contains);
            if (direct || mapped) {
                for (String[] grant : s.groupRoleGrants().getOrDefault(id, List.of())) {
                    grants.add(new Grant(grant[0], group.getValue(), grant[1]));
                }
            }
        }
        return grants;
    }

    /** The reflexive-transitive implication closure of a permission, by a plain walk. */
    private static Set<String> impliedBy(Snapshot s, String permission) {
        Set<String> seen = new HashSet<>(Arrays.asList(permission));
        Deque<String> todo = new ArrayDeque<>(seen);
        while (!todo.isEmpty()) {
            for (String next : s.implies().getOrDefault(todo.pop(), Set.of())) {
                if (seen.add(next)) {
                    todo.push(next);
                }
            }
        }
        return seen;
    }
}
