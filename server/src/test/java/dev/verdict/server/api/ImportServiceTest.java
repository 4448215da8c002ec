package dev.verdict.server.api;

import static dev.verdict.server.TestServer.failure;
import static dev.verdict.server.store.schema.Tables.CHANGE_LOG;
import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.Errors;
import dev.verdict.server.TestServer;
import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.ActivateUserRequest;
import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.Decision;
import dev.verdict.v1.GetAppRequest;
import dev.verdict.v1.GetUserByEmailRequest;
import dev.verdict.v1.GroupRoleGrant;
import dev.verdict.v1.GroupServiceGrpc;
import dev.verdict.v1.IdpMapping;
import dev.verdict.v1.ImportDirectoryRequest;
import dev.verdict.v1.ImportDirectoryResponse;
import dev.verdict.v1.ImportServiceGrpc;
import dev.verdict.v1.ImportedApp;
import dev.verdict.v1.ImportedAssignment;
import dev.verdict.v1.ImportedExternalGroup;
import dev.verdict.v1.ImportedGroup;
import dev.verdict.v1.ImportedUser;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.ListGroupMembersRequest;
import dev.verdict.v1.Principal;
import dev.verdict.v1.SyncExternalGroupsRequest;
import dev.verdict.v1.Target;
import dev.verdict.v1.User;
import dev.verdict.v1.UserClassification;
import dev.verdict.v1.UserServiceGrpc;
import dev.verdict.v1.UserStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** ImportService through real stubs: everything or nothing, the same rules as the one-at-a-time RPCs. */
class ImportServiceTest {
    private final ImportServiceGrpc.ImportServiceBlockingStub imports = ImportServiceGrpc.newBlockingStub(TestServer.channel());
    private final UserServiceGrpc.UserServiceBlockingStub users = UserServiceGrpc.newBlockingStub(TestServer.channel());
    private final AccessServiceGrpc.AccessServiceBlockingStub access = AccessServiceGrpc.newBlockingStub(TestServer.channel());
    private final AppServiceGrpc.AppServiceBlockingStub apps = AppServiceGrpc.newBlockingStub(TestServer.channel());
    private final String org = TestServer.newOrganization();

    ImportServiceTest() {
        UserTestData.endUserRole(org, "viewer");
    }

    private ImportDirectoryRequest.Builder request() {
        return ImportDirectoryRequest.newBuilder().setOrganizationId(org);
    }

    private static ImportedGroup.Builder group(String name, String stage, String role, String app) {
        return ImportedGroup.newBuilder().setName(name).setStage(stage)
                .addRoleGrants(GroupRoleGrant.newBuilder().setRoleKey(role).setAppKey(app));
    }

    private static ImportedUser.Builder user(String email) {
        return ImportedUser.newBuilder().setEmail(email).setStatus(UserStatus.USER_STATUS_ACTIVE);
    }

    private Decision check(String email, String role, String stage, String app, String token) {
        CheckAccessRequest.Builder check = CheckAccessRequest.newBuilder().setOrganizationId(org)
                .setQuery(AccessQuery.newBuilder()
                        .setPrincipal(Principal.newBuilder().setUserEmail(email))
                        .setTarget(Target.newBuilder().setRoleKey(role))
                        .setStage(stage).setAppKey(app));
        if (token != null) {
            check.setConsistency(Consistency.newBuilder().setAtLeastAsFresh(token));
        }
        return access.checkAccess(check.build()).getDecision();
    }

    private long revision() {
        return TestServer.server().database().dsl().select(CHANGE_LOG.REVISION.max()).from(CHANGE_LOG)
                .where(CHANGE_LOG.ORGANIZATION_ID.eq(UUID.fromString(org))).fetchOne().value1();
    }

    @Test
    void importsAppsGroupsAndUsersWhoseAccessFollowsAtOnce() {
        ImportDirectoryResponse imported = imports.importDirectory(request()
                .addApps(ImportedApp.newBuilder().setAppKey("sales").setDisplayName("Sales"))
                .addGroups(group("Marketing", "production", "viewer", "sales"))
                .addGroups(group("Finance", "qa", "viewer", "sales")
                        .addIdpMappings(IdpMapping.newBuilder().setIdp("azure-ad").setExternalGroup("Finance Team")))
                .addUsers(user("Ana@Acme.example").setDisplayName("Ana").addGroupNames("marketing"))
                .addUsers(user("bo@acme.example").setClassification(UserClassification.USER_CLASSIFICATION_EXTERNAL)
                        .addExternalGroups(ImportedExternalGroup.newBuilder().setIdp("azure-ad").setExternalGroup("Finance Team")))
                .addUsers(user("cy@acme.example").setStatus(UserStatus.USER_STATUS_UNSPECIFIED)
                        .addAssignments(ImportedAssignment.newBuilder().setRoleKey("viewer").setStage("development").setAppKey("sales")))
                .addUsers(user("dee@acme.example")
                        .addAssignments(ImportedAssignment.newBuilder().setRoleKey("administrator").setAppKey("sales")))
                .build());

        assertThat(imported.getGroupIdsCount()).isEqualTo(2);
        assertThat(imported.getUserIdsCount()).isEqualTo(4);
        assertThat(imported.getRevisionToken()).isEqualTo(Long.toString(revision()));
        assertThat(apps.getApp(GetAppRequest.newBuilder().setOrganizationId(org).setKey("sales").build())
                .getApp().getDisplayName()).isEqualTo("Sales");
        User ana = users.getUserByEmail(GetUserByEmailRequest.newBuilder().setOrganizationId(org)
                .setEmail("ana@acme.example").build()).getUser();
        assertThat(ana.getUserId()).isEqualTo(imported.getUserIds(0));
        assertThat(ana.getEmail()).isEqualTo("Ana@Acme.example");
        assertThat(ana.getStatus()).isEqualTo(UserStatus.USER_STATUS_ACTIVE);
        assertThat(GroupServiceGrpc.newBlockingStub(TestServer.channel()).listGroupMembers(ListGroupMembersRequest
                .newBuilder().setOrganizationId(org).setGroupId(imported.getGroupIds(0)).build()).getMembersList())
                .extracting(m -> m.getUserId()).containsExactly(ana.getUserId());

        String token = imported.getRevisionToken();
        assertThat(check("ana@acme.example", "viewer", "production", "sales", token)).isEqualTo(Decision.DECISION_ALLOWED);
        assertThat(check("ana@acme.example", "viewer", "qa", "sales", token)).isEqualTo(Decision.DECISION_DENIED);
        // Through the IdP mapping of an imported group.
        assertThat(check("bo@acme.example", "viewer", "qa", "sales", token)).isEqualTo(Decision.DECISION_ALLOWED);
        // Invited by default: denied until activated.
        assertThat(check("cy@acme.example", "viewer", "development", "sales", token)).isEqualTo(Decision.DECISION_DENIED);
        String activated = users.activateUser(ActivateUserRequest.newBuilder().setOrganizationId(org)
                .setUserId(imported.getUserIds(2)).build()).getRevisionToken();
        assertThat(check("cy@acme.example", "viewer", "development", "sales", activated)).isEqualTo(Decision.DECISION_ALLOWED);
        assertThat(check("dee@acme.example", "administrator", "production", "sales", token)).isEqualTo(Decision.DECISION_ALLOWED);
        assertThat(check("dee@acme.example", "administrator", "production", "other", token)).isEqualTo(Decision.DECISION_DENIED);
    }

    @Test
    void anExistingUserMatchingANewMappingGainsAccessAtOnce() {
        users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org).setEmail("eve@acme.example").build());
        String eve = users.getUserByEmail(GetUserByEmailRequest.newBuilder().setOrganizationId(org)
                .setEmail("eve@acme.example").build()).getUser().getUserId();
        users.activateUser(ActivateUserRequest.newBuilder().setOrganizationId(org).setUserId(eve).build());
        UserTestData.app(org, "crm");
        String synced = users.syncExternalGroups(SyncExternalGroupsRequest.newBuilder().setOrganizationId(org)
                .setUserId(eve).setIdp("okta").addExternalGroups("Sales").build()).getRevisionToken();
        // Cached as a deny before the import.
        assertThat(check("eve@acme.example", "viewer", "production", "crm", synced)).isEqualTo(Decision.DECISION_DENIED);

        String token = imports.importDirectory(request()
                .addGroups(group("Sales", "production", "viewer", "crm")
                        .addIdpMappings(IdpMapping.newBuilder().setIdp("okta").setExternalGroup("Sales")))
                .build()).getRevisionToken();

        assertThat(check("eve@acme.example", "viewer", "production", "crm", token)).isEqualTo(Decision.DECISION_ALLOWED);
    }

    @Test
    void aRefusedImportWritesNothingAndNamesTheField() {
        users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org).setEmail("taken@acme.example").build());
        long before = revision();

        StatusRuntimeException duplicate = failure(() -> imports.importDirectory(request()
                .addApps(ImportedApp.newBuilder().setAppKey("billing"))
                .addUsers(user("new@acme.example"))
                .addUsers(user("TAKEN@acme.example"))
                .build()));
        assertThat(duplicate.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(duplicate.getStatus().getDescription()).contains("users[1].email");

        StatusRuntimeException twice = failure(() -> imports.importDirectory(request()
                .addUsers(user("same@acme.example")).addUsers(user("SAME@acme.example")).build()));
        assertThat(twice.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);

        StatusRuntimeException organizationRole = failure(() -> imports.importDirectory(request()
                .addApps(ImportedApp.newBuilder().setAppKey("billing"))
                .addGroups(group("Ops", "production", "developer", "billing")).build()));
        assertThat(organizationRole.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(organizationRole)).containsExactly("groups[0].role_grants[0].role_key");

        StatusRuntimeException unknownGroup = failure(() -> imports.importDirectory(request()
                .addUsers(user("x@acme.example")).addUsers(user("y@acme.example").addGroupNames("Nobody")).build()));
        assertThat(Errors.badFields(unknownGroup)).containsExactly("users[1].group_names[0]");

        StatusRuntimeException noStage = failure(() -> imports.importDirectory(request()
                .addApps(ImportedApp.newBuilder().setAppKey("billing"))
                .addUsers(user("z@acme.example").addAssignments(ImportedAssignment.newBuilder()
                        .setRoleKey("viewer").setAppKey("billing"))).build()));
        assertThat(Errors.badFields(noStage)).containsExactly("users[0].assignments[0].stage");

        StatusRuntimeException unknownStage = failure(() -> imports.importDirectory(request()
                .addGroups(ImportedGroup.newBuilder().setName("Staging").setStage("staging")).build()));
        assertThat(Errors.badFields(unknownStage)).containsExactly("groups[0].stage");

        StatusRuntimeException badEmail = failure(() -> imports.importDirectory(request()
                .addUsers(user("not an email")).build()));
        assertThat(badEmail.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(badEmail)).containsExactly("users[0].email");

        assertThat(revision()).isEqualTo(before);
        assertThat(failure(() -> apps.getApp(GetAppRequest.newBuilder().setOrganizationId(org)
                .setKey("billing").build())).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(failure(() -> users.getUserByEmail(GetUserByEmailRequest.newBuilder().setOrganizationId(org)
                .setEmail("new@acme.example").build())).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void aRetryWithTheSameRequestIdGetsTheFirstAnswer() {
        String requestId = UUID.randomUUID().toString();
        ImportDirectoryRequest once = request().setRequestId(requestId)
                .addUsers(user("retry@acme.example")).build();
        ImportDirectoryResponse first = imports.importDirectory(once);
        assertThat(imports.importDirectory(once)).isEqualTo(first);
    }

    @Test
    void usersJoinGroupsThatAlreadyExistByNameInAnyLetterCase() {
        String groupId = UserTestData.group(org, "Support", "qa");
        ImportDirectoryResponse imported = imports.importDirectory(request()
                .addUsers(user("sam@acme.example").addGroupNames("SUPPORT")).build());
        assertThat(UserTestData.isMember(org, groupId, imported.getUserIds(0))).isTrue();
    }
}
