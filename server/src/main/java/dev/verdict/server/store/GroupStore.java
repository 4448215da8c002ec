package dev.verdict.server.store;

import static dev.verdict.server.store.schema.Tables.APP_USER;
import static dev.verdict.server.store.schema.Tables.EXTERNAL_GROUP_MEMBERSHIP;
import static dev.verdict.server.store.schema.Tables.GROUP_IDP_MAPPING;
import static dev.verdict.server.store.schema.Tables.GROUP_MEMBER;
import static dev.verdict.server.store.schema.Tables.GROUP_ROLE_GRANT;
import static dev.verdict.server.store.schema.Tables.USER_GROUP;

import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.Group;
import dev.verdict.server.domain.GroupMember;
import dev.verdict.server.domain.GroupMembership;
import dev.verdict.server.domain.GroupRoleGrant;
import dev.verdict.server.domain.IdpMapping;
import dev.verdict.server.domain.NewGroup;
import dev.verdict.server.domain.Page;
import dev.verdict.server.domain.RoleKind;
import dev.verdict.server.domain.Written;
import dev.verdict.server.store.schema.tables.records.UserGroupRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * End-user groups: a stage fixed at creation, end-user role grants per app, direct members, and IdP mappings
 * through which users whose external groups match (exactly, case included) are members too. Every write
 * names as affected the group's effective members whose grants it changes.
 */
public final class GroupStore {
    private static final String ONLY_END_USER_ROLES = "only end-user roles can be granted to a group";
    private static final Field<String> SORT_NAME = USER_GROUP.NAME.lower().as("sort_name");

    private final Store store;

    public GroupStore(Store store) {
        this.store = store;
    }

    /** Creates a group with its initial role grants, IdP mappings and direct members. */
    public Written<Group> create(UUID org, NewGroup group) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            Lookups.requireStage(tx, org, group.stage(), "stage");
            List<GroupRoleGrant> grants = group.roleGrants();
            Set<GroupRoleGrant> seenGrants = new HashSet<>();
            for (int i = 0; i < grants.size(); i++) {
                requireGrantable(tx, org, grants.get(i), "role_grants[" + i + "]");
                if (!seenGrants.add(grants.get(i))) {
                    throw DomainException.invalid("role_grants[" + i + "]", "repeats an earlier grant");
                }
            }
            List<IdpMapping> mappings = group.idpMappings();
            Set<IdpMapping> seenMappings = new HashSet<>();
            for (int i = 0; i < mappings.size(); i++) {
                if (!seenMappings.add(mappings.get(i))) {
                    throw DomainException.invalid("idp_mappings[" + i + "]", "repeats an earlier mapping");
                }
            }
            List<UUID> users = group.userIds();
            for (int i = 0; i < users.size(); i++) {
                Lookups.requireUser(tx, org, users.get(i), "user_ids[" + i + "]");
            }
            requireUniqueName(tx, org, group.name(), null);

            UUID id = UUID.randomUUID();
            tx.insertInto(USER_GROUP)
                    .set(USER_GROUP.ORGANIZATION_ID, org)
                    .set(USER_GROUP.GROUP_ID, id)
                    .set(USER_GROUP.NAME, group.name())
                    .set(USER_GROUP.DESCRIPTION, group.description())
                    .set(USER_GROUP.STAGE, group.stage())
                    .execute();
            for (GroupRoleGrant grant : grants) {
                insertGrant(tx, org, id, grant);
            }
            for (IdpMapping mapping : mappings) {
                insertMapping(tx, org, id, mapping);
            }
            insertMembers(tx, org, id, users);
            w.change("group", id, "created").affects(effectiveMembers(tx, org, id));
            return load(tx, org, id).orElseThrow();
        });
    }

    /** The group, if the organization has it. */
    public Optional<Group> get(UUID org, UUID id) {
        return store.read(db -> load(db, org, id));
    }

    /** Groups ordered by name (case-insensitively), then id; only those of {@code stage} when it is not null. */
    public Page<Group> list(UUID org, String stage, int pageSize, String pageToken) {
        List<String> after = PageToken.decode(pageToken, 2);
        return store.read(db -> {
            if (OrganizationStore.get(db, org).isEmpty()) {
                throw DomainException.notFound("organization", org.toString());
            }
            Condition where = USER_GROUP.ORGANIZATION_ID.eq(org);
            if (stage != null) {
                where = where.and(USER_GROUP.STAGE.eq(stage));
            }
            if (after != null) {
                where = where.and(DSL.row(USER_GROUP.NAME.lower(), USER_GROUP.GROUP_ID)
                        .gt(after.get(0), parseId(after.get(1))));
            }
            var rows = db.select(USER_GROUP.asterisk(), SORT_NAME)
                    .from(USER_GROUP)
                    .where(where)
                    .orderBy(USER_GROUP.NAME.lower(), USER_GROUP.GROUP_ID)
                    .limit(pageSize + 1)
                    .fetch();
            boolean more = rows.size() > pageSize;
            var pageRows = more ? rows.subList(0, pageSize) : rows;
            List<Group> groups = toGroups(db, org, pageRows.stream().map(r -> r.into(USER_GROUP)).toList());
            if (!more) {
                return new Page<>(groups, "");
            }
            var last = pageRows.getLast();
            return new Page<>(groups, PageToken.encode(last.get(SORT_NAME), last.get(USER_GROUP.GROUP_ID).toString()));
        });
    }

    /**
     * Renames and/or re-describes a group (null leaves a field as it is). A request that touches the stage is
     * refused: grants were given for that stage, so a different stage is a different group.
     */
    public Written<Group> update(UUID org, UUID id, String name, String description, boolean touchesStage) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            requireGroup(tx, org, id);
            if (touchesStage) {
                throw DomainException.failedPrecondition("STAGE_FIXED", "groups/" + id,
                        "a group's stage is fixed at creation; create a new group");
            }
            if (name != null) {
                requireUniqueName(tx, org, name, id);
                tx.update(USER_GROUP).set(USER_GROUP.NAME, name).where(isGroup(org, id)).execute();
            }
            if (description != null) {
                tx.update(USER_GROUP).set(USER_GROUP.DESCRIPTION, description).where(isGroup(org, id)).execute();
            }
            w.change("group", id, "updated");
            return load(tx, org, id).orElseThrow();
        });
    }

    /**
     * Deletes a group with its grants, mappings and memberships (the foreign keys cascade), so that its members
     * lose what they inherited from it. Refused while it has direct members unless {@code force}.
     */
    public Written<Void> delete(UUID org, UUID id, boolean force) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            requireGroup(tx, org, id);
            int members = tx.fetchCount(GROUP_MEMBER, GROUP_MEMBER.ORGANIZATION_ID.eq(org), GROUP_MEMBER.GROUP_ID.eq(id));
            if (members > 0 && !force) {
                throw DomainException.failedPrecondition("NOT_EMPTY", "groups/" + id,
                        "the group has " + members + " direct member(s); remove them or delete with force");
            }
            w.affects(effectiveMembers(tx, org, id));
            tx.deleteFrom(USER_GROUP).where(isGroup(org, id)).execute();
            w.change("group", id, "deleted");
            return null;
        });
    }

    /** Adds direct members; every id must be a user of the organization, and users already in stay as they are. */
    public Written<Void> addMembers(UUID org, UUID id, List<UUID> userIds) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            requireGroup(tx, org, id);
            for (int i = 0; i < userIds.size(); i++) {
                Lookups.requireUser(tx, org, userIds.get(i), "user_ids[" + i + "]");
            }
            w.change("group", id, "members_added").affects(insertMembers(tx, org, id, userIds));
            return null;
        });
    }

    /** Removes direct members; ids of users who are not members are ignored. */
    public Written<Void> removeMembers(UUID org, UUID id, List<UUID> userIds) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            requireGroup(tx, org, id);
            List<UUID> removed = tx.deleteFrom(GROUP_MEMBER)
                    .where(GROUP_MEMBER.ORGANIZATION_ID.eq(org), GROUP_MEMBER.GROUP_ID.eq(id),
                            GROUP_MEMBER.USER_ID.in(userIds))
                    .returning(GROUP_MEMBER.USER_ID)
                    .fetch(GROUP_MEMBER.USER_ID);
            w.change("group", id, "members_removed").affects(removed);
            return null;
        });
    }

    /** Direct members ordered by email (case-insensitively), then id. */
    public Page<GroupMember> listMembers(UUID org, UUID id, int pageSize, String pageToken) {
        List<String> after = PageToken.decode(pageToken, 2);
        return store.read(db -> {
            requireGroup(db, org, id);
            Condition where = GROUP_MEMBER.ORGANIZATION_ID.eq(org).and(GROUP_MEMBER.GROUP_ID.eq(id));
            if (after != null) {
                where = where.and(DSL.row(APP_USER.EMAIL_KEY, APP_USER.USER_ID).gt(after.get(0), parseId(after.get(1))));
            }
            var rows = db.select(APP_USER.USER_ID, APP_USER.EMAIL, APP_USER.DISPLAY_NAME, APP_USER.EMAIL_KEY)
                    .from(GROUP_MEMBER)
                    .join(APP_USER).on(APP_USER.ORGANIZATION_ID.eq(GROUP_MEMBER.ORGANIZATION_ID),
                            APP_USER.USER_ID.eq(GROUP_MEMBER.USER_ID))
                    .where(where)
                    .orderBy(APP_USER.EMAIL_KEY, APP_USER.USER_ID)
                    .limit(pageSize + 1)
                    .fetch();
            boolean more = rows.size() > pageSize;
            var pageRows = more ? rows.subList(0, pageSize) : rows;
            List<GroupMember> members = pageRows.stream()
                    .map(r -> new GroupMember(r.value1(), r.value2(), r.value3()))
                    .toList();
            if (!more) {
                return new Page<>(members, "");
            }
            var last = pageRows.getLast();
            return new Page<>(members, PageToken.encode(last.value4(), last.value1().toString()));
        });
    }

    /** Grants an end-user role for an app to the group, in the group's stage. */
    public Written<Group> grantRole(UUID org, UUID id, GroupRoleGrant grant) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            requireGroup(tx, org, id);
            requireGrantable(tx, org, grant, "grant");
            if (tx.fetchExists(GROUP_ROLE_GRANT, isGrant(org, id, grant))) {
                throw DomainException.alreadyExists("group role grant", describe(grant));
            }
            insertGrant(tx, org, id, grant);
            w.change("group", id, "role_granted").affects(effectiveMembers(tx, org, id));
            return load(tx, org, id).orElseThrow();
        });
    }

    /** Revokes a role grant of the group. */
    public Written<Group> revokeRole(UUID org, UUID id, GroupRoleGrant grant) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            requireGroup(tx, org, id);
            if (tx.deleteFrom(GROUP_ROLE_GRANT).where(isGrant(org, id, grant)).execute() == 0) {
                throw DomainException.notFound("group role grant", describe(grant));
            }
            w.change("group", id, "role_revoked").affects(effectiveMembers(tx, org, id));
            return load(tx, org, id).orElseThrow();
        });
    }

    /** Maps an IdP group to the group; the users it matches become members. */
    public Written<Group> addMapping(UUID org, UUID id, IdpMapping mapping) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            requireGroup(tx, org, id);
            if (tx.fetchExists(GROUP_IDP_MAPPING, isMapping(org, id, mapping))) {
                throw DomainException.alreadyExists("IdP mapping", describe(mapping));
            }
            w.affects(effectiveMembers(tx, org, id));
            insertMapping(tx, org, id, mapping);
            w.change("group", id, "mapping_added").affects(effectiveMembers(tx, org, id));
            return load(tx, org, id).orElseThrow();
        });
    }

    /** Removes an IdP mapping; the users only it matched stop being members. */
    public Written<Group> removeMapping(UUID org, UUID id, IdpMapping mapping) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            requireGroup(tx, org, id);
            w.affects(effectiveMembers(tx, org, id));
            if (tx.deleteFrom(GROUP_IDP_MAPPING).where(isMapping(org, id, mapping)).execute() == 0) {
                throw DomainException.notFound("IdP mapping", describe(mapping));
            }
            w.change("group", id, "mapping_removed").affects(effectiveMembers(tx, org, id));
            return load(tx, org, id).orElseThrow();
        });
    }

    /** The groups the user is an effective member of, ordered by name, each with how; NOT_FOUND for no such user. */
    public List<GroupMembership> userGroups(UUID org, UUID userId) {
        return store.read(db -> {
            if (!db.fetchExists(APP_USER, APP_USER.ORGANIZATION_ID.eq(org), APP_USER.USER_ID.eq(userId))) {
                throw DomainException.notFound("user", userId.toString());
            }
            Set<UUID> direct = new HashSet<>(db.select(GROUP_MEMBER.GROUP_ID).from(GROUP_MEMBER)
                    .where(GROUP_MEMBER.ORGANIZATION_ID.eq(org), GROUP_MEMBER.USER_ID.eq(userId))
                    .fetch(GROUP_MEMBER.GROUP_ID));
            Map<UUID, List<IdpMapping>> viaMappings = new HashMap<>();
            db.select(GROUP_IDP_MAPPING.GROUP_ID, GROUP_IDP_MAPPING.IDP, GROUP_IDP_MAPPING.EXTERNAL_GROUP)
                    .from(GROUP_IDP_MAPPING)
                    .join(EXTERNAL_GROUP_MEMBERSHIP).on(mappingMatches())
                    .where(GROUP_IDP_MAPPING.ORGANIZATION_ID.eq(org), EXTERNAL_GROUP_MEMBERSHIP.USER_ID.eq(userId))
                    .orderBy(GROUP_IDP_MAPPING.IDP, GROUP_IDP_MAPPING.EXTERNAL_GROUP)
                    .forEach(r -> viaMappings.computeIfAbsent(r.value1(), g -> new ArrayList<>())
                            .add(new IdpMapping(r.value2(), r.value3())));
            Set<UUID> ids = new HashSet<>(direct);
            ids.addAll(viaMappings.keySet());
            if (ids.isEmpty()) {
                return List.of();
            }
            List<UserGroupRecord> rows = db.selectFrom(USER_GROUP)
                    .where(USER_GROUP.ORGANIZATION_ID.eq(org), USER_GROUP.GROUP_ID.in(ids))
                    .orderBy(USER_GROUP.NAME.lower(), USER_GROUP.GROUP_ID)
                    .fetch();
            return toGroups(db, org, rows).stream()
                    .map(g -> new GroupMembership(g, direct.contains(g.id()), List.copyOf(viaMappings.getOrDefault(g.id(), List.of()))))
                    .toList();
        });
    }

    /**
     * The group's effective members: its direct members and the users with an external group equal to one of
     * its IdP mappings (idp and name compared exactly, case included).
     */
    public static Set<UUID> effectiveMembers(DSLContext db, UUID org, UUID id) {
        Set<UUID> members = new LinkedHashSet<>(db.select(GROUP_MEMBER.USER_ID).from(GROUP_MEMBER)
                .where(GROUP_MEMBER.ORGANIZATION_ID.eq(org), GROUP_MEMBER.GROUP_ID.eq(id))
                .fetch(GROUP_MEMBER.USER_ID));
        members.addAll(db.selectDistinct(EXTERNAL_GROUP_MEMBERSHIP.USER_ID)
                .from(GROUP_IDP_MAPPING)
                .join(EXTERNAL_GROUP_MEMBERSHIP).on(mappingMatches())
                .where(GROUP_IDP_MAPPING.ORGANIZATION_ID.eq(org), GROUP_IDP_MAPPING.GROUP_ID.eq(id))
                .fetch(EXTERNAL_GROUP_MEMBERSHIP.USER_ID));
        return members;
    }

    private static Condition mappingMatches() {
        // Text equality in Postgres is exact (deterministic collation), which is the rule: case included.
        return EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID.eq(GROUP_IDP_MAPPING.ORGANIZATION_ID)
                .and(EXTERNAL_GROUP_MEMBERSHIP.IDP.eq(GROUP_IDP_MAPPING.IDP))
                .and(EXTERNAL_GROUP_MEMBERSHIP.EXTERNAL_GROUP.eq(GROUP_IDP_MAPPING.EXTERNAL_GROUP));
    }

    /** Requires the role to be an end-user role and the app to exist; {@code field} is the grant's path. */
    private static void requireGrantable(DSLContext tx, UUID org, GroupRoleGrant grant, String field) {
        if (Lookups.roleKind(tx, org, grant.roleKey(), field + ".role_key") != RoleKind.END_USER) {
            throw DomainException.invalid(field + ".role_key", ONLY_END_USER_ROLES);
        }
        Lookups.requireApp(tx, org, grant.appKey(), field + ".app_key");
    }

    private static void requireGroup(DSLContext db, UUID org, UUID id) {
        if (!db.fetchExists(USER_GROUP, isGroup(org, id))) {
            throw DomainException.notFound("group", id.toString());
        }
    }

    private static void requireUniqueName(DSLContext tx, UUID org, String name, UUID except) {
        Condition sameName = USER_GROUP.ORGANIZATION_ID.eq(org)
                .and(USER_GROUP.NAME.lower().eq(DSL.lower(DSL.val(name))));
        if (except != null) {
            sameName = sameName.and(USER_GROUP.GROUP_ID.ne(except));
        }
        if (tx.fetchExists(USER_GROUP, sameName)) {
            throw DomainException.alreadyExists("group", name);
        }
    }

    private static void insertGrant(DSLContext tx, UUID org, UUID id, GroupRoleGrant grant) {
        tx.insertInto(GROUP_ROLE_GRANT)
                .set(GROUP_ROLE_GRANT.ORGANIZATION_ID, org)
                .set(GROUP_ROLE_GRANT.GROUP_ID, id)
                .set(GROUP_ROLE_GRANT.ROLE_KEY, grant.roleKey())
                .set(GROUP_ROLE_GRANT.APP_KEY, grant.appKey())
                .execute();
    }

    private static void insertMapping(DSLContext tx, UUID org, UUID id, IdpMapping mapping) {
        tx.insertInto(GROUP_IDP_MAPPING)
                .set(GROUP_IDP_MAPPING.ORGANIZATION_ID, org)
                .set(GROUP_IDP_MAPPING.GROUP_ID, id)
                .set(GROUP_IDP_MAPPING.IDP, mapping.idp())
                .set(GROUP_IDP_MAPPING.EXTERNAL_GROUP, mapping.externalGroup())
                .execute();
    }

    /** Inserts the users not yet direct members; returns those it inserted. */
    private static List<UUID> insertMembers(DSLContext tx, UUID org, UUID id, Collection<UUID> users) {
        List<UUID> added = new ArrayList<>();
        for (UUID user : users) {
            int inserted = tx.insertInto(GROUP_MEMBER)
                    .set(GROUP_MEMBER.ORGANIZATION_ID, org)
                    .set(GROUP_MEMBER.GROUP_ID, id)
                    .set(GROUP_MEMBER.USER_ID, user)
                    .onConflictDoNothing()
                    .execute();
            if (inserted > 0) {
                added.add(user);
            }
        }
        return added;
    }

    private static Condition isGroup(UUID org, UUID id) {
        return USER_GROUP.ORGANIZATION_ID.eq(org).and(USER_GROUP.GROUP_ID.eq(id));
    }

    private static Condition isGrant(UUID org, UUID id, GroupRoleGrant grant) {
        return GROUP_ROLE_GRANT.ORGANIZATION_ID.eq(org)
                .and(GROUP_ROLE_GRANT.GROUP_ID.eq(id))
                .and(GROUP_ROLE_GRANT.ROLE_KEY.eq(grant.roleKey()))
                .and(GROUP_ROLE_GRANT.APP_KEY.eq(grant.appKey()));
    }

    private static Condition isMapping(UUID org, UUID id, IdpMapping mapping) {
        return GROUP_IDP_MAPPING.ORGANIZATION_ID.eq(org)
                .and(GROUP_IDP_MAPPING.GROUP_ID.eq(id))
                .and(GROUP_IDP_MAPPING.IDP.eq(mapping.idp()))
                .and(GROUP_IDP_MAPPING.EXTERNAL_GROUP.eq(mapping.externalGroup()));
    }

    private static String describe(GroupRoleGrant grant) {
        return grant.roleKey() + " for app " + grant.appKey();
    }

    private static String describe(IdpMapping mapping) {
        return mapping.idp() + "/" + mapping.externalGroup();
    }

    private static Optional<Group> load(DSLContext db, UUID org, UUID id) {
        return db.selectFrom(USER_GROUP).where(isGroup(org, id)).fetchOptional()
                .map(r -> toGroups(db, org, List.of(r)).getFirst());
    }

    /** The groups of {@code rows}, in their order, with grants, mappings and member counts read in three queries. */
    private static List<Group> toGroups(DSLContext db, UUID org, List<UserGroupRecord> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        List<UUID> ids = rows.stream().map(UserGroupRecord::getGroupId).toList();
        Map<UUID, List<GroupRoleGrant>> grants = new HashMap<>();
        db.select(GROUP_ROLE_GRANT.GROUP_ID, GROUP_ROLE_GRANT.ROLE_KEY, GROUP_ROLE_GRANT.APP_KEY)
                .from(GROUP_ROLE_GRANT)
                .where(GROUP_ROLE_GRANT.ORGANIZATION_ID.eq(org), GROUP_ROLE_GRANT.GROUP_ID.in(ids))
                .orderBy(GROUP_ROLE_GRANT.ROLE_KEY, GROUP_ROLE_GRANT.APP_KEY)
                .forEach(r -> grants.computeIfAbsent(r.value1(), g -> new ArrayList<>())
                        .add(new GroupRoleGrant(r.value2(), r.value3())));
        Map<UUID, List<IdpMapping>> mappings = new HashMap<>();
        db.select(GROUP_IDP_MAPPING.GROUP_ID, GROUP_IDP_MAPPING.IDP, GROUP_IDP_MAPPING.EXTERNAL_GROUP)
                .from(GROUP_IDP_MAPPING)
                .where(GROUP_IDP_MAPPING.ORGANIZATION_ID.eq(org), GROUP_IDP_MAPPING.GROUP_ID.in(ids))
                .orderBy(GROUP_IDP_MAPPING.IDP, GROUP_IDP_MAPPING.EXTERNAL_GROUP)
                .forEach(r -> mappings.computeIfAbsent(r.value1(), g -> new ArrayList<>())
                        .add(new IdpMapping(r.value2(), r.value3())));
        Map<UUID, Integer> counts = new LinkedHashMap<>();
        db.select(GROUP_MEMBER.GROUP_ID, DSL.count())
                .from(GROUP_MEMBER)
                .where(GROUP_MEMBER.ORGANIZATION_ID.eq(org), GROUP_MEMBER.GROUP_ID.in(ids))
                .groupBy(GROUP_MEMBER.GROUP_ID)
                .forEach(r -> counts.put(r.value1(), r.value2()));
        return rows.stream()
                .map(r -> new Group(r.getGroupId(), r.getName(), r.getDescription(), r.getStage(),
                        List.copyOf(grants.getOrDefault(r.getGroupId(), List.of())),
                        List.copyOf(mappings.getOrDefault(r.getGroupId(), List.of())),
                        counts.getOrDefault(r.getGroupId(), 0),
                        r.getCreateTime().toInstant()))
                .toList();
    }

    private static UUID parseId(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid("page_token", "is not a token this listing issued");
        }
    }
}
