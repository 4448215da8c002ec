package dev.verdict.bench.data;

import dev.verdict.bench.data.Dataset.Assignment;
import dev.verdict.bench.data.Dataset.Classification;
import dev.verdict.bench.data.Dataset.ExternalGroup;
import dev.verdict.bench.data.Dataset.Group;
import dev.verdict.bench.data.Dataset.GroupGrant;
import dev.verdict.bench.data.Dataset.Level;
import dev.verdict.bench.data.Dataset.Permission;
import dev.verdict.bench.data.Dataset.PermissionGrant;
import dev.verdict.bench.data.Dataset.Role;
import dev.verdict.bench.data.Dataset.RoleKind;
import dev.verdict.bench.data.Dataset.Status;
import dev.verdict.bench.data.Dataset.User;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generates a {@link Dataset} from a size and a seed: the same seed gives the same data, on any JVM
 * ({@link SplittableRandom}'s algorithm is specified). Each part draws from its own split stream, so
 * changing how users are drawn does not change the catalogue.
 *
 * <p>Shape, chosen to look like a real tenant of the low-code platform: custom permissions in app-defined
 * sections with an implication DAG (within a section, {@code edit ⇒ view}; some cross sections and levels);
 * end-user roles of APP-level permissions, some without any (apps check the role itself); organization roles with
 * per-stage grants; groups in one stage each with 1-5 grants and 0-2 IdP mappings; users mostly ACTIVE, in
 * 0-6 groups drawn by Zipf (most in 1-3, a few huge groups), some with external groups, a few with direct
 * assignments.
 */
public final class DatasetGenerator {
    public static final List<String> STAGES = List.of("development", "qa", "production");

    private static final String[] SECTIONS = {
        "Sales", "Billing", "Inventory", "Support", "Reports", "Orders", "Shipping", "Analytics", "Marketing", "Payroll"
    };
    /** A section's permissions, in creation order: suffix, level, implied suffixes (or built-in keys). */
    private static final Object[][] TEMPLATE = {
        {"record.view", Level.APP, new String[] {"=app.view"}},
        {"record.edit", Level.APP, new String[] {"record.view"}},
        {"settings.view", Level.STAGE, new String[] {"=stage.view"}},
        {"record.approve", Level.APP, new String[] {"record.edit", "settings.view"}},
        {"report.view", Level.APP, new String[] {}},
        {"settings.edit", Level.STAGE, new String[] {"settings.view"}},
        {"report.export", Level.APP, new String[] {"report.view", "record.view"}},
        {"record.delete", Level.APP, new String[] {"record.edit"}},
        {"queue.view", Level.STAGE, new String[] {}},
        {"queue.process", Level.STAGE, new String[] {"queue.view", "=deployment.view"}},
        {"document.view", Level.APP, new String[] {}},
        {"document.edit", Level.APP, new String[] {"document.view", "report.view"}},
    };
    private static final String[] PERSONAS = {"viewer", "editor", "member", "approver", "analyst", "guest", "clerk", "auditor"};
    private static final Set<String> EMPTY_PERSONAS = Set.of("member", "guest");
    private static final String[] ORGANIZATION_ROLES = {
        "release_manager", "qa_lead", "support_engineer", "auditor", "ops_engineer", "security_officer",
        "data_steward", "app_owner", "stage_admin", "forge_curator"
    };
    private static final String[] IDPS = {"azure-ad", "okta"};

    private DatasetGenerator() {}

    public static Dataset generate(Size size, long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom catalogueRandom = root.split();
        SplittableRandom groupRandom = root.split();
        SplittableRandom userRandom = root.split();

        List<Permission> permissions = permissions(size, catalogueRandom);
        List<Role> roles = new ArrayList<>(endUserRoles(size, permissions, catalogueRandom));
        List<Role> organizationRoles = organizationRoles(size, permissions, catalogueRandom);
        roles.addAll(organizationRoles);
        List<String> apps = new ArrayList<>(size.apps);
        for (int i = 0; i < size.apps; i++) {
            apps.add(String.format("app-%04d", i));
        }
        List<Role> endUserRoles = roles.stream().filter(r -> r.kind() == RoleKind.END_USER).toList();
        Zipf appPopularity = new Zipf(size.apps, 1.0);
        List<Group> groups = groups(size, endUserRoles, apps, appPopularity, groupRandom);
        List<User> users = users(size, groups, endUserRoles, organizationRoles, apps, appPopularity, userRandom);
        return new Dataset(size, seed, STAGES, List.copyOf(permissions), List.copyOf(roles), List.copyOf(apps),
                List.copyOf(groups), List.copyOf(users));
    }

    private static List<Permission> permissions(Size size, SplittableRandom random) {
        List<Permission> permissions = new ArrayList<>();
        for (int s = 0; s < size.sections; s++) {
            String section = SECTIONS[s];
            String prefix = section.toLowerCase() + ".";
            for (int j = 0; j < size.permissionsPerSection; j++) {
                Object[] template = TEMPLATE[j];
                List<String> implies = new ArrayList<>();
                for (String implied : (String[]) template[2]) {
                    implies.add(implied.startsWith("=") ? implied.substring(1) : prefix + implied);
                }
                // Some implications cross sections; pointing only at earlier permissions keeps the graph acyclic.
                if (s > 0 && random.nextDouble() < 0.15) {
                    String other = permissions.get(random.nextInt(s * size.permissionsPerSection)).key();
                    if (!implies.contains(other)) {
                        implies.add(other);
                    }
                }
                permissions.add(new Permission(prefix + template[0], section, (Level) template[1], List.copyOf(implies)));
            }
        }
        return permissions;
    }

    private static List<Role> endUserRoles(Size size, List<Permission> custom, SplittableRandom random) {
        // End-user roles are granted on an app, so they hold APP-level permissions only (the server refuses others).
        List<Permission> appLevel = new ArrayList<>(BuiltIns.PERMISSIONS);
        appLevel.addAll(custom);
        appLevel.removeIf(p -> p.level() != Level.APP);
        List<Role> roles = new ArrayList<>();
        for (int i = 0; i < size.endUserRoles; i++) {
            int section = i % size.sections;
            String persona = PERSONAS[i / size.sections];
            String key = SECTIONS[section].toLowerCase() + "_" + persona;
            List<PermissionGrant> grants = new ArrayList<>();
            if (!EMPTY_PERSONAS.contains(persona)) {
                int count = 1 + random.nextInt(4);
                Set<String> chosen = new LinkedHashSet<>();
                for (int g = 0; g < count; g++) {
                    String prefix = SECTIONS[section].toLowerCase() + ".";
                    List<Permission> own = appLevel.stream().filter(p -> p.key().startsWith(prefix)).toList();
                    Permission permission = random.nextDouble() < 0.8
                            ? own.get(random.nextInt(own.size()))
                            : appLevel.get(random.nextInt(appLevel.size()));
                    if (chosen.add(permission.key())) {
                        grants.add(new PermissionGrant(permission.key(), stagesOf(permission, 0.3, random)));
                    }
                }
            }
            roles.add(new Role(key, RoleKind.END_USER, List.copyOf(grants)));
        }
        return roles;
    }

    private static List<Role> organizationRoles(Size size, List<Permission> custom, SplittableRandom random) {
        List<Permission> all = new ArrayList<>(BuiltIns.PERMISSIONS);
        all.addAll(custom);
        List<Role> roles = new ArrayList<>();
        for (int i = 0; i < size.organizationRoles; i++) {
            int count = 4 + random.nextInt(7);
            Set<String> chosen = new LinkedHashSet<>();
            List<PermissionGrant> grants = new ArrayList<>();
            for (int g = 0; g < count; g++) {
                Permission permission = all.get(random.nextInt(all.size()));
                if (chosen.add(permission.key())) {
                    grants.add(new PermissionGrant(permission.key(), stagesOf(permission, 0.4, random)));
                }
            }
            roles.add(new Role(ORGANIZATION_ROLES[i], RoleKind.ORGANIZATION, List.copyOf(grants)));
        }
        return roles;
    }

    /** Every stage (empty), or with probability {@code subsetShare} one or two stages; never for ORGANIZATION level. */
    private static List<String> stagesOf(Permission permission, double subsetShare, SplittableRandom random) {
        if (permission.level() == Level.ORGANIZATION || random.nextDouble() >= subsetShare) {
            return List.of();
        }
        List<String> stages = new ArrayList<>(STAGES);
        stages.remove(random.nextInt(stages.size()));
        if (random.nextBoolean()) {
            stages.remove(random.nextInt(stages.size()));
        }
        return List.copyOf(stages);
    }

    private static List<Group> groups(Size size, List<Role> endUserRoles, List<String> apps, Zipf appPopularity,
            SplittableRandom random) {
        List<Group> groups = new ArrayList<>(size.groups);
        for (int i = 0; i < size.groups; i++) {
            double r = random.nextDouble();
            String stage = r < 0.3 ? "development" : r < 0.6 ? "qa" : "production";
            int count = 1 + random.nextInt(5);
            Set<GroupGrant> grants = new LinkedHashSet<>();
            for (int g = 0; g < count; g++) {
                grants.add(new GroupGrant(endUserRoles.get(random.nextInt(endUserRoles.size())).key(),
                        apps.get(appPopularity.sample(random))));
            }
            double m = random.nextDouble();
            int mappings = m < 0.6 ? 0 : m < 0.9 ? 1 : 2;
            List<ExternalGroup> idpMappings = new ArrayList<>();
            for (int k = 0; k < mappings; k++) {
                idpMappings.add(new ExternalGroup(IDPS[random.nextInt(IDPS.length)], "grp-" + i + "-" + k));
            }
            groups.add(new Group(String.format("team-%05d", i), stage, List.copyOf(grants), List.copyOf(idpMappings)));
        }
        return groups;
    }

    private static List<User> users(Size size, List<Group> groups, List<Role> endUserRoles, List<Role> organizationRoles,
            List<String> apps, Zipf appPopularity, SplittableRandom random) {
        // Popularity ranks over a shuffled order, so the huge groups are of every stage and role.
        int[] groupByRank = shuffled(size.groups, random);
        Zipf groupPopularity = new Zipf(size.groups, 1.0);
        // External groups users arrive with: every mapped one, and as many that no group maps.
        List<ExternalGroup> pool = new ArrayList<>();
        groups.forEach(g -> pool.addAll(g.mappings()));
        int mapped = pool.size();
        for (int j = 0; j < Math.max(1, mapped); j++) {
            pool.add(new ExternalGroup(IDPS[random.nextInt(IDPS.length)], "other-" + j));
        }
        int[] poolByRank = shuffled(pool.size(), random);
        Zipf poolPopularity = new Zipf(pool.size(), 1.0);

        List<User> users = new ArrayList<>(size.users);
        for (int i = 0; i < size.users; i++) {
            double s = random.nextDouble();
            Status status = s < 0.85 ? Status.ACTIVE : s < 0.93 ? Status.INVITED : Status.DEACTIVATED;
            Classification classification = random.nextDouble() < 0.3 ? Classification.EXTERNAL : Classification.INTERNAL;
            int[] memberships = distinct(groupCount(random), () -> groupByRank[groupPopularity.sample(random)]);
            List<ExternalGroup> external = List.of();
            if (random.nextDouble() < 0.25) {
                int[] picks = distinct(1 + random.nextInt(3), () -> poolByRank[poolPopularity.sample(random)]);
                external = Arrays.stream(picks).mapToObj(pool::get).toList();
            }
            users.add(new User(i, status, classification, memberships, external,
                    assignments(endUserRoles, organizationRoles, apps, appPopularity, random)));
        }
        return users;
    }

    /** Most users in 1-3 groups: 0 (5%), 1 (40%), 2 (30%), 3 (15%), 4 (5%), 5 (3%), 6 (2%). */
    private static int groupCount(SplittableRandom random) {
        double r = random.nextDouble();
        double[] cumulative = {0.05, 0.45, 0.75, 0.90, 0.95, 0.98, 1.0};
        for (int k = 0; k < cumulative.length; k++) {
            if (r < cumulative[k]) {
                return k;
            }
        }
        return cumulative.length - 1;
    }

    private static List<Assignment> assignments(List<Role> endUserRoles, List<Role> organizationRoles, List<String> apps,
            Zipf appPopularity, SplittableRandom random) {
        double r = random.nextDouble();
        if (r < 0.03) {
            // A member: organization roles, mostly organization-wide or on one app (least privilege).
            String custom = organizationRoles.get(random.nextInt(organizationRoles.size())).key();
            String app = apps.get(appPopularity.sample(random));
            String stage = STAGES.get(random.nextInt(STAGES.size()));
            double kind = random.nextDouble();
            if (kind < 0.35) {
                return List.of(new Assignment(BuiltIns.DEVELOPER, null, null));
            } else if (kind < 0.50) {
                return List.of(new Assignment(BuiltIns.ADMINISTRATOR, null, app));
            } else if (kind < 0.75) {
                return List.of(new Assignment(custom, null, null));
            } else if (kind < 0.90) {
                return List.of(new Assignment(custom, null, app), new Assignment(BuiltIns.DEVELOPER, null, null));
            }
            return List.of(new Assignment(custom, stage, null));
        }
        if (r < 0.06) {
            // An end-user role given to one person on one app in one stage.
            return List.of(new Assignment(endUserRoles.get(random.nextInt(endUserRoles.size())).key(),
                    STAGES.get(random.nextInt(STAGES.size())), apps.get(appPopularity.sample(random))));
        }
        return List.of();
    }

    private static int[] shuffled(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Up to {@code count} distinct draws, in the order drawn. */
    private static int[] distinct(int count, java.util.function.IntSupplier draw) {
        int[] picked = new int[count];
        int n = 0;
        for (int attempt = 0; attempt < count * 3 && n < count; attempt++) {
            int candidate = draw.getAsInt();
            boolean seen = false;
            for (int k = 0; k < n; k++) {
                seen |= picked[k] == candidate;
            }
            if (!seen) {
                picked[n++] = candidate;
            }
        }
        return n == count ? picked : Arrays.copyOf(picked, n);
    }
}
