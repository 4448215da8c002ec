package dev.verdict.server.api;

import static dev.verdict.server.TestServer.failure;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import dev.verdict.server.Errors;
import dev.verdict.server.TestServer;
import dev.verdict.v1.ActivateUserRequest;
import dev.verdict.v1.AssignmentServiceGrpc;
import dev.verdict.v1.ClassifyUsersRequest;
import dev.verdict.v1.DeactivateUserRequest;
import dev.verdict.v1.DeleteUserRequest;
import dev.verdict.v1.EndUserRoleGrant;
import dev.verdict.v1.ExternalIdentity;
import dev.verdict.v1.GetLicenseUsageRequest;
import dev.verdict.v1.GetUserByEmailRequest;
import dev.verdict.v1.GetUserRequest;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.ListAssignmentsRequest;
import dev.verdict.v1.Principal;
import dev.verdict.v1.Scope;
import dev.verdict.v1.SearchUsersRequest;
import dev.verdict.v1.SearchUsersResponse;
import dev.verdict.v1.SyncExternalGroupsRequest;
import dev.verdict.v1.UpdateUserRequest;
import dev.verdict.v1.User;
import dev.verdict.v1.UserClassification;
import dev.verdict.v1.UserServiceGrpc;
import dev.verdict.v1.UserStatus;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class UserServiceTest {
    private final UserServiceGrpc.UserServiceBlockingStub users = UserServiceGrpc.newBlockingStub(TestServer.channel());
    private final AssignmentServiceGrpc.AssignmentServiceBlockingStub assignments =
            AssignmentServiceGrpc.newBlockingStub(TestServer.channel());
    private final String org = TestServer.newOrganization();

    private User invite(String email) {
        return invite(email, b -> {});
    }

    private User invite(String email, Consumer<InviteUserRequest.Builder> more) {
        var request = InviteUserRequest.newBuilder().setOrganizationId(org).setEmail(email);
        more.accept(request);
        return users.inviteUser(request.build()).getUser();
    }

    private User get(String userId) {
        return users.getUser(GetUserRequest.newBuilder().setOrganizationId(org).setUserId(userId).build()).getUser();
    }

    private Status.Code getByEmailCode(String email) {
        return failure(() -> users.getUserByEmail(GetUserByEmailRequest.newBuilder()
                .setOrganizationId(org).setEmail(email).build())).getStatus().getCode();
    }

    private User activate(String userId) {
        return users.activateUser(ActivateUserRequest.newBuilder().setOrganizationId(org).setUserId(userId).build()).getUser();
    }

    private User deactivate(String userId) {
        return users.deactivateUser(DeactivateUserRequest.newBuilder().setOrganizationId(org).setUserId(userId).build()).getUser();
    }

    // --- InviteUser, GetUser, GetUserByEmail

    @Test
    void invitesWithDefaultsAndReadsBackByIdAndByEmailInAnyCase() {
        var response = users.inviteUser(InviteUserRequest.newBuilder()
                .setOrganizationId(org).setEmail("Ann.Lee@Example.com").build());
        User user = response.getUser();
        assertThat(response.getRevisionToken()).isNotEmpty();
        assertThat(user.getEmail()).isEqualTo("Ann.Lee@Example.com");
        assertThat(user.getDisplayName()).isEqualTo("Ann.Lee@Example.com");
        assertThat(user.getStatus()).isEqualTo(UserStatus.USER_STATUS_INVITED);
        assertThat(user.getClassification()).isEqualTo(UserClassification.USER_CLASSIFICATION_INTERNAL);
        assertThat(user.getOrganizationId()).isEqualTo(org);
        assertThat(get(user.getUserId())).isEqualTo(user);
        var byEmail = users.getUserByEmail(GetUserByEmailRequest.newBuilder()
                .setOrganizationId(org).setEmail("  ann.lee@EXAMPLE.COM ").build());
        assertThat(byEmail.getUser()).isEqualTo(user);
    }

    @Test
    void invitesWithNameClassificationAndIdentities() {
        User user = invite("ext@partner.io", b -> b.setDisplayName("  Ext Partner ")
                .setClassification(UserClassification.USER_CLASSIFICATION_EXTERNAL)
                .addExternalIdentities(ExternalIdentity.newBuilder().setIdp("azure-ad").setSubject("s-1")));
        assertThat(user.getDisplayName()).isEqualTo("Ext Partner");
        assertThat(user.getClassification()).isEqualTo(UserClassification.USER_CLASSIFICATION_EXTERNAL);
        assertThat(user.getExternalIdentitiesList())
                .containsExactly(ExternalIdentity.newBuilder().setIdp("azure-ad").setSubject("s-1").build());
    }

    @Test
    void sameEmailInAnotherCaseIsAlreadyExists() {
        invite("bob@example.com");
        var e = failure(() -> invite("BOB@Example.COM"));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    }

    @Test
    void emailWithSurroundingSpacesIsRefusedByTheProtoRuleOnInvite() {
        // InviteUserRequest.email carries protovalidate's `email` rule, which refuses surrounding spaces before
        // the handler could trim them; the other RPCs that take an email trim it (see GetUserByEmail, UpdateUser).
        var e = failure(() -> invite(" carl@example.com "));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("email");
    }

    @Test
    void aUserCanHoldAnOrganizationRoleAndEndUserRolesFromTheInvitation() {
        UserTestData.app(org, "crm");
        UserTestData.endUserRole(org, "crm_viewer");
        String group = UserTestData.group(org, "Sales", "production");
        User user = invite("dana@example.com", b -> b
                .addOrganizationRoleKeys("developer")
                .addEndUserRoles(EndUserRoleGrant.newBuilder().setRoleKey("crm_viewer").setAppKey("crm").setStage("production"))
                .addEndUserRoles(EndUserRoleGrant.newBuilder().setRoleKey("crm_viewer").setAppKey("crm").setStage("qa"))
                .addGroupIds(group));
        var held = assignments.listAssignments(ListAssignmentsRequest.newBuilder().setOrganizationId(org)
                .setPrincipal(Principal.newBuilder().setUserId(user.getUserId())).build()).getAssignmentsList();
        assertThat(held).extracting(a -> a.getRoleKey() + "@" + a.getScope().getStage() + "/" + a.getScope().getAppKey())
                .containsExactlyInAnyOrder("developer@/", "crm_viewer@production/crm", "crm_viewer@qa/crm");
        assertThat(held).allSatisfy(a -> assertThat(a.getPrincipal().getUserId()).isEqualTo(user.getUserId()));
        assertThat(UserTestData.isMember(org, group, user.getUserId())).isTrue();
    }

    @Test
    void invitationWithAnUnknownReferenceNamesTheFieldAndCreatesNothing() {
        UserTestData.app(org, "crm");
        UserTestData.endUserRole(org, "crm_viewer");
        record Case(String field, Consumer<InviteUserRequest.Builder> request) {}
        List<Case> cases = List.of(
                new Case("organization_role_keys[1]", b -> b.addOrganizationRoleKeys("developer").addOrganizationRoleKeys("no_such_role")),
                new Case("organization_role_keys[0]", b -> b.addOrganizationRoleKeys("crm_viewer")),
                new Case("end_user_roles[0].role_key", b -> b.addEndUserRoles(grant("no_such_role", "crm", "qa"))),
                new Case("end_user_roles[0].role_key", b -> b.addEndUserRoles(grant("developer", "crm", "qa"))),
                new Case("end_user_roles[1].app_key", b -> b.addEndUserRoles(grant("crm_viewer", "crm", "qa"))
                        .addEndUserRoles(grant("crm_viewer", "no-such-app", "qa"))),
                new Case("end_user_roles[0].stage", b -> b.addEndUserRoles(grant("crm_viewer", "crm", "staging"))),
                new Case("end_user_roles[0].stage", b -> b.addEndUserRoles(grant("crm_viewer", "crm", ""))),
                new Case("end_user_roles[0].app_key", b -> b.addEndUserRoles(grant("crm_viewer", "", "qa"))),
                new Case("end_user_roles[1]", b -> b.addEndUserRoles(grant("crm_viewer", "crm", "qa"))
                        .addEndUserRoles(grant("crm_viewer", "crm", "qa"))),
                new Case("group_ids[0]", b -> b.addGroupIds(UUID.randomUUID().toString())),
                new Case("external_identities[1]", b -> b
                        .addExternalIdentities(ExternalIdentity.newBuilder().setIdp("okta").setSubject("x"))
                        .addExternalIdentities(ExternalIdentity.newBuilder().setIdp("okta").setSubject("x"))));
        for (Case c : cases) {
            var e = failure(() -> invite("erin@example.com", c.request()));
            assertThat(e.getStatus().getCode()).as(c.field()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(Errors.badFields(e)).as(c.field()).containsExactly(c.field());
            assertThat(getByEmailCode("erin@example.com")).as(c.field()).isEqualTo(Status.Code.NOT_FOUND);
        }
        // The refused invitations left no assignments either: the app has none.
        assertThat(assignments.listAssignments(ListAssignmentsRequest.newBuilder().setOrganizationId(org)
                .setAppKey("crm").build()).getAssignmentsList()).isEmpty();
    }

    private static EndUserRoleGrant grant(String role, String app, String stage) {
        return EndUserRoleGrant.newBuilder().setRoleKey(role).setAppKey(app).setStage(stage).build();
    }

    @Test
    void externalIdentityOfAnotherUserIsAlreadyExists() {
        var identity = ExternalIdentity.newBuilder().setIdp("okta").setSubject("00u1").build();
        invite("first@example.com", b -> b.addExternalIdentities(identity));
        var e = failure(() -> invite("second@example.com", b -> b.addExternalIdentities(identity)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(getByEmailCode("second@example.com")).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void retriedInvitationWithTheSameRequestIdReturnsTheFirstResult() {
        var request = InviteUserRequest.newBuilder().setOrganizationId(org).setEmail("retry@example.com")
                .setRequestId(UUID.randomUUID().toString()).build();
        var first = users.inviteUser(request);
        assertThat(users.inviteUser(request)).isEqualTo(first);
    }

    @Test
    void malformedInvitationNamesTheField() {
        var e = failure(() -> invite("not-an-email"));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("email");
    }

    @Test
    void unknownUserIsNotFound() {
        var e = failure(() -> get(UUID.randomUUID().toString()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(getByEmailCode("nobody@example.com")).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void anotherOrganizationsUserIsNotFoundAndTheSameEmailThereIsAnotherUser() {
        User here = invite("shared@example.com");
        String other = TestServer.newOrganization();
        var e = failure(() -> users.getUser(GetUserRequest.newBuilder()
                .setOrganizationId(other).setUserId(here.getUserId()).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        var wrongOrgActivate = failure(() -> users.activateUser(ActivateUserRequest.newBuilder()
                .setOrganizationId(other).setUserId(here.getUserId()).build()));
        assertThat(wrongOrgActivate.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        var wrongOrgDelete = failure(() -> users.deleteUser(DeleteUserRequest.newBuilder()
                .setOrganizationId(other).setUserId(here.getUserId()).build()));
        assertThat(wrongOrgDelete.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        User there = users.inviteUser(InviteUserRequest.newBuilder()
                .setOrganizationId(other).setEmail("shared@example.com").build()).getUser();
        assertThat(there.getUserId()).isNotEqualTo(here.getUserId());
        assertThat(get(here.getUserId()).getStatus()).isEqualTo(UserStatus.USER_STATUS_INVITED);
    }

    // --- SearchUsers

    @Test
    void searchesByPrefixOfEmailOrNameInAnyCase() {
        invite("alice@example.com", b -> b.setDisplayName("Alice Smith"));
        invite("bruno@example.com", b -> b.setDisplayName("Al Bruno"));
        invite("carol@example.com", b -> b.setDisplayName("Carol"));
        assertThat(emails(search(b -> b.setQuery("AL")))).containsExactly("alice@example.com", "bruno@example.com");
        assertThat(emails(search(b -> b.setQuery("ali")))).containsExactly("alice@example.com");
        assertThat(emails(search(b -> b.setQuery("Carol@")))).containsExactly("carol@example.com");
        assertThat(emails(search(b -> b.setQuery("smith")))).isEmpty();
        assertThat(emails(search(b -> b.setQuery("%")))).isEmpty();
    }

    @Test
    void searchesByStatusRoleGroupAndClassification() {
        UserTestData.app(org, "crm");
        UserTestData.endUserRole(org, "crm_viewer");
        String group = UserTestData.group(org, "Field", "qa");
        User admin = invite("admin@example.com", b -> b.addOrganizationRoleKeys("administrator"));
        User viewer = invite("viewer@example.com", b -> b.addEndUserRoles(grant("crm_viewer", "crm", "qa"))
                .setClassification(UserClassification.USER_CLASSIFICATION_EXTERNAL));
        User member = invite("member@example.com", b -> b.addGroupIds(group));
        activate(admin.getUserId());
        activate(member.getUserId());
        deactivate(member.getUserId());

        assertThat(emails(search(b -> b.setStatus(UserStatus.USER_STATUS_ACTIVE)))).containsExactly("admin@example.com");
        assertThat(emails(search(b -> b.setStatus(UserStatus.USER_STATUS_DEACTIVATED)))).containsExactly("member@example.com");
        assertThat(emails(search(b -> b.setStatus(UserStatus.USER_STATUS_INVITED)))).containsExactly("viewer@example.com");
        assertThat(emails(search(b -> b.setRoleKey("administrator")))).containsExactly("admin@example.com");
        assertThat(emails(search(b -> b.setRoleKey("crm_viewer")))).containsExactly("viewer@example.com");
        assertThat(emails(search(b -> b.setGroupId(group)))).containsExactly("member@example.com");
        assertThat(emails(search(b -> b.setClassification(UserClassification.USER_CLASSIFICATION_EXTERNAL))))
                .containsExactly("viewer@example.com");
        assertThat(emails(search(b -> b.setClassification(UserClassification.USER_CLASSIFICATION_INTERNAL))))
                .containsExactly("admin@example.com", "member@example.com");
        assertThat(emails(search(b -> b.setRoleKey("crm_viewer").setStatus(UserStatus.USER_STATUS_ACTIVE)))).isEmpty();
        assertThat(viewer.getUserId()).isNotEmpty();
    }

    @Test
    void searchPagesInEmailOrderAndRefusesATokenOfOtherFilters() {
        for (String email : List.of("e@x.io", "B@x.io", "d@x.io", "a@x.io", "C@x.io")) {
            invite(email);
        }
        List<String> seen = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            String pageToken = token;
            var page = search(b -> b.setPageSize(2).setPageToken(pageToken));
            assertThat(page.getUsersCount()).isLessThanOrEqualTo(2);
            seen.addAll(emails(page));
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());
        assertThat(seen).containsExactly("a@x.io", "B@x.io", "C@x.io", "d@x.io", "e@x.io");
        assertThat(pages).isEqualTo(3);

        String first = search(b -> b.setPageSize(2)).getNextPageToken();
        var e = failure(() -> search(b -> b.setPageSize(2).setPageToken(first).setQuery("a")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("page_token");
        var garbage = failure(() -> search(b -> b.setPageToken("!!")));
        assertThat(Errors.badFields(garbage)).containsExactly("page_token");
    }

    private SearchUsersResponse search(Consumer<SearchUsersRequest.Builder> filters) {
        var request = SearchUsersRequest.newBuilder().setOrganizationId(org);
        filters.accept(request);
        return users.searchUsers(request.build());
    }

    private static List<String> emails(SearchUsersResponse response) {
        return response.getUsersList().stream().map(User::getEmail).toList();
    }

    // --- UpdateUser

    @Test
    void updatesEmailNameClassificationAndIdentities() {
        User user = invite("old@example.com", b -> b.setDisplayName("Old")
                .addExternalIdentities(ExternalIdentity.newBuilder().setIdp("okta").setSubject("1")));
        var updated = users.updateUser(UpdateUserRequest.newBuilder().setOrganizationId(org)
                .setUser(User.newBuilder().setUserId(user.getUserId()).setEmail(" New@Example.com ")
                        .setDisplayName("New Name").setClassification(UserClassification.USER_CLASSIFICATION_EXTERNAL)
                        .addExternalIdentities(ExternalIdentity.newBuilder().setIdp("azure-ad").setSubject("2")))
                .setUpdateMask(FieldMask.newBuilder().addPaths("email").addPaths("display_name")
                        .addPaths("classification").addPaths("external_identities"))
                .build());
        assertThat(updated.getRevisionToken()).isNotEmpty();
        User after = get(user.getUserId());
        assertThat(after).isEqualTo(updated.getUser());
        assertThat(after.getEmail()).isEqualTo("New@Example.com");
        assertThat(after.getDisplayName()).isEqualTo("New Name");
        assertThat(after.getClassification()).isEqualTo(UserClassification.USER_CLASSIFICATION_EXTERNAL);
        assertThat(after.getExternalIdentitiesList())
                .containsExactly(ExternalIdentity.newBuilder().setIdp("azure-ad").setSubject("2").build());
        assertThat(getByEmailCode("old@example.com")).isEqualTo(Status.Code.NOT_FOUND);
        // The released identity can be taken by someone else.
        invite("other@example.com", b -> b.addExternalIdentities(ExternalIdentity.newBuilder().setIdp("okta").setSubject("1")));
    }

    @Test
    void updateOnlyChangesTheMaskedFields() {
        User user = invite("mask@example.com", b -> b.setDisplayName("Kept"));
        var updated = users.updateUser(UpdateUserRequest.newBuilder().setOrganizationId(org)
                .setUser(User.newBuilder().setUserId(user.getUserId()).setEmail("ignored@example.com")
                        .setClassification(UserClassification.USER_CLASSIFICATION_EXTERNAL))
                .setUpdateMask(FieldMask.newBuilder().addPaths("classification"))
                .build()).getUser();
        assertThat(updated.getEmail()).isEqualTo("mask@example.com");
        assertThat(updated.getDisplayName()).isEqualTo("Kept");
        assertThat(updated.getClassification()).isEqualTo(UserClassification.USER_CLASSIFICATION_EXTERNAL);
    }

    @Test
    void updateRefusalsNameTheFieldAndChangeNothing() {
        User taken = invite("taken@example.com", b -> b.addExternalIdentities(ExternalIdentity.newBuilder().setIdp("okta").setSubject("t")));
        User user = invite("mine@example.com", b -> b.setDisplayName("Mine"));
        var sameEmail = failure(() -> update(User.newBuilder().setUserId(user.getUserId()).setEmail(" TAKEN@example.com")
                .setDisplayName("Changed"), "email", "display_name"));
        assertThat(sameEmail.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        var sameIdentity = failure(() -> update(User.newBuilder().setUserId(user.getUserId())
                .addExternalIdentities(ExternalIdentity.newBuilder().setIdp("okta").setSubject("t")), "external_identities"));
        assertThat(sameIdentity.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);

        record Case(String field, User.Builder user, String[] paths) {}
        String id = user.getUserId();
        List<Case> cases = List.of(
                new Case("update_mask", User.newBuilder().setUserId(id).setStatus(UserStatus.USER_STATUS_ACTIVE), new String[] {"status"}),
                new Case("update_mask", User.newBuilder().setUserId(id), new String[] {}),
                new Case("user.user_id", User.newBuilder().setUserId("nope").setDisplayName("x"), new String[] {"display_name"}),
                new Case("user.email", User.newBuilder().setUserId(id).setEmail("no-at-sign"), new String[] {"email"}),
                new Case("user.email", User.newBuilder().setUserId(id).setEmail("a@" + "b".repeat(320)), new String[] {"email"}),
                new Case("user.display_name", User.newBuilder().setUserId(id).setDisplayName("x".repeat(201)), new String[] {"display_name"}),
                new Case("user.classification", User.newBuilder().setUserId(id), new String[] {"classification"}),
                new Case("user.external_identities[0].idp", User.newBuilder().setUserId(id)
                        .addExternalIdentities(ExternalIdentity.newBuilder().setSubject("s")), new String[] {"external_identities"}),
                new Case("user.external_identities[1]", User.newBuilder().setUserId(id)
                        .addExternalIdentities(ExternalIdentity.newBuilder().setIdp("i").setSubject("s"))
                        .addExternalIdentities(ExternalIdentity.newBuilder().setIdp("i").setSubject("s")), new String[] {"external_identities"}));
        for (Case c : cases) {
            var e = failure(() -> update(c.user(), c.paths()));
            assertThat(e.getStatus().getCode()).as(c.field()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(Errors.badFields(e)).as(c.field()).containsExactly(c.field());
        }
        assertThat(get(user.getUserId())).isEqualTo(user);
        assertThat(get(taken.getUserId())).isEqualTo(taken);

        var missing = failure(() -> update(User.newBuilder().setUserId(UUID.randomUUID().toString()).setDisplayName("x"), "display_name"));
        assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void ownEmailInAnotherCaseCanBeSet() {
        User user = invite("case@example.com");
        User updated = update(User.newBuilder().setUserId(user.getUserId()).setEmail("Case@Example.com"), "email");
        assertThat(updated.getEmail()).isEqualTo("Case@Example.com");
    }

    private User update(User.Builder user, String... paths) {
        return users.updateUser(UpdateUserRequest.newBuilder().setOrganizationId(org).setUser(user)
                .setUpdateMask(FieldMask.newBuilder().addAllPaths(List.of(paths))).build()).getUser();
    }

    // --- Lifecycle and deletion

    @Test
    void lifecycleRunsFromInvitedToActiveAndBetweenActiveAndDeactivated() {
        String id = invite("life@example.com").getUserId();
        var invited = failure(() -> deactivate(id));
        assertThat(invited.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(Errors.preconditionTypes(invited)).containsExactly("NOT_ACTIVE");
        assertThat(get(id).getStatus()).isEqualTo(UserStatus.USER_STATUS_INVITED);

        assertThat(activate(id).getStatus()).isEqualTo(UserStatus.USER_STATUS_ACTIVE);
        assertThat(activate(id).getStatus()).isEqualTo(UserStatus.USER_STATUS_ACTIVE);
        assertThat(deactivate(id).getStatus()).isEqualTo(UserStatus.USER_STATUS_DEACTIVATED);
        assertThat(deactivate(id).getStatus()).isEqualTo(UserStatus.USER_STATUS_DEACTIVATED);
        assertThat(get(id).getStatus()).isEqualTo(UserStatus.USER_STATUS_DEACTIVATED);
        var reactivated = users.activateUser(ActivateUserRequest.newBuilder().setOrganizationId(org).setUserId(id).build());
        assertThat(reactivated.getUser().getStatus()).isEqualTo(UserStatus.USER_STATUS_ACTIVE);
        assertThat(reactivated.getRevisionToken()).isNotEmpty();
    }

    @Test
    void lifecycleOfAnUnknownUserIsNotFound() {
        String unknown = UUID.randomUUID().toString();
        assertThat(failure(() -> activate(unknown)).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(failure(() -> deactivate(unknown)).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(failure(() -> users.deleteUser(DeleteUserRequest.newBuilder().setOrganizationId(org).setUserId(unknown).build()))
                .getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void deleteRemovesTheUserWithItsAssignmentsAndFreesTheEmail() {
        UserTestData.app(org, "crm");
        UserTestData.endUserRole(org, "crm_viewer");
        String group = UserTestData.group(org, "G", "qa");
        User user = invite("gone@example.com", b -> b.addOrganizationRoleKeys("developer")
                .addEndUserRoles(grant("crm_viewer", "crm", "qa")).addGroupIds(group)
                .addExternalIdentities(ExternalIdentity.newBuilder().setIdp("okta").setSubject("g")));
        assertThat(listByRole("developer")).hasSize(1);
        var deleted = users.deleteUser(DeleteUserRequest.newBuilder().setOrganizationId(org).setUserId(user.getUserId()).build());
        assertThat(deleted.getRevisionToken()).isNotEmpty();
        assertThat(failure(() -> get(user.getUserId())).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(listByRole("developer")).isEmpty();
        assertThat(listByRole("crm_viewer")).isEmpty();
        assertThat(UserTestData.isMember(org, group, user.getUserId())).isFalse();
        User again = invite("gone@example.com", b -> b.addExternalIdentities(ExternalIdentity.newBuilder().setIdp("okta").setSubject("g")));
        assertThat(again.getUserId()).isNotEqualTo(user.getUserId());
    }

    private List<dev.verdict.v1.Assignment> listByRole(String role) {
        return assignments.listAssignments(ListAssignmentsRequest.newBuilder().setOrganizationId(org).setRoleKey(role).build())
                .getAssignmentsList();
    }

    // --- ClassifyUsers

    @Test
    void classifiesManyUsersAtOnceOrNoneWhenOneIsUnknown() {
        User a = invite("a@example.com");
        User b = invite("b@example.com");
        var refused = failure(() -> users.classifyUsers(ClassifyUsersRequest.newBuilder().setOrganizationId(org)
                .addUserIds(a.getUserId()).addUserIds(UUID.randomUUID().toString())
                .setClassification(UserClassification.USER_CLASSIFICATION_EXTERNAL).build()));
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(refused)).containsExactly("user_ids[1]");
        assertThat(get(a.getUserId()).getClassification()).isEqualTo(UserClassification.USER_CLASSIFICATION_INTERNAL);

        var classified = users.classifyUsers(ClassifyUsersRequest.newBuilder().setOrganizationId(org)
                .addUserIds(b.getUserId()).addUserIds(a.getUserId())
                .setClassification(UserClassification.USER_CLASSIFICATION_EXTERNAL).build());
        assertThat(classified.getUsersList()).extracting(User::getUserId).containsExactly(b.getUserId(), a.getUserId());
        assertThat(classified.getUsersList()).extracting(User::getClassification)
                .containsOnly(UserClassification.USER_CLASSIFICATION_EXTERNAL);
        assertThat(get(a.getUserId()).getClassification()).isEqualTo(UserClassification.USER_CLASSIFICATION_EXTERNAL);

        var unspecified = failure(() -> users.classifyUsers(ClassifyUsersRequest.newBuilder().setOrganizationId(org)
                .addUserIds(a.getUserId()).build()));
        assertThat(Errors.badFields(unspecified)).containsExactly("classification");
    }

    // --- SyncExternalGroups

    @Test
    void syncReturnsTheMappedGroupsAndReplacesThePreviousOnes() {
        String sales = UserTestData.group(org, "Sales", "production");
        String ops = UserTestData.group(org, "Ops", "production");
        String oktaSales = UserTestData.group(org, "Okta Sales", "production");
        UserTestData.idpMapping(org, sales, "azure-ad", "Sales");
        UserTestData.idpMapping(org, ops, "azure-ad", "Ops");
        UserTestData.idpMapping(org, oktaSales, "okta", "Sales");
        String id = invite("sync@example.com").getUserId();

        var first = sync(id, "azure-ad", "Sales", "Unmapped");
        assertThat(first.getMappedGroupIdsList()).containsExactly(sales);
        assertThat(first.getRevisionToken()).isNotEmpty();
        assertThat(UserTestData.externalGroups(org, id, "azure-ad")).containsExactly("Sales", "Unmapped");

        sync(id, "okta", "Sales");
        var second = sync(id, "azure-ad", "Ops", "sales");
        assertThat(second.getMappedGroupIdsList()).containsExactly(ops);
        assertThat(UserTestData.externalGroups(org, id, "azure-ad")).containsExactly("Ops", "sales");
        assertThat(UserTestData.externalGroups(org, id, "okta")).containsExactly("Sales");

        assertThat(sync(id, "azure-ad").getMappedGroupIdsList()).isEmpty();
        assertThat(UserTestData.externalGroups(org, id, "azure-ad")).isEmpty();

        var unknown = failure(() -> sync(UUID.randomUUID().toString(), "azure-ad", "Sales"));
        assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    private dev.verdict.v1.SyncExternalGroupsResponse sync(String userId, String idp, String... groups) {
        return users.syncExternalGroups(SyncExternalGroupsRequest.newBuilder().setOrganizationId(org)
                .setUserId(userId).setIdp(idp).addAllExternalGroups(List.of(groups)).build());
    }

    // --- GetLicenseUsage

    @Test
    void licenseUsageCountsMembersAndEndUsersByClassification() {
        UserTestData.app(org, "crm");
        UserTestData.endUserRole(org, "crm_viewer");
        String direct = UserTestData.group(org, "Direct", "production");
        String mapped = UserTestData.group(org, "Mapped", "production");
        UserTestData.idpMapping(org, mapped, "okta", "Partners");
        var external = UserClassification.USER_CLASSIFICATION_EXTERNAL;

        invite("admin@example.com", b -> b.addOrganizationRoleKeys("administrator"));
        // A member holding end-user roles too is counted once, as a member.
        invite("both@example.com", b -> b.setClassification(external).addOrganizationRoleKeys("developer")
                .addEndUserRoles(grant("crm_viewer", "crm", "production")));
        invite("viewer@example.com", b -> b.addEndUserRoles(grant("crm_viewer", "crm", "production")));
        invite("grouped@example.com", b -> b.setClassification(external).addGroupIds(direct));
        String viaIdp = invite("viaidp@example.com", b -> b.setClassification(external)).getUserId();
        sync(viaIdp, "okta", "Partners");
        String unmappedIdp = invite("unmapped@example.com", b -> b.setClassification(external)).getUserId();
        sync(unmappedIdp, "okta", "partners");
        invite("nothing@example.com");
        String gone = invite("deactivated@example.com", b -> b.addEndUserRoles(grant("crm_viewer", "crm", "qa"))).getUserId();
        activate(gone);
        deactivate(gone);
        // A member's org role scoped to one app still makes it a member.
        String scoped = invite("scoped@example.com").getUserId();
        assignments.grantRole(GrantRoleRequest.newBuilder().setOrganizationId(org)
                .setPrincipal(Principal.newBuilder().setUserId(scoped)).setRoleKey("developer")
                .setScope(Scope.newBuilder().setAppKey("crm")).build());

        var usage = users.getLicenseUsage(GetLicenseUsageRequest.newBuilder().setOrganizationId(org).build());
        assertThat(usage.getMembers()).isEqualTo(3);
        assertThat(usage.getInternalEndUsers()).isEqualTo(1);
        assertThat(usage.getExternalEndUsers()).isEqualTo(2);

        var empty = users.getLicenseUsage(GetLicenseUsageRequest.newBuilder().setOrganizationId(TestServer.newOrganization()).build());
        assertThat(empty.getMembers()).isZero();
    }
}
