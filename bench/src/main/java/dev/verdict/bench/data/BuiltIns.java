package dev.verdict.bench.data;

import dev.verdict.bench.data.Dataset.Level;
import dev.verdict.bench.data.Dataset.Permission;
import dev.verdict.bench.data.Dataset.PermissionGrant;
import dev.verdict.bench.data.Dataset.Role;
import dev.verdict.bench.data.Dataset.RoleKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The catalogue every organization starts with, written down from README ("The built-in catalogue") rather
 * than taken from the server, so that the expected decisions are independent of the server's code.
 */
public final class BuiltIns {
    public static final String ADMINISTRATOR = "administrator";
    public static final String DEVELOPER = "developer";

    public static final List<Permission> PERMISSIONS = List.of(
            p("apps.view", "App management", Level.ORGANIZATION),
            p("apps.manage", "App management", Level.ORGANIZATION, "apps.view"),
            p("app.view", "App management", Level.APP),
            p("app.change", "App management", Level.APP, "app.debug", "app.deploy"),
            p("app.debug", "App management", Level.APP, "app.view"),
            p("app.deploy", "App management", Level.APP, "app.view"),
            p("app.delete", "App management", Level.APP, "app.view"),
            p("stage.view", "Stage", Level.STAGE),
            p("stage.manage", "Stage", Level.ORGANIZATION),
            p("deployment.view", "Deployment management", Level.STAGE),
            p("deployment.promote", "Deployment management", Level.STAGE, "deployment.view"),
            p("monitoring.logs.view", "Monitoring", Level.APP),
            p("monitoring.metrics.view", "Monitoring", Level.APP),
            p("config.view", "Configurations", Level.APP),
            p("config.change", "Configurations", Level.APP, "config.view"),
            p("config.secrets.manage", "Configurations", Level.STAGE),
            p("users.view", "User management", Level.ORGANIZATION),
            p("users.manage", "User management", Level.ORGANIZATION, "users.view"),
            p("roles.view", "User management", Level.ORGANIZATION),
            p("roles.manage", "User management", Level.ORGANIZATION, "roles.view"),
            p("groups.view", "User management", Level.ORGANIZATION),
            p("groups.manage", "User management", Level.ORGANIZATION, "groups.view"),
            p("api_clients.view", "User management", Level.ORGANIZATION),
            p("api_clients.manage", "User management", Level.ORGANIZATION, "api_clients.view"),
            p("audit.view", "User management", Level.ORGANIZATION),
            p("access.check", "User management", Level.ORGANIZATION),
            p("forge.view", "Forge", Level.ORGANIZATION),
            p("forge.install", "Forge", Level.STAGE, "forge.view"));

    private BuiltIns() {}

    /**
     * {@code administrator}: every permission (custom ones included) in every stage; {@code developer}: views
     * everything, changes apps and configuration and installs Forge components in the first stage only.
     */
    static List<Role> roles(List<String> stages, List<Permission> custom) {
        List<PermissionGrant> all = new ArrayList<>();
        for (Permission permission : PERMISSIONS) {
            all.add(new PermissionGrant(permission.key(), List.of()));
        }
        for (Permission permission : custom) {
            all.add(new PermissionGrant(permission.key(), List.of()));
        }
        List<String> first = List.of(stages.getFirst());
        List<PermissionGrant> developer = List.of(
                grant("apps.view"), grant("app.view"), new PermissionGrant("app.change", first), grant("stage.view"),
                grant("deployment.view"), grant("monitoring.logs.view"), grant("monitoring.metrics.view"),
                grant("config.view"), new PermissionGrant("config.change", first), grant("users.view"),
                grant("roles.view"), grant("groups.view"), grant("forge.view"),
                new PermissionGrant("forge.install", first));
        return List.of(new Role(ADMINISTRATOR, RoleKind.ORGANIZATION, List.copyOf(all)),
                new Role(DEVELOPER, RoleKind.ORGANIZATION, developer));
    }

    private static PermissionGrant grant(String key) {
        return new PermissionGrant(key, List.of());
    }

    private static Permission p(String key, String section, Level level, String... implies) {
        return new Permission(key, section, level, List.of(implies));
    }
}
