package dev.verdict.server.domain;

import static dev.verdict.server.domain.PermissionLevel.APP;
import static dev.verdict.server.domain.PermissionLevel.ORGANIZATION;
import static dev.verdict.server.domain.PermissionLevel.STAGE;

import java.util.ArrayList;
import java.util.List;

/**
 * The permissions and roles every new organization starts with, across the seven sections of the
 * platform's user-management model. README lists them. {@code administrator} holds every permission in
 * every stage (custom permissions included, as they are created); {@code developer} may view everything but
 * API clients and the audit log, and change apps in the organization's first stage only.
 */
public final class BuiltInCatalogue {
    public static final String ADMINISTRATOR = "administrator";
    public static final String DEVELOPER = "developer";

    public static final List<Permission> PERMISSIONS = List.of(
            // App management
            p("apps.view", "List and read apps", "App management", ORGANIZATION),
            p("apps.manage", "Create, change and delete apps", "App management", ORGANIZATION, "apps.view"),
            p("app.view", "View app", "App management", APP),
            p("app.change", "Change app", "App management", APP, "app.debug", "app.deploy"),
            p("app.debug", "Debug app", "App management", APP, "app.view"),
            p("app.deploy", "Deploy app", "App management", APP, "app.view"),
            p("app.delete", "Delete app", "App management", APP, "app.view"),
            // Stage
            p("stage.view", "View stage", "Stage", STAGE),
            p("stage.manage", "Manage stages", "Stage", ORGANIZATION),
            // Deployment management
            p("deployment.view", "View deployments", "Deployment management", STAGE),
            p("deployment.promote", "Deploy apps to the stage", "Deployment management", STAGE, "deployment.view"),
            // Monitoring
            p("monitoring.logs.view", "View app logs", "Monitoring", APP),
            p("monitoring.metrics.view", "View app metrics", "Monitoring", APP),
            // Configurations
            p("config.view", "View app configuration", "Configurations", APP),
            p("config.change", "Change app configuration", "Configurations", APP, "config.view"),
            p("config.secrets.manage", "Manage secrets of a stage", "Configurations", STAGE),
            // User management
            p("users.view", "View users", "User management", ORGANIZATION),
            p("users.manage", "Invite, change and delete users", "User management", ORGANIZATION, "users.view"),
            p("roles.view", "View roles and permissions", "User management", ORGANIZATION),
            p("roles.manage", "Create and change roles and permissions", "User management", ORGANIZATION, "roles.view"),
            p("groups.view", "View end-user groups", "User management", ORGANIZATION),
            p("groups.manage", "Create and change end-user groups", "User management", ORGANIZATION, "groups.view"),
            p("api_clients.view", "View API clients", "User management", ORGANIZATION),
            p("api_clients.manage", "Create, rotate and delete API clients", "User management", ORGANIZATION,
                    "api_clients.view"),
            p("audit.view", "View the change log", "User management", ORGANIZATION),
            p("access.check", "Ask for access decisions", "User management", ORGANIZATION),
            // Forge
            p("forge.view", "Browse Forge components", "Forge", ORGANIZATION),
            p("forge.install", "Install Forge components in a stage", "Forge", STAGE, "forge.view"));

    private BuiltInCatalogue() {}

    /** The built-in roles for an organization with {@code stages} (developer changes apps in the first). */
    public static List<Role> roles(List<String> stages) {
        List<PermissionGrant> all = new ArrayList<>();
        for (Permission permission : PERMISSIONS) {
            all.add(new PermissionGrant(permission.key(), List.of()));
        }
        List<String> firstStage = List.of(stages.getFirst());
        List<PermissionGrant> developer = List.of(
                new PermissionGrant("apps.view", List.of()),
                new PermissionGrant("app.view", List.of()),
                new PermissionGrant("app.change", firstStage),
                new PermissionGrant("stage.view", List.of()),
                new PermissionGrant("deployment.view", List.of()),
                new PermissionGrant("monitoring.logs.view", List.of()),
                new PermissionGrant("monitoring.metrics.view", List.of()),
                new PermissionGrant("config.view", List.of()),
                new PermissionGrant("config.change", firstStage),
                new PermissionGrant("users.view", List.of()),
                new PermissionGrant("roles.view", List.of()),
                new PermissionGrant("groups.view", List.of()),
                new PermissionGrant("forge.view", List.of()),
                new PermissionGrant("forge.install", firstStage));
        return List.of(
                new Role(ADMINISTRATOR, "Administrator", "Every permission in every stage.", RoleKind.ORGANIZATION,
                        List.copyOf(all), true),
                new Role(DEVELOPER, "Developer",
                        "Views everything but API clients and the audit log; changes apps and configurations and installs Forge components in the first stage.",
                        RoleKind.ORGANIZATION, developer, true));
    }

    private static Permission p(String key, String name, String section, PermissionLevel level, String... implies) {
        return new Permission(key, name, section, level, List.of(implies), "", true);
    }
}
