package dev.verdict.bench.data;

/**
 * The three dataset sizes of the benchmarks (issue 7). Custom permissions come in sections of a few each;
 * roles are split into end-user roles (granted to groups and end-users) and organization roles (members).
 */
public enum Size {
    S(2_000, 50, 200, 6, 5, 20, 5),
    M(100_000, 1_000, 5_000, 8, 6, 50, 8),
    L(1_000_000, 5_000, 20_000, 10, 8, 80, 10);

    final int users;
    final int apps;
    final int groups;
    final int sections;
    final int permissionsPerSection;
    final int endUserRoles;
    final int organizationRoles;

    Size(int users, int apps, int groups, int sections, int permissionsPerSection, int endUserRoles,
            int organizationRoles) {
        this.users = users;
        this.apps = apps;
        this.groups = groups;
        this.sections = sections;
        this.permissionsPerSection = permissionsPerSection;
        this.endUserRoles = endUserRoles;
        this.organizationRoles = organizationRoles;
    }

    public int users() {
        return users;
    }

    public int apps() {
        return apps;
    }

    public int groups() {
        return groups;
    }
}
