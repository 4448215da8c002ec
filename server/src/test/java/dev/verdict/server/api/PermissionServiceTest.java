package dev.verdict.server.api;

import static dev.verdict.server.TestServer.failure;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import dev.verdict.server.Errors;
import dev.verdict.server.TestServer;
import dev.verdict.v1.CreatePermissionRequest;
import dev.verdict.v1.CreateRoleRequest;
import dev.verdict.v1.DeletePermissionRequest;
import dev.verdict.v1.GetPermissionRequest;
import dev.verdict.v1.GetRoleRequest;
import dev.verdict.v1.ListPermissionsRequest;
import dev.verdict.v1.Permission;
import dev.verdict.v1.PermissionGrant;
import dev.verdict.v1.PermissionLevel;
import dev.verdict.v1.PermissionServiceGrpc;
import dev.verdict.v1.Role;
import dev.verdict.v1.RoleKind;
import dev.verdict.v1.RoleServiceGrpc;
import dev.verdict.v1.UpdatePermissionRequest;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PermissionServiceTest {
    private final PermissionServiceGrpc.PermissionServiceBlockingStub permissions =
            PermissionServiceGrpc.newBlockingStub(TestServer.channel());
    private final RoleServiceGrpc.RoleServiceBlockingStub roles = RoleServiceGrpc.newBlockingStub(TestServer.channel());
    private final String org = TestServer.newOrganization();

    private static Permission.Builder permission(String key, PermissionLevel level, String... implies) {
        return Permission.newBuilder().setKey(key).setLevel(level).addAllImplies(List.of(implies));
    }

    private Permission create(Permission.Builder permission) {
        return permissions.createPermission(CreatePermissionRequest.newBuilder()
                .setOrganizationId(org).setPermission(permission).build()).getPermission();
    }

    private Permission get(String key) {
        return permissions.getPermission(GetPermissionRequest.newBuilder().setOrganizationId(org).setKey(key).build())
                .getPermission();
    }

    private UpdatePermissionRequest update(Permission.Builder permission, String... paths) {
        return UpdatePermissionRequest.newBuilder()
                .setOrganizationId(org)
                .setPermission(permission)
                .setUpdateMask(FieldMask.newBuilder().addAllPaths(List.of(paths)))
                .build();
    }

    private DeletePermissionRequest delete(String key, boolean force) {
        return DeletePermissionRequest.newBuilder().setOrganizationId(org).setKey(key).setForce(force).build();
    }

    private List<Permission> listAll(ListPermissionsRequest.Builder request) {
        return permissions.listPermissions(request.setOrganizationId(org).setPageSize(1000).build()).getPermissionsList();
    }

    @Test
    void createsACustomPermissionWithDefaults() {
        var response = permissions.createPermission(CreatePermissionRequest.newBuilder()
                .setOrganizationId(org)
                .setPermission(permission("reports.export", PermissionLevel.PERMISSION_LEVEL_APP, "app.view")
                        .setDescription("Export reports"))
                .build());
        Permission created = response.getPermission();
        assertThat(created.getKey()).isEqualTo("reports.export");
        assertThat(created.getDisplayName()).isEqualTo("reports.export");
        assertThat(created.getSection()).isEqualTo("Custom");
        assertThat(created.getLevel()).isEqualTo(PermissionLevel.PERMISSION_LEVEL_APP);
        assertThat(created.getImpliesList()).containsExactly("app.view");
        assertThat(created.getDescription()).isEqualTo("Export reports");
        assertThat(created.getBuiltIn()).isFalse();
        assertThat(response.getRevisionToken()).isEqualTo("2");
        assertThat(get("reports.export")).isEqualTo(created);
    }

    @Test
    void keepsAGivenDisplayNameAndSection() {
        Permission created = create(permission("billing.view", PermissionLevel.PERMISSION_LEVEL_ORGANIZATION)
                .setDisplayName("View billing").setSection("Billing"));
        assertThat(created.getDisplayName()).isEqualTo("View billing");
        assertThat(created.getSection()).isEqualTo("Billing");
    }

    @Test
    void aNewPermissionIsGrantedToTheAdministratorInEveryStage() {
        create(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_STAGE));
        Role administrator = roles.getRole(GetRoleRequest.newBuilder().setOrganizationId(org).setKey("administrator").build())
                .getRole();
        assertThat(administrator.getGrantsList())
                .contains(PermissionGrant.newBuilder().setPermissionKey("reports.view").build());
    }

    @Test
    void levelIsRequired() {
        var e = failure(() -> create(Permission.newBuilder().setKey("reports.view")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("permission.level");
    }

    @Test
    void badKeyIsInvalid() {
        var e = failure(() -> create(permission("Reports.View", PermissionLevel.PERMISSION_LEVEL_APP)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("permission.key");
    }

    @Test
    void duplicateKeyIsAlreadyExists() {
        create(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_APP));
        var e = failure(() -> create(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_STAGE)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        var builtIn = failure(() -> create(permission("app.view", PermissionLevel.PERMISSION_LEVEL_APP)));
        assertThat(builtIn.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    }

    @Test
    void retriedCreateWithSameRequestIdReturnsTheFirstResult() {
        var request = CreatePermissionRequest.newBuilder()
                .setOrganizationId(org)
                .setPermission(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_APP))
                .setRequestId(UUID.randomUUID().toString())
                .build();
        assertThat(permissions.createPermission(request)).isEqualTo(permissions.createPermission(request));
    }

    @Test
    void unknownImpliedKeyNamesTheFieldAndWritesNothing() {
        var e = failure(() -> create(permission("reports.export", PermissionLevel.PERMISSION_LEVEL_APP,
                "app.view", "reports.view")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("permission.implies[1]");
        var missing = failure(() -> get("reports.export"));
        assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void selfImplicationIsRefused() {
        var atCreate = failure(() -> create(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_APP, "reports.view")));
        assertThat(atCreate.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(atCreate)).containsExactly("permission.implies");
        assertThat(atCreate.getStatus().getDescription()).contains("reports.view → reports.view");

        create(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_APP));
        var atUpdate = failure(() -> permissions.updatePermission(
                update(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_APP, "reports.view"), "implies")));
        assertThat(atUpdate.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(atUpdate)).containsExactly("permission.implies");
        assertThat(get("reports.view").getImpliesList()).isEmpty();
    }

    @Test
    void twoStepCycleIsRefusedAndNamed() {
        create(permission("a.x", PermissionLevel.PERMISSION_LEVEL_APP));
        create(permission("b.y", PermissionLevel.PERMISSION_LEVEL_APP, "a.x"));
        var e = failure(() -> permissions.updatePermission(
                update(permission("a.x", PermissionLevel.PERMISSION_LEVEL_APP, "b.y"), "implies")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("permission.implies");
        assertThat(e.getStatus().getDescription()).contains("a.x → b.y → a.x");
        assertThat(get("a.x").getImpliesList()).isEmpty();
    }

    @Test
    void longerCycleIsRefusedAndNamed() {
        create(permission("a.x", PermissionLevel.PERMISSION_LEVEL_APP));
        create(permission("b.y", PermissionLevel.PERMISSION_LEVEL_STAGE, "a.x"));
        create(permission("c.z", PermissionLevel.PERMISSION_LEVEL_ORGANIZATION, "b.y"));
        create(permission("d.w", PermissionLevel.PERMISSION_LEVEL_APP, "c.z"));
        var e = failure(() -> permissions.updatePermission(
                update(permission("a.x", PermissionLevel.PERMISSION_LEVEL_APP, "app.view", "d.w")
                        .setDisplayName("changed"), "implies", "display_name")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("permission.implies");
        assertThat(e.getStatus().getDescription()).contains("a.x → d.w → c.z → b.y → a.x");
        Permission unchanged = get("a.x");
        assertThat(unchanged.getImpliesList()).isEmpty();
        assertThat(unchanged.getDisplayName()).isEqualTo("a.x");
    }

    @Test
    void implicationsMayCrossLevelsAndFormADiamond() {
        create(permission("a.x", PermissionLevel.PERMISSION_LEVEL_APP));
        create(permission("b.y", PermissionLevel.PERMISSION_LEVEL_STAGE, "a.x"));
        create(permission("c.z", PermissionLevel.PERMISSION_LEVEL_ORGANIZATION, "a.x"));
        Permission top = create(permission("d.w", PermissionLevel.PERMISSION_LEVEL_APP, "c.z", "b.y"));
        assertThat(top.getImpliesList()).containsExactlyInAnyOrder("b.y", "c.z");
    }

    @Test
    void updatesDisplayNameSectionDescriptionAndImplies() {
        create(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_APP));
        create(permission("reports.export", PermissionLevel.PERMISSION_LEVEL_APP, "app.view"));
        var response = permissions.updatePermission(update(
                permission("reports.export", PermissionLevel.PERMISSION_LEVEL_APP, "reports.view", "app.debug")
                        .setDisplayName("Export reports").setSection("Reports").setDescription("CSV and PDF"),
                "display_name", "section", "description", "implies"));
        Permission updated = response.getPermission();
        assertThat(updated.getDisplayName()).isEqualTo("Export reports");
        assertThat(updated.getSection()).isEqualTo("Reports");
        assertThat(updated.getDescription()).isEqualTo("CSV and PDF");
        assertThat(updated.getImpliesList()).containsExactlyInAnyOrder("reports.view", "app.debug");
        assertThat(updated.getLevel()).isEqualTo(PermissionLevel.PERMISSION_LEVEL_APP);
        assertThat(response.getRevisionToken()).isEqualTo("4");
        assertThat(get("reports.export")).isEqualTo(updated);
    }

    @Test
    void updateChangesOnlyTheMaskedFields() {
        create(permission("reports.export", PermissionLevel.PERMISSION_LEVEL_APP, "app.view").setDescription("keep"));
        Permission updated = permissions.updatePermission(update(
                permission("reports.export", PermissionLevel.PERMISSION_LEVEL_APP).setDisplayName("Export"),
                "display_name")).getPermission();
        assertThat(updated.getDisplayName()).isEqualTo("Export");
        assertThat(updated.getImpliesList()).containsExactly("app.view");
        assertThat(updated.getDescription()).isEqualTo("keep");
        assertThat(updated.getSection()).isEqualTo("Custom");
    }

    @Test
    void levelCannotBeUpdated() {
        create(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_APP));
        var e = failure(() -> permissions.updatePermission(
                update(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_STAGE), "level")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("update_mask");
        assertThat(get("reports.view").getLevel()).isEqualTo(PermissionLevel.PERMISSION_LEVEL_APP);
    }

    @Test
    void unknownImpliedKeyInUpdateNamesTheField() {
        create(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_APP, "app.view"));
        var e = failure(() -> permissions.updatePermission(
                update(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_APP, "nope.nothing"), "implies")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("permission.implies[0]");
        assertThat(get("reports.view").getImpliesList()).containsExactly("app.view");
    }

    @Test
    void updatingAMissingPermissionIsNotFound() {
        var e = failure(() -> permissions.updatePermission(
                update(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_APP).setDisplayName("x"), "display_name")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void builtInPermissionCannotBeChangedOrDeleted() {
        Permission before = get("app.change");
        var updated = failure(() -> permissions.updatePermission(
                update(permission("app.change", PermissionLevel.PERMISSION_LEVEL_APP).setDisplayName("Mine"), "display_name")));
        assertThat(updated.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(Errors.preconditionTypes(updated)).containsExactly("BUILT_IN");
        var deleted = failure(() -> permissions.deletePermission(delete("app.change", true)));
        assertThat(deleted.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(Errors.preconditionTypes(deleted)).containsExactly("BUILT_IN");
        assertThat(get("app.change")).isEqualTo(before);
    }

    @Test
    void seededCatalogueIsVisible() {
        Permission change = get("app.change");
        assertThat(change.getBuiltIn()).isTrue();
        assertThat(change.getLevel()).isEqualTo(PermissionLevel.PERMISSION_LEVEL_APP);
        assertThat(change.getSection()).isEqualTo("App management");
        assertThat(change.getImpliesList()).containsExactly("app.debug", "app.deploy");
        List<Permission> all = listAll(ListPermissionsRequest.newBuilder());
        assertThat(all).contains(change);
        assertThat(all).extracting(Permission::getKey).isSorted().contains("users.manage", "forge.install");
        assertThat(all).allMatch(Permission::getBuiltIn);
    }

    @Test
    void listsBySectionAndLevel() {
        create(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_APP).setSection("Reports"));
        create(permission("reports.manage", PermissionLevel.PERMISSION_LEVEL_ORGANIZATION).setSection("Reports"));
        assertThat(listAll(ListPermissionsRequest.newBuilder().setSection("Reports")))
                .extracting(Permission::getKey).containsExactly("reports.manage", "reports.view");
        assertThat(listAll(ListPermissionsRequest.newBuilder().setSection("Reports")
                .setLevel(PermissionLevel.PERMISSION_LEVEL_APP)))
                .extracting(Permission::getKey).containsExactly("reports.view");
        assertThat(listAll(ListPermissionsRequest.newBuilder().setLevel(PermissionLevel.PERMISSION_LEVEL_STAGE)))
                .extracting(Permission::getLevel).containsOnly(PermissionLevel.PERMISSION_LEVEL_STAGE)
                .isNotEmpty();
    }

    @Test
    void listsPageByPage() {
        List<String> expected = listAll(ListPermissionsRequest.newBuilder()).stream().map(Permission::getKey).toList();
        List<String> seen = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            var page = permissions.listPermissions(ListPermissionsRequest.newBuilder()
                    .setOrganizationId(org).setPageSize(10).setPageToken(token).build());
            assertThat(page.getPermissionsCount()).isLessThanOrEqualTo(10);
            page.getPermissionsList().forEach(p -> seen.add(p.getKey()));
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());
        assertThat(seen).isEqualTo(expected);
        assertThat(pages).isEqualTo((expected.size() + 9) / 10);
    }

    @Test
    void garbagePageTokenIsInvalid() {
        var e = failure(() -> permissions.listPermissions(ListPermissionsRequest.newBuilder()
                .setOrganizationId(org).setPageToken("!!!").build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("page_token");
    }

    @Test
    void deletesAnUnusedCustomPermissionAndItsAdministratorGrant() {
        create(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_APP, "app.view"));
        var deleted = permissions.deletePermission(delete("reports.view", false));
        assertThat(deleted.getRevisionToken()).isEqualTo("3");
        assertThat(failure(() -> get("reports.view")).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        Role administrator = roles.getRole(GetRoleRequest.newBuilder().setOrganizationId(org).setKey("administrator").build())
                .getRole();
        assertThat(administrator.getGrantsList()).extracting(PermissionGrant::getPermissionKey).doesNotContain("reports.view");
    }

    @Test
    void deleteOfAPermissionGrantedByARoleIsRefusedUnlessForced() {
        create(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_APP));
        roles.createRole(CreateRoleRequest.newBuilder().setOrganizationId(org).setRole(Role.newBuilder()
                .setKey("reporter").setKind(RoleKind.ROLE_KIND_END_USER)
                .addGrants(PermissionGrant.newBuilder().setPermissionKey("reports.view"))
                .addGrants(PermissionGrant.newBuilder().setPermissionKey("app.view"))).build());
        var e = failure(() -> permissions.deletePermission(delete("reports.view", false)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(Errors.preconditionTypes(e)).containsExactly("IN_USE");
        assertThat(get("reports.view").getKey()).isEqualTo("reports.view");

        permissions.deletePermission(delete("reports.view", true));
        assertThat(failure(() -> get("reports.view")).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        Role reporter = roles.getRole(GetRoleRequest.newBuilder().setOrganizationId(org).setKey("reporter").build()).getRole();
        assertThat(reporter.getGrantsList()).extracting(PermissionGrant::getPermissionKey).containsExactly("app.view");
    }

    @Test
    void deleteOfAnImpliedPermissionIsRefusedUnlessForced() {
        create(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_APP));
        create(permission("reports.export", PermissionLevel.PERMISSION_LEVEL_APP, "reports.view", "app.view"));
        var e = failure(() -> permissions.deletePermission(delete("reports.view", false)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(Errors.preconditionTypes(e)).containsExactly("IN_USE");

        permissions.deletePermission(delete("reports.view", true));
        assertThat(get("reports.export").getImpliesList()).containsExactly("app.view");
    }

    @Test
    void deletingAMissingPermissionIsNotFound() {
        var e = failure(() -> permissions.deletePermission(delete("reports.view", false)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void anotherOrganizationsPermissionIsNotFound() {
        create(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_APP));
        String other = TestServer.newOrganization();
        var read = failure(() -> permissions.getPermission(
                GetPermissionRequest.newBuilder().setOrganizationId(other).setKey("reports.view").build()));
        assertThat(read.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        var updated = failure(() -> permissions.updatePermission(update(
                permission("reports.view", PermissionLevel.PERMISSION_LEVEL_APP).setDisplayName("x"), "display_name")
                .toBuilder().setOrganizationId(other).build()));
        assertThat(updated.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        var deleted = failure(() -> permissions.deletePermission(delete("reports.view", true).toBuilder()
                .setOrganizationId(other).build()));
        assertThat(deleted.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        var implied = failure(() -> permissions.createPermission(CreatePermissionRequest.newBuilder()
                .setOrganizationId(other)
                .setPermission(permission("reports.export", PermissionLevel.PERMISSION_LEVEL_APP, "reports.view"))
                .build()));
        assertThat(Errors.badFields(implied)).containsExactly("permission.implies[0]");
        assertThat(permissions.listPermissions(ListPermissionsRequest.newBuilder().setOrganizationId(other)
                .setSection("Custom").build()).getPermissionsList()).isEmpty();
        assertThat(get("reports.view").getDisplayName()).isEqualTo("reports.view");
    }

    @Test
    void unknownOrganizationIsNotFound() {
        String missing = UUID.randomUUID().toString();
        var created = failure(() -> permissions.createPermission(CreatePermissionRequest.newBuilder()
                .setOrganizationId(missing)
                .setPermission(permission("reports.view", PermissionLevel.PERMISSION_LEVEL_APP)).build()));
        assertThat(created.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        var listed = failure(() -> permissions.listPermissions(
                ListPermissionsRequest.newBuilder().setOrganizationId(missing).build()));
        assertThat(listed.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }
}
