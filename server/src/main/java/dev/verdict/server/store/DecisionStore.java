package dev.verdict.server.store;

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

import dev.verdict.server.domain.CatalogueSnapshot;
import dev.verdict.server.domain.CatalogueSnapshot.PermissionEntry;
import dev.verdict.server.domain.CatalogueSnapshot.RoleEntry;
import dev.verdict.server.domain.CatalogueSnapshot.RoleGrant;
import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.PermissionLevel;
import dev.verdict.server.domain.Principal;
import dev.verdict.server.domain.PrincipalGrants;
import dev.verdict.server.domain.PrincipalGrants.Grant;
import dev.verdict.server.domain.PrincipalGrants.GroupPath;
import dev.verdict.server.domain.PrincipalGrants.Standing;
import dev.verdict.server.domain.RoleKind;
import dev.verdict.server.domain.UserStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The reads of the decision plane, each in one snapshot: an organization's catalogue, one principal's raw
 * grants, a page of users' grants (and every API client's) for warming the cache in bulk, the users who may
 * hold a target, and user lookup by email. Nothing here decides; the engine does.
 */
public final class DecisionStore {
    private final Store store;

    public DecisionStore(Store store) {
        this.store = store;
    }

    /** The catalogue of {@code org}, or NOT_FOUND. */
    public CatalogueSnapshot catalogue(UUID org) {
        return store.read(db -> {
            var row = db.select(ORGANIZATION.STAGES, ORGANIZATION.REVISION).from(ORGANIZATION)
                    .where(ORGANIZATION.ORGANIZATION_ID.eq(org)).fetchOne();
            if (row == null) {
                throw DomainException.notFound("organization", org.toString());
            }
            Map<String, List<String>> implies = new HashMap<>();
            db.select(PERMISSION_IMPLICATION.PERMISSION_KEY, PERMISSION_IMPLICATION.IMPLIED_KEY)
                    .from(PERMISSION_IMPLICATION)
                    .where(PERMISSION_IMPLICATION.ORGANIZATION_ID.eq(org))
                    .orderBy(PERMISSION_IMPLICATION.PERMISSION_KEY, PERMISSION_IMPLICATION.IMPLIED_KEY)
                    .forEach(r -> implies.computeIfAbsent(r.value1(), k -> new ArrayList<>()).add(r.value2()));
            List<PermissionEntry> permissions = db.select(PERMISSION.PERMISSION_KEY, PERMISSION.LEVEL)
                    .from(PERMISSION)
                    .where(PERMISSION.ORGANIZATION_ID.eq(org))
                    .orderBy(PERMISSION.PERMISSION_KEY)
                    .fetch(r -> new PermissionEntry(r.value1(), PermissionLevel.valueOf(r.value2()),
                            List.copyOf(implies.getOrDefault(r.value1(), List.of()))));
            Map<String, List<RoleGrant>> grants = new HashMap<>();
            db.select(ROLE_PERMISSION.ROLE_KEY, ROLE_PERMISSION.PERMISSION_KEY, ROLE_PERMISSION.STAGES)
                    .from(ROLE_PERMISSION)
                    .where(ROLE_PERMISSION.ORGANIZATION_ID.eq(org))
                    .orderBy(ROLE_PERMISSION.ROLE_KEY, ROLE_PERMISSION.PERMISSION_KEY)
                    .forEach(r -> grants.computeIfAbsent(r.value1(), k -> new ArrayList<>())
                            .add(new RoleGrant(r.value2(), r.value3() == null ? null : List.of(r.value3()))));
            List<RoleEntry> roles = db.select(ROLE.ROLE_KEY, ROLE.KIND).from(ROLE)
                    .where(ROLE.ORGANIZATION_ID.eq(org))
                    .orderBy(ROLE.ROLE_KEY)
                    .fetch(r -> new RoleEntry(r.value1(), RoleKind.valueOf(r.value2()),
                            List.copyOf(grants.getOrDefault(r.value1(), List.of()))));
            List<String> apps = db.select(APP.APP_KEY).from(APP)
                    .where(APP.ORGANIZATION_ID.eq(org))
                    .orderBy(APP.APP_KEY)
                    .fetch(APP.APP_KEY);
            return new CatalogueSnapshot(org, row.value2(), List.of(row.value1()), permissions, roles, apps);
        });
    }

    /** The raw grants of {@code principal} (by id) in {@code org}, or NOT_FOUND for a missing organization. */
    public PrincipalGrants grants(UUID org, Principal principal) {
        return store.read(db -> {
            Long revision = revision(db, org);
            return principal.type() == Principal.Type.USER
                    ? userGrants(db, org, principal.id(), revision)
                    : apiClientGrants(db, org, principal.id(), revision);
        });
    }

    private static PrincipalGrants userGrants(DSLContext db, UUID org, UUID user, long revision) {
        String status = db.select(APP_USER.STATUS).from(APP_USER)
                .where(APP_USER.ORGANIZATION_ID.eq(org), APP_USER.USER_ID.eq(user))
                .fetchOne(APP_USER.STATUS);
        if (status == null) {
            return PrincipalGrants.notFound(revision);
        }
        List<Grant> grants = new ArrayList<>(assignments(db, org, ASSIGNMENT.USER_ID.eq(user)));
        Map<UUID, List<GroupPath>> paths = groupPaths(db, org, user);
        if (!paths.isEmpty()) {
            Map<UUID, String> stages = new HashMap<>();
            db.select(USER_GROUP.GROUP_ID, USER_GROUP.STAGE).from(USER_GROUP)
                    .where(USER_GROUP.ORGANIZATION_ID.eq(org), USER_GROUP.GROUP_ID.in(paths.keySet()))
                    .forEach(r -> stages.put(r.value1(), r.value2()));
            db.select(GROUP_ROLE_GRANT.GROUP_ID, GROUP_ROLE_GRANT.ROLE_KEY, GROUP_ROLE_GRANT.APP_KEY)
                    .from(GROUP_ROLE_GRANT)
                    .where(GROUP_ROLE_GRANT.ORGANIZATION_ID.eq(org), GROUP_ROLE_GRANT.GROUP_ID.in(paths.keySet()))
                    .orderBy(GROUP_ROLE_GRANT.GROUP_ID, GROUP_ROLE_GRANT.ROLE_KEY, GROUP_ROLE_GRANT.APP_KEY)
                    .forEach(r -> {
                        for (GroupPath path : paths.get(r.value1())) {
                            grants.add(new Grant(r.value2(), stages.get(r.value1()), r.value3(), null, path));
                        }
                    });
        }
        Standing standing = UserStatus.valueOf(status) == UserStatus.ACTIVE ? Standing.ACTIVE : Standing.INACTIVE;
        return new PrincipalGrants(revision, standing, List.copyOf(grants));
    }

    /**
     * Every way {@code user} is an effective member of a group: directly, or through an IdP mapping equal
     * (idp and external group, exactly) to one of the user's external group memberships.
     */
    private static Map<UUID, List<GroupPath>> groupPaths(DSLContext db, UUID org, UUID user) {
        Map<UUID, List<GroupPath>> paths = new LinkedHashMap<>();
        db.select(USER_GROUP.GROUP_ID, USER_GROUP.NAME)
                .from(GROUP_MEMBER)
                .join(USER_GROUP).on(USER_GROUP.ORGANIZATION_ID.eq(GROUP_MEMBER.ORGANIZATION_ID),
                        USER_GROUP.GROUP_ID.eq(GROUP_MEMBER.GROUP_ID))
                .where(GROUP_MEMBER.ORGANIZATION_ID.eq(org), GROUP_MEMBER.USER_ID.eq(user))
                .orderBy(USER_GROUP.GROUP_ID)
                .forEach(r -> paths.computeIfAbsent(r.value1(), k -> new ArrayList<>())
                        .add(new GroupPath(r.value1(), r.value2(), null, null)));
        db.select(USER_GROUP.GROUP_ID, USER_GROUP.NAME, GROUP_IDP_MAPPING.IDP, GROUP_IDP_MAPPING.EXTERNAL_GROUP)
                .from(EXTERNAL_GROUP_MEMBERSHIP)
                .join(GROUP_IDP_MAPPING).on(GROUP_IDP_MAPPING.ORGANIZATION_ID.eq(EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID),
                        GROUP_IDP_MAPPING.IDP.eq(EXTERNAL_GROUP_MEMBERSHIP.IDP),
                        GROUP_IDP_MAPPING.EXTERNAL_GROUP.eq(EXTERNAL_GROUP_MEMBERSHIP.EXTERNAL_GROUP))
                .join(USER_GROUP).on(USER_GROUP.ORGANIZATION_ID.eq(GROUP_IDP_MAPPING.ORGANIZATION_ID),
                        USER_GROUP.GROUP_ID.eq(GROUP_IDP_MAPPING.GROUP_ID))
                .where(EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID.eq(org), EXTERNAL_GROUP_MEMBERSHIP.USER_ID.eq(user))
                .orderBy(USER_GROUP.GROUP_ID, GROUP_IDP_MAPPING.IDP, GROUP_IDP_MAPPING.EXTERNAL_GROUP)
                .forEach(r -> paths.computeIfAbsent(r.value1(), k -> new ArrayList<>())
                        .add(new GroupPath(r.value1(), r.value2(), r.value3(), r.value4())));
        return paths;
    }

    private static PrincipalGrants apiClientGrants(DSLContext db, UUID org, UUID client, long revision) {
        Boolean enabled = db.select(API_CLIENT.ENABLED).from(API_CLIENT)
                .where(API_CLIENT.ORGANIZATION_ID.eq(org), API_CLIENT.API_CLIENT_ID.eq(client))
                .fetchOne(API_CLIENT.ENABLED);
        if (enabled == null) {
            return PrincipalGrants.notFound(revision);
        }
        return new PrincipalGrants(revision, enabled ? Standing.ACTIVE : Standing.INACTIVE,
                assignments(db, org, ASSIGNMENT.API_CLIENT_ID.eq(client)));
    }

    private static List<Grant> assignments(DSLContext db, UUID org, Condition holder) {
        return db.select(ASSIGNMENT.ASSIGNMENT_ID, ASSIGNMENT.ROLE_KEY, ASSIGNMENT.STAGE, ASSIGNMENT.APP_KEY)
                .from(ASSIGNMENT)
                .where(ASSIGNMENT.ORGANIZATION_ID.eq(org), holder)
                .orderBy(ASSIGNMENT.ASSIGNMENT_ID)
                .fetch(r -> new Grant(r.value2(), r.value3(), r.value4(), r.value1(), null));
    }

    /**
     * The grants of up to {@code limit} users of {@code org}, in user id order after {@code afterUser}
     * (exclusive; null for the first), for filling the closure cache in bulk: in one read transaction, as
     * {@link #grants}, with six set-based queries whatever the page size, each an index range over the page's
     * user ids. Each user's grants equal what {@link #grants} returns for it, in the same order (the orders
     * come from the same ORDER BY clauses, never from Java's UUID or String order). NOT_FOUND for a missing
     * organization.
     *
     * <p>The joins need table statistics to be planned well: right after a bulk load, until autovacuum has
     * analyzed the tables, a page can be 10 to 20 times slower.
     */
    public UserGrantsPage userGrantsPage(UUID org, UUID afterUser, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        return store.read(db -> {
            long revision = revision(db, org);
            Condition after = afterUser == null ? DSL.noCondition() : APP_USER.USER_ID.gt(afterUser);
            var users = db.select(APP_USER.USER_ID, APP_USER.STATUS, APP_USER.EMAIL_KEY).from(APP_USER)
                    .where(APP_USER.ORGANIZATION_ID.eq(org), after)
                    .orderBy(APP_USER.USER_ID).limit(limit).fetch();
            if (users.isEmpty()) {
                return new UserGrantsPage(revision, Collections.unmodifiableSequencedMap(new LinkedHashMap<>()), Map.of());
            }
            // The page's users are the organization's users in [first, last]: each query reads that range.
            UUID first = users.get(0).value1();
            UUID last = users.get(users.size() - 1).value1();
            Map<UUID, UserRows> rows = new HashMap<>();
            for (var user : users) {
                rows.put(user.value1(), new UserRows());
            }
            db.select(ASSIGNMENT.USER_ID, ASSIGNMENT.ASSIGNMENT_ID, ASSIGNMENT.ROLE_KEY, ASSIGNMENT.STAGE,
                            ASSIGNMENT.APP_KEY)
                    .from(ASSIGNMENT)
                    .where(ASSIGNMENT.ORGANIZATION_ID.eq(org), ASSIGNMENT.USER_ID.between(first, last))
                    .orderBy(ASSIGNMENT.USER_ID, ASSIGNMENT.ASSIGNMENT_ID)
                    .forEach(r -> at(rows, r.value1()).assignments
                            .add(new Grant(r.value3(), r.value4(), r.value5(), r.value2(), null)));
            // Group paths as groupPaths builds them: direct ones by group, then IdP ones by group, idp, group name.
            Map<UUID, String> stages = new HashMap<>();
            db.select(GROUP_MEMBER.USER_ID, USER_GROUP.GROUP_ID, USER_GROUP.NAME, USER_GROUP.STAGE)
                    .from(GROUP_MEMBER)
                    .join(USER_GROUP).on(USER_GROUP.ORGANIZATION_ID.eq(GROUP_MEMBER.ORGANIZATION_ID),
                            USER_GROUP.GROUP_ID.eq(GROUP_MEMBER.GROUP_ID))
                    .where(GROUP_MEMBER.ORGANIZATION_ID.eq(org), GROUP_MEMBER.USER_ID.between(first, last))
                    .orderBy(GROUP_MEMBER.USER_ID, USER_GROUP.GROUP_ID)
                    .forEach(r -> {
                        stages.put(r.value2(), r.value4());
                        at(rows, r.value1()).path(new GroupPath(r.value2(), r.value3(), null, null));
                    });
            db.select(EXTERNAL_GROUP_MEMBERSHIP.USER_ID, USER_GROUP.GROUP_ID, USER_GROUP.NAME, USER_GROUP.STAGE,
                            GROUP_IDP_MAPPING.IDP, GROUP_IDP_MAPPING.EXTERNAL_GROUP)
                    .from(EXTERNAL_GROUP_MEMBERSHIP)
                    .join(GROUP_IDP_MAPPING).on(
                            GROUP_IDP_MAPPING.ORGANIZATION_ID.eq(EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID),
                            GROUP_IDP_MAPPING.IDP.eq(EXTERNAL_GROUP_MEMBERSHIP.IDP),
                            GROUP_IDP_MAPPING.EXTERNAL_GROUP.eq(EXTERNAL_GROUP_MEMBERSHIP.EXTERNAL_GROUP))
                    .join(USER_GROUP).on(USER_GROUP.ORGANIZATION_ID.eq(GROUP_IDP_MAPPING.ORGANIZATION_ID),
                            USER_GROUP.GROUP_ID.eq(GROUP_IDP_MAPPING.GROUP_ID))
                    .where(EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID.eq(org),
                            EXTERNAL_GROUP_MEMBERSHIP.USER_ID.between(first, last))
                    .orderBy(EXTERNAL_GROUP_MEMBERSHIP.USER_ID, USER_GROUP.GROUP_ID, GROUP_IDP_MAPPING.IDP,
                            GROUP_IDP_MAPPING.EXTERNAL_GROUP)
                    .forEach(r -> {
                        stages.put(r.value2(), r.value4());
                        at(rows, r.value1()).path(new GroupPath(r.value2(), r.value3(), r.value5(), r.value6()));
                    });
            // The role grants of every group of the page, in the order userGrants reads them; a group's rank
            // there orders each user's groups as that read does.
            Map<UUID, List<GroupGrant>> groupGrants = new LinkedHashMap<>();
            if (!stages.isEmpty()) {
                db.select(GROUP_ROLE_GRANT.GROUP_ID, GROUP_ROLE_GRANT.ROLE_KEY, GROUP_ROLE_GRANT.APP_KEY)
                        .from(GROUP_ROLE_GRANT)
                        .where(GROUP_ROLE_GRANT.ORGANIZATION_ID.eq(org),
                                GROUP_ROLE_GRANT.GROUP_ID.eq(DSL.any(stages.keySet().toArray(UUID[]::new))))
                        .orderBy(GROUP_ROLE_GRANT.GROUP_ID, GROUP_ROLE_GRANT.ROLE_KEY, GROUP_ROLE_GRANT.APP_KEY)
                        .forEach(r -> groupGrants.computeIfAbsent(r.value1(), k -> new ArrayList<>())
                                .add(new GroupGrant(r.value2(), r.value3())));
            }
            Map<UUID, Integer> rank = new HashMap<>();
            for (UUID group : groupGrants.keySet()) {
                rank.put(group, rank.size());
            }
            LinkedHashMap<UUID, PrincipalGrants> grants = new LinkedHashMap<>();
            Map<UUID, String> emailKeys = new HashMap<>();
            for (var user : users) {
                UserRows of = rows.get(user.value1());
                List<Grant> all = new ArrayList<>(of.assignments);
                List<UUID> granting = new ArrayList<>();
                for (UUID group : of.paths.keySet()) {
                    if (rank.containsKey(group)) {
                        granting.add(group);
                    }
                }
                granting.sort(Comparator.comparing(rank::get));
                for (UUID group : granting) {
                    for (GroupGrant grant : groupGrants.get(group)) {
                        for (GroupPath path : of.paths.get(group)) {
                            all.add(new Grant(grant.roleKey(), stages.get(group), grant.appKey(), null, path));
                        }
                    }
                }
                Standing standing = UserStatus.valueOf(user.value2()) == UserStatus.ACTIVE
                        ? Standing.ACTIVE : Standing.INACTIVE;
                grants.put(user.value1(), new PrincipalGrants(revision, standing, List.copyOf(all)));
                emailKeys.put(user.value1(), user.value3());
            }
            return new UserGrantsPage(revision, Collections.unmodifiableSequencedMap(grants), Map.copyOf(emailKeys));
        });
    }

    /** The rows of one user of a page, gathered before its grants are assembled. */
    private static final class UserRows {
        final List<Grant> assignments = new ArrayList<>();
        final Map<UUID, List<GroupPath>> paths = new LinkedHashMap<>();

        void path(GroupPath path) {
            paths.computeIfAbsent(path.groupId(), k -> new ArrayList<>()).add(path);
        }
    }

    private record GroupGrant(String roleKey, String appKey) {}

    /**
     * The rows of a user of the page. A row of a user in the page's id range but not in the page (a user
     * created since the page was read: each statement sees the latest commits) has no place and is skipped.
     */
    private static UserRows at(Map<UUID, UserRows> rows, UUID user) {
        UserRows of = rows.get(user);
        return of != null ? of : new UserRows();
    }

    /**
     * A page of users' grants read at {@code revision}: by user id in id order, and each user's email key
     * (trimmed, lower-case, as {@link dev.verdict.server.domain.User#emailKey} makes it).
     */
    public record UserGrantsPage(
            long revision, SequencedMap<UUID, PrincipalGrants> grants, Map<UUID, String> emailKeys) {
        /** The last user id of the page, after which the next page starts; null when the page is empty. */
        public UUID lastUser() {
            return grants.isEmpty() ? null : grants.lastEntry().getKey();
        }
    }

    /**
     * The grants of every API client of {@code org}, by client id in id order, in one read transaction; each equals
     * what {@link #grants} returns for it. API clients are few: no pages. NOT_FOUND for a missing organization.
     */
    public SequencedMap<UUID, PrincipalGrants> apiClientGrants(UUID org) {
        return store.read(db -> {
            long revision = revision(db, org);
            Map<UUID, List<Grant>> assigned = new HashMap<>();
            db.select(ASSIGNMENT.API_CLIENT_ID, ASSIGNMENT.ASSIGNMENT_ID, ASSIGNMENT.ROLE_KEY, ASSIGNMENT.STAGE,
                            ASSIGNMENT.APP_KEY)
                    .from(ASSIGNMENT)
                    .where(ASSIGNMENT.ORGANIZATION_ID.eq(org), ASSIGNMENT.API_CLIENT_ID.isNotNull())
                    .orderBy(ASSIGNMENT.ASSIGNMENT_ID)
                    .forEach(r -> assigned.computeIfAbsent(r.value1(), k -> new ArrayList<>())
                            .add(new Grant(r.value3(), r.value4(), r.value5(), r.value2(), null)));
            LinkedHashMap<UUID, PrincipalGrants> grants = new LinkedHashMap<>();
            db.select(API_CLIENT.API_CLIENT_ID, API_CLIENT.ENABLED).from(API_CLIENT)
                    .where(API_CLIENT.ORGANIZATION_ID.eq(org))
                    .orderBy(API_CLIENT.API_CLIENT_ID)
                    .forEach(r -> grants.put(r.value1(), new PrincipalGrants(revision,
                            r.value2() ? Standing.ACTIVE : Standing.INACTIVE,
                            List.copyOf(assigned.getOrDefault(r.value1(), List.of())))));
            return Collections.unmodifiableSequencedMap(grants);
        });
    }

    /** The id of every organization, in id order. */
    public List<UUID> organizationIds() {
        return store.read(db -> db.select(ORGANIZATION.ORGANIZATION_ID).from(ORGANIZATION)
                .orderBy(ORGANIZATION.ORGANIZATION_ID).fetch(ORGANIZATION.ORGANIZATION_ID));
    }

    /** The user id for an email in {@code org}, or null. */
    public UUID userIdByEmail(UUID org, String email) {
        return store.read(db -> Lookups.userIdByEmail(db, org, email));
    }

    /** The current revision of {@code org}, or NOT_FOUND. */
    public long revision(UUID org) {
        return store.read(db -> revision(db, org));
    }

    private static long revision(DSLContext db, UUID org) {
        Long revision = db.select(ORGANIZATION.REVISION).from(ORGANIZATION)
                .where(ORGANIZATION.ORGANIZATION_ID.eq(org)).fetchOne(ORGANIZATION.REVISION);
        if (revision == null) {
            throw DomainException.notFound("organization", org.toString());
        }
        return revision;
    }

    /**
     * ACTIVE users, ordered by id and after {@code afterUser} (exclusive, null for the first), of whom some
     * grant covers ({@code stage}, {@code app}) with one of {@code roles}: an assignment whose stage and app
     * are unset or equal, or a group grant of an effective group whose stage and app are equal. Returns at
     * most {@code limit} ids and the revision read at.
     */
    public UsersWithRoles usersWithRoles(
            UUID org, Collection<String> roles, String stage, String app, UUID afterUser, int limit) {
        return store.read(db -> {
            long revision = revision(db, org);
            if (roles.isEmpty()) {
                return new UsersWithRoles(List.of(), revision);
            }
            Condition assignmentScope = (stage == null ? ASSIGNMENT.STAGE.isNull()
                    : ASSIGNMENT.STAGE.isNull().or(ASSIGNMENT.STAGE.eq(stage)))
                    .and(app == null ? ASSIGNMENT.APP_KEY.isNull()
                            : ASSIGNMENT.APP_KEY.isNull().or(ASSIGNMENT.APP_KEY.eq(app)));
            Condition byAssignment = DSL.exists(DSL.selectOne().from(ASSIGNMENT)
                    .where(ASSIGNMENT.ORGANIZATION_ID.eq(org), ASSIGNMENT.USER_ID.eq(APP_USER.USER_ID),
                            ASSIGNMENT.ROLE_KEY.in(roles), assignmentScope));
            Condition holder = byAssignment;
            if (stage != null && app != null) {
                // Group grants are always scoped to (group stage, app): they cover only requests naming both.
                var grantingGroups = DSL.select(USER_GROUP.GROUP_ID).from(USER_GROUP)
                        .join(GROUP_ROLE_GRANT).on(GROUP_ROLE_GRANT.ORGANIZATION_ID.eq(USER_GROUP.ORGANIZATION_ID),
                                GROUP_ROLE_GRANT.GROUP_ID.eq(USER_GROUP.GROUP_ID))
                        .where(USER_GROUP.ORGANIZATION_ID.eq(org), USER_GROUP.STAGE.eq(stage),
                                GROUP_ROLE_GRANT.APP_KEY.eq(app), GROUP_ROLE_GRANT.ROLE_KEY.in(roles));
                Condition direct = DSL.exists(DSL.selectOne().from(GROUP_MEMBER)
                        .where(GROUP_MEMBER.ORGANIZATION_ID.eq(org), GROUP_MEMBER.USER_ID.eq(APP_USER.USER_ID),
                                GROUP_MEMBER.GROUP_ID.in(grantingGroups)));
                Condition mapped = DSL.exists(DSL.selectOne().from(EXTERNAL_GROUP_MEMBERSHIP)
                        .join(GROUP_IDP_MAPPING).on(
                                GROUP_IDP_MAPPING.ORGANIZATION_ID.eq(EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID),
                                GROUP_IDP_MAPPING.IDP.eq(EXTERNAL_GROUP_MEMBERSHIP.IDP),
                                GROUP_IDP_MAPPING.EXTERNAL_GROUP.eq(EXTERNAL_GROUP_MEMBERSHIP.EXTERNAL_GROUP))
                        .where(EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID.eq(org),
                                EXTERNAL_GROUP_MEMBERSHIP.USER_ID.eq(APP_USER.USER_ID),
                                GROUP_IDP_MAPPING.GROUP_ID.in(grantingGroups)));
                holder = holder.or(direct).or(mapped);
            }
            var query = db.select(APP_USER.USER_ID).from(APP_USER)
                    .where(APP_USER.ORGANIZATION_ID.eq(org), APP_USER.STATUS.eq(UserStatus.ACTIVE.name()), holder);
            if (afterUser != null) {
                query = query.and(APP_USER.USER_ID.gt(afterUser));
            }
            return new UsersWithRoles(query.orderBy(APP_USER.USER_ID).limit(limit).fetch(APP_USER.USER_ID), revision);
        });
    }

    /** A page of user ids and the revision it was read at. */
    public record UsersWithRoles(List<UUID> userIds, long revision) {}
}
