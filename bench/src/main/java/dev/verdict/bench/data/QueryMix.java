package dev.verdict.bench.data;

import dev.verdict.bench.data.Dataset.Level;
import dev.verdict.bench.data.Dataset.Permission;
import dev.verdict.bench.data.Dataset.Role;
import dev.verdict.bench.data.Dataset.RoleKind;
import dev.verdict.bench.data.Dataset.User;
import dev.verdict.bench.data.Query.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A realistic mix of questions, each with its expected answer from {@link Reference}: users drawn by Zipf
 * over a shuffled order (so a few users are asked about all the time and stay cached), plus a share of cold
 * users from the far tail, distinct from each other (cache misses); 60% APP-level permissions, 20% STAGE-level
 * ones, 20% end-user roles. Most questions are aimed at one of the user's own grants, so that allows and
 * denies both occur often; inactive users come in at their share of the population (about 15%).
 */
public final class QueryMix {
    /** Share of questions aimed at one of the user's own grants (the rest are drawn at random). */
    static final double AIMED = 0.75;

    private final Reference reference;
    private final Dataset dataset;
    private final List<String> appPermissions = new ArrayList<>();
    private final List<String> stagePermissions = new ArrayList<>();
    private final List<String> endUserRoles = new ArrayList<>();
    /** (role, stage, level) → the permissions the role grants there, implications expanded. */
    private final Map<String, List<String>> granted = new HashMap<>();

    public QueryMix(Reference reference) {
        this.reference = reference;
        this.dataset = reference.dataset();
        for (Permission permission : dataset.allPermissions()) {
            if (permission.level() == Level.APP) {
                appPermissions.add(permission.key());
            } else if (permission.level() == Level.STAGE) {
                stagePermissions.add(permission.key());
            }
        }
        for (Role role : dataset.allRoles()) {
            if (role.kind() == RoleKind.END_USER) {
                endUserRoles.add(role.key());
            }
            for (Map.Entry<String, Set<String>> entry : reference.permissionsByStage(role.key()).entrySet()) {
                for (String key : entry.getValue()) {
                    Level level = reference.permission(key).level();
                    granted.computeIfAbsent(role.key() + "|" + entry.getKey() + "|" + level, k -> new ArrayList<>()).add(key);
                }
            }
        }
    }

    /** {@code count} questions; {@code coldShare} of them (0..1) about distinct cold users. */
    public List<Query> generate(int count, double coldShare, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int users = dataset.users().size();
        int[] userByRank = new int[users];
        for (int i = 0; i < users; i++) {
            userByRank[i] = i;
        }
        for (int i = users - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = userByRank[i];
            userByRank[i] = userByRank[j];
            userByRank[j] = t;
        }
        Zipf userPopularity = new Zipf(users, 1.0);
        Zipf appPopularity = new Zipf(dataset.apps().size(), 1.0);
        int coldRank = users - 1;
        List<Query> queries = new ArrayList<>(count);
        for (int q = 0; q < count; q++) {
            boolean cold = random.nextDouble() < coldShare;
            int rank;
            if (cold) {
                rank = coldRank;
                coldRank = coldRank > 0 ? coldRank - 1 : users - 1;
            } else {
                rank = userPopularity.sample(random);
            }
            queries.add(question(dataset.users().get(userByRank[rank]), cold, random, appPopularity));
        }
        return queries;
    }

    private Query question(User user, boolean cold, SplittableRandom random, Zipf appPopularity) {
        double k = random.nextDouble();
        Kind kind = k < 0.6 ? Kind.APP_PERMISSION : k < 0.8 ? Kind.STAGE_PERMISSION : Kind.END_USER_ROLE;
        String stage = dataset.stages().get(random.nextInt(dataset.stages().size()));
        String app = dataset.apps().get(appPopularity.sample(random));
        String target = null;
        List<Reference.Grant> grants = reference.grants(user);
        if (kind == Kind.STAGE_PERMISSION) {
            // Only a grant without an app covers a question without one: stage questions are about members.
            grants = grants.stream().filter(g -> g.appKey() == null).toList();
        }
        if (!grants.isEmpty() && random.nextDouble() < AIMED) {
            // Aim at one of the user's own grants: its scope, a permission its role holds there.
            Reference.Grant grant = grants.get(random.nextInt(grants.size()));
            stage = grant.stage() != null ? grant.stage() : stage;
            app = grant.appKey() != null ? grant.appKey() : app;
            target = switch (kind) {
                case APP_PERMISSION -> pick(granted.get(grant.roleKey() + "|" + stage + "|" + Level.APP), random);
                case STAGE_PERMISSION -> pick(granted.get(grant.roleKey() + "|" + stage + "|" + Level.STAGE), random);
                case END_USER_ROLE -> reference.role(grant.roleKey()).kind() == RoleKind.END_USER ? grant.roleKey() : null;
            };
        }
        if (target == null) {
            target = switch (kind) {
                case APP_PERMISSION -> appPermissions.get(random.nextInt(appPermissions.size()));
                case STAGE_PERMISSION -> stagePermissions.get(random.nextInt(stagePermissions.size()));
                case END_USER_ROLE -> endUserRoles.get(random.nextInt(endUserRoles.size()));
            };
        }
        if (kind == Kind.STAGE_PERMISSION) {
            app = null;
        }
        boolean allowed = kind == Kind.END_USER_ROLE
                ? reference.allowsRole(user, target, stage, app)
                : reference.allowsPermission(user, target, stage, app);
        return new Query(user.index(), kind, target, stage, app, allowed, cold);
    }

    private static String pick(List<String> keys, SplittableRandom random) {
        return keys == null || keys.isEmpty() ? null : keys.get(random.nextInt(keys.size()));
    }
}
