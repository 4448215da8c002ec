package dev.verdict.bench.data;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference rule on a hand-made directory, so that the expected decisions are themselves checked. */
class ReferenceTest {
    private static final ExternalGroup SALES_TEAM = new ExternalGroup("azure-ad", "Sales Team");

    private final Dataset dataset = new Dataset(Size.S, 0, DatasetGenerator.STAGES,
            List.of(new Permission("sales.report.view", "Sales", Level.APP, List.of()),
                    new Permission("sales.report.edit", "Sales", Level.APP, List.of("sales.report.view"))),
            List.of(new Role("sales_editor", RoleKind.END_USER,
                            List.of(new PermissionGrant("sales.report.edit", List.of("production")))),
                    new Role("sales_member", RoleKind.END_USER, List.of())),
            List.of("sales", "crm"),
            List.of(new Group("Editors", "production", List.of(new GroupGrant("sales_editor", "sales")), List.of()),
                    new Group("Members", "qa", List.of(new GroupGrant("sales_member", "crm")), List.of(SALES_TEAM))),
            List.of(user(0, Status.ACTIVE, new int[] {0}, List.of(), List.of()),
                    user(1, Status.ACTIVE, new int[] {}, List.of(SALES_TEAM), List.of()),
                    user(2, Status.DEACTIVATED, new int[] {0}, List.of(), List.of()),
                    user(3, Status.ACTIVE, new int[] {}, List.of(),
                            List.of(new Assignment("developer", null, null)))));
    private final Reference reference = new Reference(dataset);

    @Test
    void groupGrantsApplyInTheGroupsStageOnTheGrantsAppWithImplications() {
        User editor = dataset.users().get(0);
        assertThat(reference.allowsPermission(editor, "sales.report.view", "production", "sales")).isTrue();
        assertThat(reference.allowsPermission(editor, "sales.report.view", "qa", "sales")).isFalse();
        assertThat(reference.allowsPermission(editor, "sales.report.view", "production", "crm")).isFalse();
        assertThat(reference.coveringRoles(editor, "production", "sales")).containsExactly("sales_editor");
    }

    @Test
    void idpMappingMakesAMemberAndRolesWithoutPermissionsCanBeChecked() {
        User mapped = dataset.users().get(1);
        assertThat(reference.allowsRole(mapped, "sales_member", "qa", "crm")).isTrue();
        assertThat(reference.allowsRole(mapped, "sales_member", "production", "crm")).isFalse();
    }

    @Test
    void onlyActiveUsers() {
        User deactivated = dataset.users().get(2);
        assertThat(reference.allowsPermission(deactivated, "sales.report.view", "production", "sales")).isFalse();
        assertThat(reference.coveringRoles(deactivated, "production", "sales")).isEmpty();
    }

    @Test
    void builtInDeveloperChangesAppsInTheFirstStageOnlyAndAdministratorHoldsCustomPermissions() {
        User developer = dataset.users().get(3);
        assertThat(reference.allowsPermission(developer, "app.deploy", "development", "sales")).isTrue();
        assertThat(reference.allowsPermission(developer, "app.deploy", "production", "sales")).isFalse();
        assertThat(reference.allowsPermission(developer, "app.view", "production", "sales")).isTrue();
        assertThat(reference.permissionsByStage("administrator").get("qa")).contains("sales.report.edit", "app.view");
    }

    private static User user(int index, Status status, int[] groups, List<ExternalGroup> external,
            List<Assignment> assignments) {
        return new User(index, status, Classification.INTERNAL, groups, external, assignments);
    }
}
