package dev.verdict.bench.data;

import java.util.ArrayList;
import java.util.List;

/**
 * One organization's directory as plain values, the same for every peer: what the loader sends to Verdict,
 * what the reference evaluator decides from, and what the Cerbos and jCasbin models are generated from.
 * Built-in permissions and roles are not listed in the generated parts: {@link BuiltIns} holds them, and
 * {@link #allPermissions()} / {@link #allRoles()} put the two together.
 *
 * @param permissions custom permissions in creation order (every implied key is created earlier or built in)
 * @param roles       custom roles, end-user and organization
 * @param users       users by index; a user's id is only known once loaded
 */
public record Dataset(Size size, long seed, List<String> stages, List<Permission> permissions, List<Role> roles,
        List<String> apps, List<Group> groups, List<User> users) {

    public enum Level { ORGANIZATION, STAGE, APP }

    public enum RoleKind { ORGANIZATION, END_USER }

    public enum Status { INVITED, ACTIVE, DEACTIVATED }

    public enum Classification { INTERNAL, EXTERNAL }

    /** A permission; {@code implies} are keys of other permissions. */
    public record Permission(String key, String section, Level level, List<String> implies) {}

    /** A permission a role holds, in every stage ({@code stages} empty) or in the listed ones. */
    public record PermissionGrant(String permissionKey, List<String> stages) {}

    public record Role(String key, RoleKind kind, List<PermissionGrant> grants) {}

    /** An end-user role granted to a group on one app, in the group's stage. */
    public record GroupGrant(String roleKey, String appKey) {}

    /** An identity-provider group; as a mapping of a group, or as an external group of a user. */
    public record ExternalGroup(String idp, String name) {}

    public record Group(String name, String stage, List<GroupGrant> grants, List<ExternalGroup> mappings) {}

    /** A role held by a user directly, in a scope; null stage or app means every stage or app. */
    public record Assignment(String roleKey, String stage, String appKey) {}

    /**
     * A user. {@code groups} are indexes into {@link Dataset#groups()} (an array, not a list of boxed
     * integers: L has a million users).
     */
    public record User(int index, Status status, Classification classification, int[] groups,
            List<ExternalGroup> externalGroups, List<Assignment> assignments) {

        public String email() {
            return "user" + index + (classification == Classification.EXTERNAL ? "@partner.example" : "@acme.example");
        }

        public String displayName() {
            return "User " + index;
        }
    }

    /** Built-in permissions, then the custom ones. */
    public List<Permission> allPermissions() {
        List<Permission> all = new ArrayList<>(BuiltIns.PERMISSIONS);
        all.addAll(permissions);
        return all;
    }

    /** The built-in roles ({@code administrator} holds the custom permissions too), then the custom ones. */
    public List<Role> allRoles() {
        List<Role> all = new ArrayList<>(BuiltIns.roles(stages, permissions));
        all.addAll(roles);
        return all;
    }
}
