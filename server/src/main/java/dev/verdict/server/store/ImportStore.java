package dev.verdict.server.store;

import static dev.verdict.server.store.schema.Tables.APP;
import static dev.verdict.server.store.schema.Tables.APP_USER;
import static dev.verdict.server.store.schema.Tables.ASSIGNMENT;
import static dev.verdict.server.store.schema.Tables.EXTERNAL_GROUP_MEMBERSHIP;
import static dev.verdict.server.store.schema.Tables.EXTERNAL_IDENTITY;
import static dev.verdict.server.store.schema.Tables.GROUP_IDP_MAPPING;
import static dev.verdict.server.store.schema.Tables.GROUP_MEMBER;
import static dev.verdict.server.store.schema.Tables.GROUP_ROLE_GRANT;
import static dev.verdict.server.store.schema.Tables.ROLE;
import static dev.verdict.server.store.schema.Tables.USER_GROUP;

import dev.verdict.server.domain.App;
import dev.verdict.server.domain.DirectoryImport;
import dev.verdict.server.domain.DirectoryImport.ImportedAssignment;
import dev.verdict.server.domain.DirectoryImport.ImportedGroup;
import dev.verdict.server.domain.DirectoryImport.ImportedUser;
import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.ExternalIdentity;
import dev.verdict.server.domain.GroupRoleGrant;
import dev.verdict.server.domain.IdpMapping;
import dev.verdict.server.domain.RoleKind;
import dev.verdict.server.domain.User;
import dev.verdict.server.domain.Written;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;

/**
 * Bulk import of apps, groups and users in one transaction. It applies the same rules as the one-at-a-time
 * writes (AppStore, GroupStore, UserStore, AssignmentStore) but reads what it checks against once, checks in
 * memory, and inserts in multi-row statements, so that ten thousand users cost a handful of round trips
 * rather than tens of thousands. Refusals name the item's field path, e.g. {@code users[17].group_names[0]}.
 */
public final class ImportStore {
    /** Bind values per INSERT statement: well below the Postgres protocol's 65,535. */
    private static final int MAX_BINDS = 30_000;

    private final Store store;

    public ImportStore(Store store) {
        this.store = store;
    }

    /** Imports everything or nothing; the change log gets one {@code directory/imported} entry. */
    public Written<DirectoryImport.Result> importDirectory(UUID org, DirectoryImport directory) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            Known known = Known.read(tx, org, directory);
            checkApps(directory.apps(), known);
            Map<String, UUID> importedGroups = checkGroups(directory.groups(), known);
            checkUsers(directory.users(), known, importedGroups);

            List<UUID> groupIds = new ArrayList<>(importedGroups.values());
            List<UUID> userIds = insert(tx, org, directory, groupIds, importedGroups, known);
            // Existing users whose external groups match a new mapping are members of it from now on; imported
            // users are new, so nobody has a decision cached for them.
            w.change("directory", userIds.isEmpty() ? "groups" : userIds.getFirst(), "imported")
                    .affects(existingUsersMatching(tx, org, directory.groups(), new HashSet<>(userIds)));
            return new DirectoryImport.Result(groupIds, userIds);
        });
    }

    /** What the organization has that the import refers to or must not repeat, read once. */
    private record Known(List<String> stages, Map<String, RoleKind> roles, Set<String> apps,
            Map<String, UUID> groupsByName, Set<String> emailKeys, Set<ExternalIdentity> identities) {

        static Known read(DSLContext tx, UUID org, DirectoryImport directory) {
            Map<String, RoleKind> roles = new HashMap<>();
            tx.select(ROLE.ROLE_KEY, ROLE.KIND).from(ROLE).where(ROLE.ORGANIZATION_ID.eq(org))
                    .forEach(r -> roles.put(r.value1(), RoleKind.valueOf(r.value2())));
            Set<String> apps = new HashSet<>(tx.select(APP.APP_KEY).from(APP).where(APP.ORGANIZATION_ID.eq(org))
                    .fetch(APP.APP_KEY));
            Set<String> names = new HashSet<>();
            directory.groups().forEach(g -> names.add(nameKey(g.name())));
            directory.users().forEach(u -> u.groupNames().forEach(n -> names.add(nameKey(n))));
            Map<String, UUID> groups = new HashMap<>();
            tx.select(USER_GROUP.NAME, USER_GROUP.GROUP_ID).from(USER_GROUP)
                    .where(USER_GROUP.ORGANIZATION_ID.eq(org), USER_GROUP.NAME.lower().eq(DSL.any(names.toArray(String[]::new))))
                    .forEach(r -> groups.put(nameKey(r.value1()), r.value2()));
            String[] emailKeys = directory.users().stream().map(u -> User.emailKey(u.email())).toArray(String[]::new);
            Set<String> taken = new HashSet<>(tx.select(APP_USER.EMAIL_KEY).from(APP_USER)
                    .where(APP_USER.ORGANIZATION_ID.eq(org), APP_USER.EMAIL_KEY.eq(DSL.any(emailKeys)))
                    .fetch(APP_USER.EMAIL_KEY));
            String[] subjects = directory.users().stream().flatMap(u -> u.externalIdentities().stream())
                    .map(ExternalIdentity::subject).distinct().toArray(String[]::new);
            Set<ExternalIdentity> identities = new HashSet<>();
            if (subjects.length > 0) {
                tx.select(EXTERNAL_IDENTITY.IDP, EXTERNAL_IDENTITY.SUBJECT).from(EXTERNAL_IDENTITY)
                        .where(EXTERNAL_IDENTITY.ORGANIZATION_ID.eq(org), EXTERNAL_IDENTITY.SUBJECT.eq(DSL.any(subjects)))
                        .forEach(r -> identities.add(new ExternalIdentity(r.value1(), r.value2())));
            }
            return new Known(OrganizationStore.stages(tx, org), roles, apps, groups, taken, identities);
        }
    }

    private static void checkApps(List<App> apps, Known known) {
        for (int i = 0; i < apps.size(); i++) {
            if (!known.apps().add(apps.get(i).key())) {
                throw DomainException.alreadyExists("app", apps.get(i).key() + " (apps[" + i + "].app_key)");
            }
        }
    }

    /** Checks the groups and gives each a new id, by lower-cased name, in request order. */
    private static Map<String, UUID> checkGroups(List<ImportedGroup> groups, Known known) {
        Map<String, UUID> imported = new java.util.LinkedHashMap<>();
        for (int i = 0; i < groups.size(); i++) {
            ImportedGroup group = groups.get(i);
            String field = "groups[" + i + "]";
            String key = nameKey(group.name());
            if (known.groupsByName().containsKey(key) || imported.containsKey(key)) {
                throw DomainException.alreadyExists("group", group.name() + " (" + field + ".name)");
            }
            requireStage(known, group.stage(), field + ".stage");
            Set<GroupRoleGrant> grants = new HashSet<>();
            for (int j = 0; j < group.roleGrants().size(); j++) {
                GroupRoleGrant grant = group.roleGrants().get(j);
                String grantField = field + ".role_grants[" + j + "]";
                if (requireRole(known, grant.roleKey(), grantField + ".role_key") != RoleKind.END_USER) {
                    throw DomainException.invalid(grantField + ".role_key", "only end-user roles can be granted to a group");
                }
                requireApp(known, grant.appKey(), grantField + ".app_key");
                if (!grants.add(grant)) {
                    throw DomainException.invalid(grantField, "repeats an earlier grant");
                }
            }
            if (new HashSet<>(group.idpMappings()).size() != group.idpMappings().size()) {
                throw DomainException.invalid(field + ".idp_mappings", "repeats a mapping");
            }
            imported.put(key, UUID.randomUUID());
        }
        return imported;
    }

    private static void checkUsers(List<ImportedUser> users, Known known, Map<String, UUID> importedGroups) {
        Set<String> emails = new HashSet<>(known.emailKeys());
        Set<ExternalIdentity> identities = new HashSet<>(known.identities());
        for (int i = 0; i < users.size(); i++) {
            ImportedUser user = users.get(i);
            String field = "users[" + i + "]";
            if (!emails.add(User.emailKey(user.email()))) {
                throw DomainException.alreadyExists("user", user.email().strip() + " (" + field + ".email)");
            }
            Set<ImportedAssignment> assignments = new HashSet<>();
            for (int j = 0; j < user.assignments().size(); j++) {
                ImportedAssignment assignment = user.assignments().get(j);
                String assignmentField = field + ".assignments[" + j + "]";
                RoleKind kind = requireRole(known, assignment.roleKey(), assignmentField + ".role_key");
                if (assignment.stage() != null) {
                    requireStage(known, assignment.stage(), assignmentField + ".stage");
                } else if (kind == RoleKind.END_USER) {
                    throw DomainException.invalid(assignmentField + ".stage",
                            "end-user role " + assignment.roleKey() + " is assigned in one stage");
                }
                if (assignment.appKey() != null) {
                    requireApp(known, assignment.appKey(), assignmentField + ".app_key");
                } else if (kind == RoleKind.END_USER) {
                    throw DomainException.invalid(assignmentField + ".app_key",
                            "end-user role " + assignment.roleKey() + " is assigned for one app");
                }
                if (!assignments.add(assignment)) {
                    throw DomainException.invalid(assignmentField, "repeats an earlier assignment");
                }
            }
            Set<String> groups = new HashSet<>();
            for (int j = 0; j < user.groupNames().size(); j++) {
                String key = nameKey(user.groupNames().get(j));
                if (!importedGroups.containsKey(key) && !known.groupsByName().containsKey(key)) {
                    throw DomainException.invalid(field + ".group_names[" + j + "]",
                            "no group " + user.groupNames().get(j) + " in this import or this organization");
                }
                if (!groups.add(key)) {
                    throw DomainException.invalid(field + ".group_names[" + j + "]", "repeats an earlier group");
                }
            }
            for (int j = 0; j < user.externalIdentities().size(); j++) {
                if (!identities.add(user.externalIdentities().get(j))) {
                    throw DomainException.alreadyExists("external identity", user.externalIdentities().get(j).idp()
                            + "/" + user.externalIdentities().get(j).subject() + " (" + field + ".external_identities[" + j + "])");
                }
            }
            if (new HashSet<>(user.externalGroups()).size() != user.externalGroups().size()) {
                throw DomainException.invalid(field + ".external_groups", "repeats an external group");
            }
        }
    }

    /** Inserts everything that was checked; returns the new users' ids in request order. */
    private static List<UUID> insert(DSLContext tx, UUID org, DirectoryImport directory, List<UUID> groupIds,
            Map<String, UUID> importedGroups, Known known) {
        List<Object[]> apps = new ArrayList<>();
        for (App app : directory.apps()) {
            apps.add(new Object[] {org, app.key(), app.displayName(), app.description()});
        }
        insertRows(tx, APP, List.of(APP.ORGANIZATION_ID, APP.APP_KEY, APP.DISPLAY_NAME, APP.DESCRIPTION), apps);

        List<Object[]> groups = new ArrayList<>();
        List<Object[]> grants = new ArrayList<>();
        List<Object[]> mappings = new ArrayList<>();
        for (int i = 0; i < directory.groups().size(); i++) {
            ImportedGroup group = directory.groups().get(i);
            UUID id = groupIds.get(i);
            groups.add(new Object[] {org, id, group.name(), group.description(), group.stage()});
            group.roleGrants().forEach(g -> grants.add(new Object[] {org, id, g.roleKey(), g.appKey()}));
            group.idpMappings().forEach(m -> mappings.add(new Object[] {org, id, m.idp(), m.externalGroup()}));
        }
        insertRows(tx, USER_GROUP, List.of(USER_GROUP.ORGANIZATION_ID, USER_GROUP.GROUP_ID, USER_GROUP.NAME,
                USER_GROUP.DESCRIPTION, USER_GROUP.STAGE), groups);
        insertRows(tx, GROUP_ROLE_GRANT, List.of(GROUP_ROLE_GRANT.ORGANIZATION_ID, GROUP_ROLE_GRANT.GROUP_ID,
                GROUP_ROLE_GRANT.ROLE_KEY, GROUP_ROLE_GRANT.APP_KEY), grants);
        insertRows(tx, GROUP_IDP_MAPPING, List.of(GROUP_IDP_MAPPING.ORGANIZATION_ID, GROUP_IDP_MAPPING.GROUP_ID,
                GROUP_IDP_MAPPING.IDP, GROUP_IDP_MAPPING.EXTERNAL_GROUP), mappings);

        List<UUID> userIds = new ArrayList<>();
        List<Object[]> users = new ArrayList<>();
        List<Object[]> assignments = new ArrayList<>();
        List<Object[]> members = new ArrayList<>();
        List<Object[]> identities = new ArrayList<>();
        List<Object[]> externalGroups = new ArrayList<>();
        for (ImportedUser user : directory.users()) {
            UUID id = UUID.randomUUID();
            userIds.add(id);
            String email = user.email().strip();
            users.add(new Object[] {org, id, email, User.emailKey(email), user.displayName(), user.status().name(),
                    user.classification().name()});
            for (ImportedAssignment a : user.assignments()) {
                assignments.add(new Object[] {org, UUID.randomUUID(), id, a.roleKey(), a.stage(), a.appKey()});
            }
            for (String name : user.groupNames()) {
                UUID group = importedGroups.getOrDefault(nameKey(name), known.groupsByName().get(nameKey(name)));
                members.add(new Object[] {org, group, id});
            }
            user.externalIdentities().forEach(e -> identities.add(new Object[] {org, id, e.idp(), e.subject()}));
            user.externalGroups().forEach(g -> externalGroups.add(new Object[] {org, id, g.idp(), g.externalGroup()}));
        }
        insertRows(tx, APP_USER, List.of(APP_USER.ORGANIZATION_ID, APP_USER.USER_ID, APP_USER.EMAIL, APP_USER.EMAIL_KEY,
                APP_USER.DISPLAY_NAME, APP_USER.STATUS, APP_USER.CLASSIFICATION), users);
        insertRows(tx, ASSIGNMENT, List.of(ASSIGNMENT.ORGANIZATION_ID, ASSIGNMENT.ASSIGNMENT_ID, ASSIGNMENT.USER_ID,
                ASSIGNMENT.ROLE_KEY, ASSIGNMENT.STAGE, ASSIGNMENT.APP_KEY), assignments);
        insertRows(tx, GROUP_MEMBER, List.of(GROUP_MEMBER.ORGANIZATION_ID, GROUP_MEMBER.GROUP_ID, GROUP_MEMBER.USER_ID),
                members);
        insertRows(tx, EXTERNAL_IDENTITY, List.of(EXTERNAL_IDENTITY.ORGANIZATION_ID, EXTERNAL_IDENTITY.USER_ID,
                EXTERNAL_IDENTITY.IDP, EXTERNAL_IDENTITY.SUBJECT), identities);
        insertRows(tx, EXTERNAL_GROUP_MEMBERSHIP, List.of(EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID,
                EXTERNAL_GROUP_MEMBERSHIP.USER_ID, EXTERNAL_GROUP_MEMBERSHIP.IDP, EXTERNAL_GROUP_MEMBERSHIP.EXTERNAL_GROUP),
                externalGroups);
        return userIds;
    }

    /** Users not of this import whose external groups match a mapping of an imported group. */
    private static Set<UUID> existingUsersMatching(DSLContext tx, UUID org, List<ImportedGroup> groups, Set<UUID> imported) {
        Set<IdpMapping> mappings = new HashSet<>();
        groups.forEach(g -> mappings.addAll(g.idpMappings()));
        Set<UUID> users = new LinkedHashSet<>();
        if (mappings.isEmpty()) {
            return users;
        }
        String[] names = mappings.stream().map(IdpMapping::externalGroup).distinct().toArray(String[]::new);
        tx.select(EXTERNAL_GROUP_MEMBERSHIP.USER_ID, EXTERNAL_GROUP_MEMBERSHIP.IDP, EXTERNAL_GROUP_MEMBERSHIP.EXTERNAL_GROUP)
                .from(EXTERNAL_GROUP_MEMBERSHIP)
                .where(EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID.eq(org),
                        EXTERNAL_GROUP_MEMBERSHIP.EXTERNAL_GROUP.eq(DSL.any(names)))
                .forEach(r -> {
                    if (!imported.contains(r.value1()) && mappings.contains(new IdpMapping(r.value2(), r.value3()))) {
                        users.add(r.value1());
                    }
                });
        return users;
    }

    private static void insertRows(DSLContext tx, Table<?> table, List<Field<?>> fields, List<Object[]> rows) {
        int perStatement = MAX_BINDS / fields.size();
        for (int from = 0; from < rows.size(); from += perStatement) {
            var insert = tx.insertInto(table, fields);
            for (Object[] row : rows.subList(from, Math.min(rows.size(), from + perStatement))) {
                insert = insert.values(row);
            }
            insert.execute();
        }
    }

    private static RoleKind requireRole(Known known, String key, String field) {
        RoleKind kind = known.roles().get(key);
        if (kind == null) {
            throw DomainException.invalid(field, "no role " + key + " in this organization");
        }
        return kind;
    }

    private static void requireApp(Known known, String key, String field) {
        if (!known.apps().contains(key)) {
            throw DomainException.invalid(field, "no app " + key + " in this organization or this import");
        }
    }

    private static void requireStage(Known known, String stage, String field) {
        if (!known.stages().contains(stage)) {
            throw DomainException.invalid(field, "no stage " + stage + " in this organization; stages are " + known.stages());
        }
    }

    /** Group names are unique regardless of letter case. */
    private static String nameKey(String name) {
        return name.toLowerCase(java.util.Locale.ROOT);
    }
}
