package dev.verdict.server.store;

import static dev.verdict.server.store.schema.Tables.API_CLIENT;
import static dev.verdict.server.store.schema.Tables.APP;
import static dev.verdict.server.store.schema.Tables.APP_USER;
import static dev.verdict.server.store.schema.Tables.ASSIGNMENT;
import static dev.verdict.server.store.schema.Tables.EXTERNAL_GROUP_MEMBERSHIP;
import static dev.verdict.server.store.schema.Tables.GROUP_IDP_MAPPING;
import static dev.verdict.server.store.schema.Tables.GROUP_MEMBER;
import static dev.verdict.server.store.schema.Tables.GROUP_ROLE_GRANT;
import static dev.verdict.server.store.schema.Tables.PERMISSION;
import static dev.verdict.server.store.schema.Tables.ROLE;
import static dev.verdict.server.store.schema.Tables.ROLE_PERMISSION;
import static dev.verdict.server.store.schema.Tables.USER_GROUP;

import dev.verdict.server.TestServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Table;
import org.jooq.TableRecord;

/**
 * A new organization of the shared test server seeded in one write with a random but reproducible mix of
 * what a user's grants come from: direct assignments of organization roles in every scope shape and of
 * end-user roles on one app in one stage, groups in different stages with several, one or no role grants,
 * direct memberships, IdP mappings matched exactly (letter case included) or not at all, a user in a group
 * both directly and through mappings, users of every status, users with nothing, and API clients enabled and
 * disabled. The write is one {@code directory} change, as an import.
 */
public final class VariedOrganization {
    /** Permissions of the three shapes, for checks: organization-level, stage-level and app-level. */
    public static final String ORGANIZATION_PERMISSION = "users.view";
    public static final String STAGE_PERMISSION = "pipeline.run";
    public static final String APP_PERMISSION = "report.view";
    public static final String[] STAGES = {"development", "qa", "production"};
    public static final String[] APPS = {"sales", "hr", "billing", "ops"};
    public static final String[] END_USER_ROLES = {"viewer", "editor", "auditor"};
    static final String[] ORGANIZATION_ROLES = {"developer", "administrator", "release"};
    static final String[] IDPS = {"azure", "okta"};
    static final String[] EXTERNAL_GROUPS = {"Sales", "sales", "Finance", "Ops"};
    static final String[] STATUSES = {"ACTIVE", "ACTIVE", "ACTIVE", "ACTIVE", "INVITED", "DEACTIVATED"};

    public final UUID id;
    /** User ids, in the (random) order of creation. */
    public final List<UUID> users = new ArrayList<>();
    /** Two enabled API clients and a disabled one. */
    public final List<UUID> apiClients = new ArrayList<>();

    /** Seeds {@code userCount} users and {@code groupCount} groups from {@code seed}. */
    public VariedOrganization(int userCount, int groupCount, long seed) {
        id = UUID.fromString(TestServer.newOrganization());
        Random random = new Random(seed);
        // A few names that many groups map, and in a large organization many more, so that there a name maps
        // a couple of groups as in a real directory.
        List<String> names = new ArrayList<>(List.of(EXTERNAL_GROUPS));
        for (int n = 0; groupCount > 100 && n < groupCount / 2; n++) {
            names.add("Team-" + n);
        }
        String[] externalGroups = names.toArray(String[]::new);
        new Store(TestServer.server().database().dsl()).write(id, w -> {
            Rows rows = new Rows(w.dsl(), id);
            for (String app : APPS) {
                rows.add(APP).with(APP.APP_KEY, app).with(APP.DISPLAY_NAME, app);
            }
            rows.add(PERMISSION).with(PERMISSION.PERMISSION_KEY, STAGE_PERMISSION).with(PERMISSION.DISPLAY_NAME, "Run")
                    .with(PERMISSION.SECTION, "Test").with(PERMISSION.LEVEL, "STAGE");
            rows.add(PERMISSION).with(PERMISSION.PERMISSION_KEY, APP_PERMISSION).with(PERMISSION.DISPLAY_NAME, "Report")
                    .with(PERMISSION.SECTION, "Test").with(PERMISSION.LEVEL, "APP");
            rows.add(ROLE).with(ROLE.ROLE_KEY, "release").with(ROLE.DISPLAY_NAME, "Release").with(ROLE.KIND, "ORGANIZATION");
            for (String role : END_USER_ROLES) {
                rows.add(ROLE).with(ROLE.ROLE_KEY, role).with(ROLE.DISPLAY_NAME, role).with(ROLE.KIND, "END_USER");
            }
            rows.insert();
            rows.add(ROLE_PERMISSION).with(ROLE_PERMISSION.ROLE_KEY, "release")
                    .with(ROLE_PERMISSION.PERMISSION_KEY, STAGE_PERMISSION).with(ROLE_PERMISSION.STAGES, new String[] {"qa"});
            rows.add(ROLE_PERMISSION).with(ROLE_PERMISSION.ROLE_KEY, "viewer")
                    .with(ROLE_PERMISSION.PERMISSION_KEY, APP_PERMISSION);
            rows.add(ROLE_PERMISSION).with(ROLE_PERMISSION.ROLE_KEY, "editor")
                    .with(ROLE_PERMISSION.PERMISSION_KEY, APP_PERMISSION)
                    .with(ROLE_PERMISSION.STAGES, new String[] {"production"});
            // "auditor" holds no permission: apps check the role itself.

            List<UUID> groups = new ArrayList<>();
            for (int g = 0; g < groupCount; g++) {
                UUID group = UUID.randomUUID();
                groups.add(group);
                rows.add(USER_GROUP).with(USER_GROUP.GROUP_ID, group).with(USER_GROUP.NAME, "group-" + g)
                        .with(USER_GROUP.STAGE, pick(random, STAGES));
            }
            rows.insert();
            for (UUID group : groups) {
                Set<String> granted = new HashSet<>();
                for (int i = random.nextInt(4); i > 0; i--) { // none, one or several
                    String role = pick(random, END_USER_ROLES);
                    String app = pick(random, APPS);
                    if (granted.add(role + "/" + app)) {
                        rows.add(GROUP_ROLE_GRANT).with(GROUP_ROLE_GRANT.GROUP_ID, group)
                                .with(GROUP_ROLE_GRANT.ROLE_KEY, role).with(GROUP_ROLE_GRANT.APP_KEY, app);
                    }
                }
                Set<String> mapped = new HashSet<>();
                for (int i = random.nextInt(3); i > 0; i--) {
                    String idp = pick(random, IDPS);
                    String external = pick(random, externalGroups);
                    if (mapped.add(idp + "/" + external)) {
                        rows.add(GROUP_IDP_MAPPING).with(GROUP_IDP_MAPPING.GROUP_ID, group)
                                .with(GROUP_IDP_MAPPING.IDP, idp).with(GROUP_IDP_MAPPING.EXTERNAL_GROUP, external);
                    }
                }
            }

            for (int u = 0; u < userCount; u++) {
                UUID user = UUID.randomUUID();
                users.add(user);
                String email = "User-" + u + "@Varied.Example";
                rows.add(APP_USER).with(APP_USER.USER_ID, user).with(APP_USER.EMAIL, email)
                        .with(APP_USER.EMAIL_KEY, email.toLowerCase(Locale.ROOT)).with(APP_USER.DISPLAY_NAME, email)
                        .with(APP_USER.STATUS, pick(random, STATUSES)).with(APP_USER.CLASSIFICATION, "INTERNAL");
                rows.insertEvery(10_000);
            }
            rows.insert();
            for (UUID user : users) {
                if (random.nextInt(5) == 0) {
                    continue; // nothing at all
                }
                Set<String> assigned = new HashSet<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    boolean endUser = random.nextInt(3) == 0;
                    String role = pick(random, endUser ? END_USER_ROLES : ORGANIZATION_ROLES);
                    int shape = random.nextInt(4); // organization-wide, a stage, an app, an app in a stage
                    String stage = endUser || shape == 1 || shape == 3 ? pick(random, STAGES) : null;
                    String app = endUser || shape >= 2 ? pick(random, APPS) : null;
                    if (assigned.add(role + "/" + stage + "/" + app)) {
                        rows.add(ASSIGNMENT).with(ASSIGNMENT.ASSIGNMENT_ID, UUID.randomUUID())
                                .with(ASSIGNMENT.USER_ID, user).with(ASSIGNMENT.ROLE_KEY, role)
                                .with(ASSIGNMENT.STAGE, stage).with(ASSIGNMENT.APP_KEY, app);
                    }
                }
                Set<UUID> joined = new HashSet<>();
                for (int i = groups.isEmpty() ? 0 : random.nextInt(4); i > 0; i--) {
                    UUID group = groups.get(random.nextInt(groups.size()));
                    if (joined.add(group)) {
                        rows.add(GROUP_MEMBER).with(GROUP_MEMBER.GROUP_ID, group).with(GROUP_MEMBER.USER_ID, user);
                    }
                }
                Set<String> external = new HashSet<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    String idp = pick(random, IDPS);
                    String group = pick(random, externalGroups);
                    if (external.add(idp + "/" + group)) {
                        rows.add(EXTERNAL_GROUP_MEMBERSHIP).with(EXTERNAL_GROUP_MEMBERSHIP.USER_ID, user)
                                .with(EXTERNAL_GROUP_MEMBERSHIP.IDP, idp)
                                .with(EXTERNAL_GROUP_MEMBERSHIP.EXTERNAL_GROUP, group);
                    }
                }
                rows.insertEvery(10_000);
            }

            for (int c = 0; c < 3; c++) {
                UUID client = UUID.randomUUID();
                apiClients.add(client);
                rows.add(API_CLIENT).with(API_CLIENT.API_CLIENT_ID, client).with(API_CLIENT.NAME, "client-" + c)
                        .with(API_CLIENT.SECRET_HASH, new byte[32]).with(API_CLIENT.ENABLED, c != 2);
            }
            rows.insert();
            for (UUID client : apiClients) {
                rows.add(ASSIGNMENT).with(ASSIGNMENT.ASSIGNMENT_ID, UUID.randomUUID())
                        .with(ASSIGNMENT.API_CLIENT_ID, client).with(ASSIGNMENT.ROLE_KEY, pick(random, ORGANIZATION_ROLES))
                        .with(ASSIGNMENT.APP_KEY, pick(random, APPS));
            }
            rows.insert();
            return w.change("directory", id, "imported");
        });
    }

    /** Rows of one organization waiting to be inserted, a batch per table. */
    private static final class Rows {
        private final DSLContext db;
        private final UUID org;
        private final Map<Table<?>, List<TableRecord<?>>> pending = new LinkedHashMap<>();
        private int count;

        Rows(DSLContext db, UUID org) {
            this.db = db;
            this.org = org;
        }

        /** A new row of {@code table} in the organization, inserted at the next {@link #insert}. */
        <R extends TableRecord<R>> R add(Table<R> table) {
            R row = db.newRecord(table).with(table.field("organization_id", UUID.class), org);
            pending.computeIfAbsent(table, t -> new ArrayList<>()).add(row);
            count++;
            return row;
        }

        /** Inserts what is pending, table by table in the order first added. */
        void insert() {
            pending.values().forEach(rows -> db.batchInsert(rows).execute());
            pending.clear();
            count = 0;
        }

        void insertEvery(int rows) {
            if (count >= rows) {
                insert();
            }
        }
    }

    private static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }
}
