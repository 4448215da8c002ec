package dev.verdict.server.api;

import static dev.verdict.server.TestServer.failure;
import static dev.verdict.server.store.schema.Tables.APP;
import static dev.verdict.server.store.schema.Tables.APP_USER;
import static dev.verdict.server.store.schema.Tables.ASSIGNMENT;
import static dev.verdict.server.store.schema.Tables.CHANGE_LOG;
import static dev.verdict.server.store.schema.Tables.GROUP_ROLE_GRANT;
import static dev.verdict.server.store.schema.Tables.USER_GROUP;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import dev.verdict.server.Errors;
import dev.verdict.server.TestServer;
import dev.verdict.v1.CreatePermissionRequest;
import dev.verdict.v1.CreateRoleRequest;
import dev.verdict.v1.DeleteRoleRequest;
import dev.verdict.v1.GetRoleRequest;
import dev.verdict.v1.ListPermissionsRequest;
import dev.verdict.v1.ListRolesRequest;
import dev.verdict.v1.Permission;
import dev.verdict.v1.PermissionGrant;
import dev.verdict.v1.PermissionLevel;
import dev.verdict.v1.PermissionServiceGrpc;
import dev.verdict.v1.Role;
import dev.verdict.v1.RoleKind;
import dev.verdict.v1.RoleServiceGrpc;
import dev.verdict.v1.UpdateRoleRequest;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

class RoleServiceTest {
    private final RoleServiceGrpc.RoleServiceBlockingStub roles = RoleServiceGrpc.newBlockingStub(TestServer.channel());
    private final PermissionServiceGrpc.PermissionServiceBlockingStub permissions =
            PermissionServiceGrpc.newBlockingStub(TestServer.channel());
    private final String org = TestServer.newOrganization();

    private static PermissionGrant grant(String permission, String... stages) {
        return PermissionGrant.newBuilder().setPermissionKey(permission).addAllStages(List.of(stages)).build();
    }

    private static Role.Builder role(String key, RoleKind kind, PermissionGrant... grants) {
        return Role.newBuilder().setKey(key).setKind(kind).addAllGrants(List.of(grants));
    }

    private Role create(Role.Builder role) {
        return roles.createRole(CreateRoleRequest.newBuilder().setOrganizationId(org).setRole(role).build()).getRole();
    }

    private Role get(String key) {
        return roles.getRole(GetRoleRequest.newBuilder().setOrganizationId(org).setKey(key).build()).getRole();
    }

    private UpdateRoleRequest update(Role.Builder role, String... paths) {
        return UpdateRoleRequest.newBuilder()
                .setOrganizationId(org)
                .setRole(role)
                .setUpdateMask(FieldMask.newBuilder().addAllPaths(List.of(paths)))
                .build();
    }

    private DeleteRoleRequest delete(String key, boolean force) {
        return DeleteRoleRequest.newBuilder().setOrganizationId(org).setKey(key).setForce(force).build();
    }

    private static DSLContext db() {
        return TestServer.server().database().dsl();
    }

    /** Inserts a user directly (UserService is not this service's concern) and returns its id. */
    private UUID insertUser() {
        UUID id = UUID.randomUUID();
        String email = id + "@example.com";
        db().insertInto(APP_USER)
                .set(APP_USER.ORGANIZATION_ID, UUID.fromString(org))
                .set(APP_USER.USER_ID, id)
                .set(APP_USER.EMAIL, email)
                .set(APP_USER.EMAIL_KEY, email)
                .set(APP_USER.DISPLAY_NAME, "Someone")
                .set(APP_USER.STATUS, "ACTIVE")
                .set(APP_USER.CLASSIFICATION, "INTERNAL")
                .execute();
        return id;
    }

    private void insertAssignment(UUID user, String role) {
        db().insertInto(ASSIGNMENT)
                .set(ASSIGNMENT.ORGANIZATION_ID, UUID.fromString(org))
                .set(ASSIGNMENT.ASSIGNMENT_ID, UUID.randomUUID())
                .set(ASSIGNMENT.USER_ID, user)
                .set(ASSIGNMENT.ROLE_KEY, role)
                .execute();
    }

    private int assignmentsOf(String role) {
        return db().fetchCount(ASSIGNMENT,
                ASSIGNMENT.ORGANIZATION_ID.eq(UUID.fromString(org)).and(ASSIGNMENT.ROLE_KEY.eq(role)));
    }

    @Test
    void createsARoleWithGrants() {
        var response = roles.createRole(CreateRoleRequest.newBuilder()
                .setOrganizationId(org)
                .setRole(role("release_manager", RoleKind.ROLE_KIND_ORGANIZATION,
                        grant("app.view"), grant("deployment.promote", "qa", "production"), grant("users.view"))
                        .setDescription("Promotes releases"))
                .build());
        Role created = response.getRole();
        assertThat(created.getKey()).isEqualTo("release_manager");
        assertThat(created.getDisplayName()).isEqualTo("release_manager");
        assertThat(created.getDescription()).isEqualTo("Promotes releases");
        assertThat(created.getKind()).isEqualTo(RoleKind.ROLE_KIND_ORGANIZATION);
        assertThat(created.getBuiltIn()).isFalse();
        assertThat(created.getGrantsList()).containsExactly(
                grant("app.view"), grant("deployment.promote", "qa", "production"), grant("users.view"));
        assertThat(response.getRevisionToken()).isEqualTo("2");
        assertThat(get("release_manager")).isEqualTo(created);
    }

    @Test
    void endUserRoleMayHaveNoPermissions() {
        Role created = create(role("viewer", RoleKind.ROLE_KIND_END_USER).setDisplayName("Viewer"));
        assertThat(created.getGrantsList()).isEmpty();
        assertThat(created.getDisplayName()).isEqualTo("Viewer");
        assertThat(created.getKind()).isEqualTo(RoleKind.ROLE_KIND_END_USER);
    }

    @Test
    void kindIsRequired() {
        var e = failure(() -> create(Role.newBuilder().setKey("viewer")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("role.kind");
    }

    @Test
    void duplicateKeyIsAlreadyExists() {
        create(role("viewer", RoleKind.ROLE_KIND_END_USER));
        var e = failure(() -> create(role("viewer", RoleKind.ROLE_KIND_ORGANIZATION)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        var builtIn = failure(() -> create(role("developer", RoleKind.ROLE_KIND_ORGANIZATION)));
        assertThat(builtIn.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    }

    @Test
    void retriedCreateWithSameRequestIdReturnsTheFirstResult() {
        var request = CreateRoleRequest.newBuilder()
                .setOrganizationId(org)
                .setRole(role("viewer", RoleKind.ROLE_KIND_END_USER, grant("app.view")))
                .setRequestId(UUID.randomUUID().toString())
                .build();
        assertThat(roles.createRole(request)).isEqualTo(roles.createRole(request));
    }

    @Test
    void unknownPermissionNamesTheGrantAndWritesNothing() {
        var e = failure(() -> create(role("viewer", RoleKind.ROLE_KIND_ORGANIZATION, grant("app.view"), grant("nope.none"))));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("role.grants[1].permission_key");
        assertThat(failure(() -> get("viewer")).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void samePermissionTwiceIsInvalid() {
        var e = failure(() -> create(role("viewer", RoleKind.ROLE_KIND_ORGANIZATION,
                grant("app.view"), grant("stage.view"), grant("app.view", "qa"))));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("role.grants[2].permission_key");
    }

    @Test
    void unknownStageNamesTheStage() {
        var e = failure(() -> create(role("viewer", RoleKind.ROLE_KIND_ORGANIZATION, grant("app.view", "staging"))));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("role.grants[0].stages[0]");
        var second = failure(() -> create(role("viewer", RoleKind.ROLE_KIND_ORGANIZATION,
                grant("app.view"), grant("stage.view", "qa", "staging"))));
        assertThat(Errors.badFields(second)).containsExactly("role.grants[1].stages[1]");
    }

    @Test
    void organizationLevelPermissionWithStagesIsRefused() {
        var e = failure(() -> create(role("auditor", RoleKind.ROLE_KIND_ORGANIZATION, grant("audit.view", "production"))));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("role.grants[0].stages");
        assertThat(create(role("auditor", RoleKind.ROLE_KIND_ORGANIZATION, grant("audit.view"))).getGrantsList())
                .containsExactly(grant("audit.view"));
    }

    @Test
    void endUserRoleWithANonAppPermissionIsRefused() {
        var orgLevel = failure(() -> create(role("viewer", RoleKind.ROLE_KIND_END_USER, grant("app.view"), grant("users.view"))));
        assertThat(orgLevel.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(orgLevel)).containsExactly("role.grants[1].permission_key");
        var stage = failure(() -> create(role("viewer", RoleKind.ROLE_KIND_END_USER, grant("stage.view"))));
        assertThat(Errors.badFields(stage)).containsExactly("role.grants[0].permission_key");
    }

    @Test
    void builtInRolesExistAndAdministratorHoldsEveryPermission() {
        permissions.createPermission(CreatePermissionRequest.newBuilder().setOrganizationId(org)
                .setPermission(Permission.newBuilder().setKey("reports.view").setLevel(PermissionLevel.PERMISSION_LEVEL_APP))
                .build());
        Role administrator = get("administrator");
        assertThat(administrator.getBuiltIn()).isTrue();
        assertThat(administrator.getKind()).isEqualTo(RoleKind.ROLE_KIND_ORGANIZATION);
        List<String> every = permissions.listPermissions(ListPermissionsRequest.newBuilder()
                .setOrganizationId(org).setPageSize(1000).build())
                .getPermissionsList().stream().map(Permission::getKey).toList();
        assertThat(administrator.getGrantsList()).extracting(PermissionGrant::getPermissionKey)
                .containsExactlyElementsOf(every)
                .contains("reports.view");
        assertThat(administrator.getGrantsList()).allMatch(g -> g.getStagesCount() == 0);
        Role developer = get("developer");
        assertThat(developer.getBuiltIn()).isTrue();
        assertThat(developer.getGrantsList()).contains(grant("app.change", "development"), grant("app.view"));
    }

    @Test
    void builtInRoleCannotBeEditedOrDeleted() {
        for (String key : List.of("administrator", "developer")) {
            Role before = get(key);
            var updated = failure(() -> roles.updateRole(update(
                    role(key, RoleKind.ROLE_KIND_ORGANIZATION, grant("app.view")).setDisplayName("Mine"),
                    "display_name", "grants")));
            assertThat(updated.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(Errors.preconditionTypes(updated)).containsExactly("BUILT_IN");
            var deleted = failure(() -> roles.deleteRole(delete(key, true)));
            assertThat(deleted.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(Errors.preconditionTypes(deleted)).containsExactly("BUILT_IN");
            assertThat(get(key)).isEqualTo(before);
        }
    }

    @Test
    void updatesDisplayNameDescriptionAndGrants() {
        create(role("release_manager", RoleKind.ROLE_KIND_ORGANIZATION, grant("app.view"), grant("users.view")));
        var response = roles.updateRole(update(role("release_manager", RoleKind.ROLE_KIND_ORGANIZATION,
                        grant("deployment.promote", "production"), grant("app.view", "qa"))
                        .setDisplayName("Release manager").setDescription("Ships"),
                "display_name", "description", "grants"));
        Role updated = response.getRole();
        assertThat(updated.getDisplayName()).isEqualTo("Release manager");
        assertThat(updated.getDescription()).isEqualTo("Ships");
        assertThat(updated.getGrantsList()).containsExactly(grant("app.view", "qa"), grant("deployment.promote", "production"));
        assertThat(response.getRevisionToken()).isEqualTo("3");
        assertThat(get("release_manager")).isEqualTo(updated);
    }

    @Test
    void updateChangesOnlyTheMaskedFields() {
        create(role("viewer", RoleKind.ROLE_KIND_END_USER, grant("app.view")).setDescription("keep"));
        Role updated = roles.updateRole(update(role("viewer", RoleKind.ROLE_KIND_END_USER).setDisplayName("Viewer"),
                "display_name")).getRole();
        assertThat(updated.getDisplayName()).isEqualTo("Viewer");
        assertThat(updated.getDescription()).isEqualTo("keep");
        assertThat(updated.getGrantsList()).containsExactly(grant("app.view"));
    }

    @Test
    void kindOrKeyInTheMaskIsInvalid() {
        create(role("viewer", RoleKind.ROLE_KIND_END_USER));
        for (String path : List.of("kind", "key")) {
            var e = failure(() -> roles.updateRole(update(role("viewer", RoleKind.ROLE_KIND_ORGANIZATION), path)));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(Errors.badFields(e)).containsExactly("update_mask");
        }
        assertThat(get("viewer").getKind()).isEqualTo(RoleKind.ROLE_KIND_END_USER);
    }

    @Test
    void updatedGrantsAreValidatedAgainstTheRolesKindAndWriteNothingWhenBad() {
        create(role("viewer", RoleKind.ROLE_KIND_END_USER, grant("app.view")).setDisplayName("Viewer"));
        var e = failure(() -> roles.updateRole(update(role("viewer", RoleKind.ROLE_KIND_END_USER,
                grant("config.view"), grant("users.manage")).setDisplayName("Changed"), "display_name", "grants")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("role.grants[1].permission_key");
        var stage = failure(() -> roles.updateRole(update(role("viewer", RoleKind.ROLE_KIND_END_USER,
                grant("app.view", "nowhere")), "grants")));
        assertThat(Errors.badFields(stage)).containsExactly("role.grants[0].stages[0]");
        Role unchanged = get("viewer");
        assertThat(unchanged.getDisplayName()).isEqualTo("Viewer");
        assertThat(unchanged.getGrantsList()).containsExactly(grant("app.view"));
    }

    @Test
    void updatingAMissingRoleIsNotFound() {
        var e = failure(() -> roles.updateRole(update(role("ghost", RoleKind.ROLE_KIND_END_USER).setDisplayName("x"),
                "display_name")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void listsByKindOrderedByKey() {
        create(role("zeta_viewer", RoleKind.ROLE_KIND_END_USER));
        create(role("alpha_viewer", RoleKind.ROLE_KIND_END_USER, grant("app.view")));
        create(role("auditor", RoleKind.ROLE_KIND_ORGANIZATION, grant("audit.view")));
        var all = roles.listRoles(ListRolesRequest.newBuilder().setOrganizationId(org).build());
        assertThat(all.getRolesList()).extracting(Role::getKey)
                .containsExactly("administrator", "alpha_viewer", "auditor", "developer", "zeta_viewer");
        assertThat(all.getNextPageToken()).isEmpty();
        var endUser = roles.listRoles(ListRolesRequest.newBuilder().setOrganizationId(org)
                .setKind(RoleKind.ROLE_KIND_END_USER).build());
        assertThat(endUser.getRolesList()).extracting(Role::getKey).containsExactly("alpha_viewer", "zeta_viewer");
        assertThat(endUser.getRoles(0).getGrantsList()).containsExactly(grant("app.view"));
    }

    @Test
    void listsPageByPage() {
        for (int i = 0; i < 5; i++) {
            create(role("role_" + i, RoleKind.ROLE_KIND_END_USER));
        }
        List<String> seen = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            var page = roles.listRoles(ListRolesRequest.newBuilder()
                    .setOrganizationId(org).setPageSize(2).setPageToken(token).build());
            assertThat(page.getRolesCount()).isLessThanOrEqualTo(2);
            page.getRolesList().forEach(r -> seen.add(r.getKey()));
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());
        assertThat(seen).containsExactly("administrator", "developer", "role_0", "role_1", "role_2", "role_3", "role_4");
        assertThat(pages).isEqualTo(4);
    }

    @Test
    void garbagePageTokenIsInvalid() {
        var e = failure(() -> roles.listRoles(ListRolesRequest.newBuilder().setOrganizationId(org).setPageToken("@@").build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("page_token");
    }

    @Test
    void deletesAnUnusedRole() {
        create(role("viewer", RoleKind.ROLE_KIND_END_USER, grant("app.view")));
        var deleted = roles.deleteRole(delete("viewer", false));
        assertThat(deleted.getRevisionToken()).isEqualTo("3");
        assertThat(failure(() -> get("viewer")).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void deletingAMissingRoleIsNotFound() {
        var e = failure(() -> roles.deleteRole(delete("ghost", false)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void deleteOfAnAssignedRoleIsRefusedThenForced() {
        create(role("auditor", RoleKind.ROLE_KIND_ORGANIZATION, grant("audit.view")));
        UUID user = insertUser();
        insertAssignment(user, "auditor");
        var e = failure(() -> roles.deleteRole(delete("auditor", false)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(Errors.preconditionTypes(e)).containsExactly("IN_USE");
        assertThat(get("auditor").getGrantsList()).containsExactly(grant("audit.view"));
        assertThat(assignmentsOf("auditor")).isEqualTo(1);

        var deleted = roles.deleteRole(delete("auditor", true));
        assertThat(failure(() -> get("auditor")).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(assignmentsOf("auditor")).isZero();
        var change = db().selectFrom(CHANGE_LOG)
                .where(CHANGE_LOG.ORGANIZATION_ID.eq(UUID.fromString(org)),
                        CHANGE_LOG.REVISION.eq(Long.parseLong(deleted.getRevisionToken())))
                .fetchOne();
        assertThat(change.getResourceType()).isEqualTo("role");
        assertThat(change.getResourceId()).isEqualTo("auditor");
        assertThat(change.getAction()).isEqualTo("deleted");
        assertThat(change.getUserIds()).containsExactly(user);
    }

    @Test
    void deleteOfARoleGrantedToAGroupIsRefusedThenForced() {
        create(role("viewer", RoleKind.ROLE_KIND_END_USER, grant("app.view")));
        UUID orgId = UUID.fromString(org);
        UUID group = UUID.randomUUID();
        db().insertInto(APP).set(APP.ORGANIZATION_ID, orgId).set(APP.APP_KEY, "shop").set(APP.DISPLAY_NAME, "Shop").execute();
        db().insertInto(USER_GROUP).set(USER_GROUP.ORGANIZATION_ID, orgId).set(USER_GROUP.GROUP_ID, group)
                .set(USER_GROUP.NAME, "Buyers").set(USER_GROUP.STAGE, "production").execute();
        db().insertInto(GROUP_ROLE_GRANT).set(GROUP_ROLE_GRANT.ORGANIZATION_ID, orgId).set(GROUP_ROLE_GRANT.GROUP_ID, group)
                .set(GROUP_ROLE_GRANT.ROLE_KEY, "viewer").set(GROUP_ROLE_GRANT.APP_KEY, "shop").execute();
        var e = failure(() -> roles.deleteRole(delete("viewer", false)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(Errors.preconditionTypes(e)).containsExactly("IN_USE");

        roles.deleteRole(delete("viewer", true));
        assertThat(failure(() -> get("viewer")).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(db().fetchCount(GROUP_ROLE_GRANT, GROUP_ROLE_GRANT.ORGANIZATION_ID.eq(orgId))).isZero();
    }

    @Test
    void anotherOrganizationsRoleIsNotFound() {
        create(role("viewer", RoleKind.ROLE_KIND_END_USER, grant("app.view")));
        String other = TestServer.newOrganization();
        var read = failure(() -> roles.getRole(GetRoleRequest.newBuilder().setOrganizationId(other).setKey("viewer").build()));
        assertThat(read.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        var updated = failure(() -> roles.updateRole(update(role("viewer", RoleKind.ROLE_KIND_END_USER)
                .setDisplayName("x"), "display_name").toBuilder().setOrganizationId(other).build()));
        assertThat(updated.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        var deleted = failure(() -> roles.deleteRole(delete("viewer", true).toBuilder().setOrganizationId(other).build()));
        assertThat(deleted.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(roles.listRoles(ListRolesRequest.newBuilder().setOrganizationId(other)
                .setKind(RoleKind.ROLE_KIND_END_USER).build()).getRolesList()).isEmpty();
        assertThat(get("viewer").getDisplayName()).isEqualTo("viewer");
    }

    @Test
    void anotherOrganizationsPermissionCannotBeGranted() {
        permissions.createPermission(CreatePermissionRequest.newBuilder().setOrganizationId(org)
                .setPermission(Permission.newBuilder().setKey("reports.view").setLevel(PermissionLevel.PERMISSION_LEVEL_APP))
                .build());
        String other = TestServer.newOrganization();
        var e = failure(() -> roles.createRole(CreateRoleRequest.newBuilder().setOrganizationId(other)
                .setRole(role("viewer", RoleKind.ROLE_KIND_END_USER, grant("reports.view"))).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("role.grants[0].permission_key");
    }

    @Test
    void unknownOrganizationIsNotFound() {
        String missing = UUID.randomUUID().toString();
        var created = failure(() -> roles.createRole(CreateRoleRequest.newBuilder().setOrganizationId(missing)
                .setRole(role("viewer", RoleKind.ROLE_KIND_END_USER)).build()));
        assertThat(created.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        var listed = failure(() -> roles.listRoles(ListRolesRequest.newBuilder().setOrganizationId(missing).build()));
        assertThat(listed.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }
}
