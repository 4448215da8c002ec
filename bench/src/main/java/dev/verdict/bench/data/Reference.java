package dev.verdict.bench.data;

import dev.verdict.bench.data.Dataset.Assignment;
import dev.verdict.bench.data.Dataset.ExternalGroup;
import dev.verdict.bench.data.Dataset.Group;
import dev.verdict.bench.data.Dataset.GroupGrant;
import dev.verdict.bench.data.Dataset.Permission;
import dev.verdict.bench.data.Dataset.PermissionGrant;
import dev.verdict.bench.data.Dataset.Role;
import dev.verdict.bench.data.Dataset.Status;
import dev.verdict.bench.data.Dataset.User;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The decision rule of DESIGN §2, evaluated naively from a {@link Dataset} alone: a user's grants are its
 * direct assignments plus its groups' grants (direct membership or an IdP mapping matching one of its external
 * groups) scoped to (group stage, grant app); a grant covers a question when its stage and app are unset or
 * equal; a role holding {@code p'} grants every permission in the implication closure of {@code p'}, in all
 * stages or the listed ones; only ACTIVE users are allowed anything. Nothing here is shared with the server.
 */
public final class Reference {
    /** A role held in a scope; null stage or app means every one. */
    public record Grant(String roleKey, String stage, String appKey) {
        boolean covers(String requestStage, String requestApp) {
            return (stage == null || stage.equals(requestStage)) && (appKey == null || appKey.equals(requestApp));
        }
    }

    private final Dataset dataset;
    private final Map<String, Permission> permissions = new LinkedHashMap<>();
    private final Map<String, Set<String>> closures = new HashMap<>();
    private final Map<String, Role> roles = new LinkedHashMap<>();
    private final Map<ExternalGroup, List<Integer>> groupsByMapping = new HashMap<>();

    public Reference(Dataset dataset) {
        this.dataset = dataset;
        dataset.allPermissions().forEach(p -> permissions.put(p.key(), p));
        permissions.keySet().forEach(key -> closures.put(key, closureOf(key)));
        dataset.allRoles().forEach(r -> roles.put(r.key(), r));
        List<Group> groups = dataset.groups();
        for (int g = 0; g < groups.size(); g++) {
            for (ExternalGroup mapping : groups.get(g).mappings()) {
                groupsByMapping.computeIfAbsent(mapping, k -> new ArrayList<>()).add(g);
            }
        }
    }

    public Dataset dataset() {
        return dataset;
    }

    /** The reflexive-transitive implication closure of a permission. */
    public Set<String> closureOf(String permission) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>(List.of(permission));
        while (!todo.isEmpty()) {
            String next = todo.poll();
            if (seen.add(next)) {
                todo.addAll(permissions.get(next).implies());
            }
        }
        return seen;
    }

    /** The groups a user is an effective member of: direct, or through an IdP mapping. */
    public Set<Integer> effectiveGroups(User user) {
        Set<Integer> groups = new TreeSet<>();
        for (int g : user.groups()) {
            groups.add(g);
        }
        for (ExternalGroup external : user.externalGroups()) {
            groups.addAll(groupsByMapping.getOrDefault(external, List.of()));
        }
        return groups;
    }

    /** Every grant of a user, whatever its status. */
    public List<Grant> grants(User user) {
        List<Grant> grants = new ArrayList<>();
        for (Assignment assignment : user.assignments()) {
            grants.add(new Grant(assignment.roleKey(), assignment.stage(), assignment.appKey()));
        }
        for (int g : effectiveGroups(user)) {
            Group group = dataset.groups().get(g);
            for (GroupGrant grant : group.grants()) {
                grants.add(new Grant(grant.roleKey(), group.stage(), grant.appKey()));
            }
        }
        return grants;
    }

    /** Whether {@code role} grants {@code permission} in {@code stage} (null: a question without stage). */
    public boolean roleGrants(String role, String permission, String stage) {
        for (PermissionGrant grant : roles.get(role).grants()) {
            boolean inStage = grant.stages().isEmpty() || (stage != null && grant.stages().contains(stage));
            if (inStage && closures.get(grant.permissionKey()).contains(permission)) {
                return true;
            }
        }
        return false;
    }

    /** CheckAccess for a permission target. */
    public boolean allowsPermission(User user, String permission, String stage, String app) {
        if (user.status() != Status.ACTIVE) {
            return false;
        }
        for (Grant grant : grants(user)) {
            if (grant.covers(stage, app) && roleGrants(grant.roleKey(), permission, stage)) {
                return true;
            }
        }
        return false;
    }

    /** CheckAccess for a role target. */
    public boolean allowsRole(User user, String role, String stage, String app) {
        if (user.status() != Status.ACTIVE) {
            return false;
        }
        for (Grant grant : grants(user)) {
            if (grant.covers(stage, app) && grant.roleKey().equals(role)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The role keys a caller of a stateless PDP would pass for (stage, app): the roles of the user's grants
     * that cover it; none for a user who is not ACTIVE (the caller knows the status). Sorted.
     */
    public Set<String> coveringRoles(User user, String stage, String app) {
        Set<String> covering = new TreeSet<>();
        if (user.status() == Status.ACTIVE) {
            for (Grant grant : grants(user)) {
                if (grant.covers(stage, app)) {
                    covering.add(grant.roleKey());
                }
            }
        }
        return covering;
    }

    /** The permissions a role grants in each stage, implications expanded, sorted. */
    public Map<String, Set<String>> permissionsByStage(String role) {
        Map<String, Set<String>> byStage = new LinkedHashMap<>();
        for (String stage : dataset.stages()) {
            Set<String> granted = new TreeSet<>();
            for (PermissionGrant grant : roles.get(role).grants()) {
                if (grant.stages().isEmpty() || grant.stages().contains(stage)) {
                    granted.addAll(closures.get(grant.permissionKey()));
                }
            }
            byStage.put(stage, granted);
        }
        return byStage;
    }

    public Permission permission(String key) {
        return permissions.get(key);
    }

    public Role role(String key) {
        return roles.get(key);
    }
}
