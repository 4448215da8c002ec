package dev.verdict.server.api;

import static dev.verdict.server.TestServer.failure;
import static dev.verdict.server.api.GroupTestData.app;
import static dev.verdict.server.api.GroupTestData.endUserRole;
import static dev.verdict.server.api.GroupTestData.externalGroups;
import static dev.verdict.server.api.GroupTestData.lastChange;
import static dev.verdict.server.api.GroupTestData.storedGrants;
import static dev.verdict.server.api.GroupTestData.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import dev.verdict.server.Errors;
import dev.verdict.server.TestServer;
import dev.verdict.v1.AddGroupMembersRequest;
import dev.verdict.v1.AddIdpMappingRequest;
import dev.verdict.v1.CreateGroupRequest;
import dev.verdict.v1.DeleteGroupRequest;
import dev.verdict.v1.GetGroupRequest;
import dev.verdict.v1.GrantGroupRoleRequest;
import dev.verdict.v1.Group;
import dev.verdict.v1.GroupMember;
import dev.verdict.v1.GroupRoleGrant;
import dev.verdict.v1.GroupServiceGrpc;
import dev.verdict.v1.IdpMapping;
import dev.verdict.v1.ListGroupMembersRequest;
import dev.verdict.v1.ListGroupsRequest;
import dev.verdict.v1.ListUserGroupsRequest;
import dev.verdict.v1.RemoveGroupMembersRequest;
import dev.verdict.v1.RemoveIdpMappingRequest;
import dev.verdict.v1.RevokeGroupRoleRequest;
import dev.verdict.v1.UpdateGroupRequest;
import dev.verdict.v1.UserGroupMembership;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GroupServiceTest {
    private final GroupServiceGrpc.GroupServiceBlockingStub groups = GroupServiceGrpc.newBlockingStub(TestServer.channel());

    private String org;

    /** Every test gets an organization with an end-user role `viewer`, apps `sales` and `billing`. */
    @BeforeEach
    void organization() {
        org = TestServer.newOrganization();
        endUserRole(org, "viewer");
        endUserRole(org, "approver");
        app(org, "sales");
        app(org, "billing");
    }

    private static GroupRoleGrant grant(String role, String app) {
        return GroupRoleGrant.newBuilder().setRoleKey(role).setAppKey(app).build();
    }

    private static IdpMapping mapping(String idp, String externalGroup) {
        return IdpMapping.newBuilder().setIdp(idp).setExternalGroup(externalGroup).build();
    }

    private CreateGroupRequest.Builder newGroup(String name) {
        return CreateGroupRequest.newBuilder().setOrganizationId(org).setName(name).setStage("production");
    }

    private Group create(String name) {
        return groups.createGroup(newGroup(name).build()).getGroup();
    }

    private Group get(String groupId) {
        return groups.getGroup(GetGroupRequest.newBuilder().setOrganizationId(org).setGroupId(groupId).build()).getGroup();
    }

    private List<Group> listAll() {
        return groups.listGroups(ListGroupsRequest.newBuilder().setOrganizationId(org).build()).getGroupsList();
    }

    private List<UserGroupMembership> userGroups(String userId) {
        return groups.listUserGroups(ListUserGroupsRequest.newBuilder().setOrganizationId(org).setUserId(userId).build())
                .getMembershipsList();
    }

    private void addMembers(String groupId, String... userIds) {
        groups.addGroupMembers(AddGroupMembersRequest.newBuilder()
                .setOrganizationId(org).setGroupId(groupId).addAllUserIds(List.of(userIds)).build());
    }

    private List<String> memberEmails(String groupId) {
        return groups.listGroupMembers(ListGroupMembersRequest.newBuilder().setOrganizationId(org).setGroupId(groupId).build())
                .getMembersList().stream().map(GroupMember::getEmail).toList();
    }

    private static UUID uuid(String id) {
        return UUID.fromString(id);
    }

    // CreateGroup and GetGroup

    @Test
    void createsWithGrantsMappingsAndMembersAndReadsThemBack() {
        String ann = user(org, "ann@example.com");
        String bob = user(org, "bob@example.com");
        String mapped = user(org, "carl@example.com");
        externalGroups(org, mapped, "okta", "Sales Team");

        var created = groups.createGroup(newGroup("  Sales reps  ")
                .setDescription("Everyone selling")
                .addRoleGrants(grant("viewer", "sales"))
                .addRoleGrants(grant("approver", "billing"))
                .addIdpMappings(mapping("okta", "Sales Team"))
                .addUserIds(ann).addUserIds(bob)
                .build());

        Group group = created.getGroup();
        assertThat(group.getName()).isEqualTo("Sales reps");
        assertThat(group.getDescription()).isEqualTo("Everyone selling");
        assertThat(group.getStage()).isEqualTo("production");
        assertThat(group.getRoleGrantsList()).containsExactlyInAnyOrder(grant("viewer", "sales"), grant("approver", "billing"));
        assertThat(group.getIdpMappingsList()).containsExactly(mapping("okta", "Sales Team"));
        assertThat(group.getMemberCount()).isEqualTo(2);
        assertThat(group.getCreateTime().getSeconds()).isPositive();
        assertThat(created.getRevisionToken()).isNotEmpty();
        assertThat(get(group.getGroupId())).isEqualTo(group);

        var change = lastChange(org);
        assertThat(change.resourceType()).isEqualTo("group");
        assertThat(change.resourceId()).isEqualTo(group.getGroupId());
        assertThat(change.action()).isEqualTo("created");
        assertThat(change.userIds()).containsExactlyInAnyOrder(uuid(ann), uuid(bob), uuid(mapped));
        assertThat(Long.parseLong(created.getRevisionToken())).isPositive();
    }

    @Test
    void retriedCreateWithSameRequestIdReturnsTheFirstGroup() {
        var request = newGroup("Retry").setRequestId(UUID.randomUUID().toString()).build();
        var first = groups.createGroup(request);
        var second = groups.createGroup(request);
        assertThat(second).isEqualTo(first);
        assertThat(listAll()).hasSize(1);
    }

    @Test
    void duplicateNameInAnyCaseIsAlreadyExists() {
        create("Marketing");
        var e = failure(() -> groups.createGroup(newGroup(" MARKETING ").setStage("qa").build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(listAll()).hasSize(1);
    }

    @Test
    void blankNameIsInvalid() {
        var e = failure(() -> groups.createGroup(newGroup("   ").build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("name");
    }

    @Test
    void unknownStageNamesTheField() {
        var e = failure(() -> groups.createGroup(newGroup("Staged").setStage("staging").build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("stage");
        assertThat(listAll()).isEmpty();
    }

    @Test
    void organizationRoleGrantedAtCreateIsRefusedAndNothingIsWritten() {
        String ann = user(org, "ann@example.com");
        var e = failure(() -> groups.createGroup(newGroup("Admins")
                .addRoleGrants(grant("viewer", "sales"))
                .addRoleGrants(grant("administrator", "sales"))
                .addUserIds(ann)
                .build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("role_grants[1].role_key");
        assertThat(e.getStatus().getDescription()).contains("only end-user roles can be granted to a group");
        assertThat(listAll()).isEmpty();
        assertThat(userGroups(ann)).isEmpty();
    }

    @Test
    void unknownRoleOrAppInAGrantNamesTheField() {
        var unknownRole = failure(() -> groups.createGroup(newGroup("G").addRoleGrants(grant("nobody", "sales")).build()));
        assertThat(unknownRole.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(unknownRole)).containsExactly("role_grants[0].role_key");

        var unknownApp = failure(() -> groups.createGroup(newGroup("G")
                .addRoleGrants(grant("viewer", "sales")).addRoleGrants(grant("viewer", "nowhere")).build()));
        assertThat(unknownApp.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(unknownApp)).containsExactly("role_grants[1].app_key");

        var malformed = failure(() -> groups.createGroup(newGroup("G").addRoleGrants(grant("Not A Key", "sales")).build()));
        assertThat(malformed.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(malformed)).containsExactly("role_grants[0].role_key");
        assertThat(listAll()).isEmpty();
    }

    @Test
    void repeatedGrantOrMappingInACreateIsInvalid() {
        var grants = failure(() -> groups.createGroup(newGroup("G")
                .addRoleGrants(grant("viewer", "sales"))
                .addRoleGrants(grant("viewer", "billing"))
                .addRoleGrants(grant("viewer", "sales")).build()));
        assertThat(grants.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(grants)).containsExactly("role_grants[2]");

        var mappings = failure(() -> groups.createGroup(newGroup("G")
                .addIdpMappings(mapping("okta", "Sales"))
                .addIdpMappings(mapping("okta", "Sales")).build()));
        assertThat(mappings.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(mappings)).containsExactly("idp_mappings[1]");
        assertThat(listAll()).isEmpty();
    }

    @Test
    void mappingsDifferingOnlyInCaseAreDistinctAndStoredAsGiven() {
        Group group = groups.createGroup(newGroup("G")
                .addIdpMappings(mapping("okta", "Sales"))
                .addIdpMappings(mapping("okta", "sales")).build()).getGroup();
        assertThat(get(group.getGroupId()).getIdpMappingsList())
                .containsExactlyInAnyOrder(mapping("okta", "Sales"), mapping("okta", "sales"));
    }

    @Test
    void unknownUserInACreateNamesItsIndex() {
        String ann = user(org, "ann@example.com");
        var e = failure(() -> groups.createGroup(newGroup("G")
                .addUserIds(ann).addUserIds(UUID.randomUUID().toString()).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("user_ids[1]");
        assertThat(listAll()).isEmpty();
    }

    @Test
    void userOfAnotherOrganizationIsUnknown() {
        String otherOrg = TestServer.newOrganization();
        String stranger = user(otherOrg, "stranger@example.com");
        var e = failure(() -> groups.createGroup(newGroup("G").addUserIds(stranger).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("user_ids[0]");
    }

    @Test
    void missingGroupIsNotFound() {
        var e = failure(() -> get(UUID.randomUUID().toString()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void anotherOrganizationsGroupIsNotFound() {
        String ann = user(org, "ann@example.com");
        Group theirs = groups.createGroup(newGroup("Theirs").addUserIds(ann).build()).getGroup();
        String other = TestServer.newOrganization();
        String id = theirs.getGroupId();
        List<Status.Code> codes = new ArrayList<>();
        codes.add(failure(() -> groups.getGroup(GetGroupRequest.newBuilder()
                .setOrganizationId(other).setGroupId(id).build())).getStatus().getCode());
        codes.add(failure(() -> groups.updateGroup(UpdateGroupRequest.newBuilder().setOrganizationId(other)
                .setGroup(Group.newBuilder().setGroupId(id).setName("Mine"))
                .setUpdateMask(FieldMask.newBuilder().addPaths("name")).build())).getStatus().getCode());
        codes.add(failure(() -> groups.deleteGroup(DeleteGroupRequest.newBuilder()
                .setOrganizationId(other).setGroupId(id).setForce(true).build())).getStatus().getCode());
        codes.add(failure(() -> groups.listGroupMembers(ListGroupMembersRequest.newBuilder()
                .setOrganizationId(other).setGroupId(id).build())).getStatus().getCode());
        codes.add(failure(() -> groups.removeGroupMembers(RemoveGroupMembersRequest.newBuilder()
                .setOrganizationId(other).setGroupId(id).addUserIds(ann).build())).getStatus().getCode());
        codes.add(failure(() -> groups.addIdpMapping(AddIdpMappingRequest.newBuilder()
                .setOrganizationId(other).setGroupId(id).setMapping(mapping("okta", "x")).build())).getStatus().getCode());
        codes.add(failure(() -> groups.listUserGroups(ListUserGroupsRequest.newBuilder()
                .setOrganizationId(other).setUserId(ann).build())).getStatus().getCode());
        assertThat(codes).containsOnly(Status.Code.NOT_FOUND);
        assertThat(get(id)).isEqualTo(theirs);
        assertThat(groups.listGroups(ListGroupsRequest.newBuilder().setOrganizationId(other).build()).getGroupsList()).isEmpty();
    }

    // ListGroups

    @Test
    void listsByNameCaseInsensitivelyWithStageFilterAndPages() {
        for (String name : List.of("delta", "Alpha", "charlie", "Echo", "bravo")) {
            create(name);
        }
        groups.createGroup(newGroup("Foxtrot").setStage("qa").build());

        assertThat(listAll()).extracting(Group::getName)
                .containsExactly("Alpha", "bravo", "charlie", "delta", "Echo", "Foxtrot");
        assertThat(groups.listGroups(ListGroupsRequest.newBuilder().setOrganizationId(org).setStage("qa").build())
                .getGroupsList()).extracting(Group::getName).containsExactly("Foxtrot");
        assertThat(groups.listGroups(ListGroupsRequest.newBuilder().setOrganizationId(org).setStage("development").build())
                .getGroupsList()).isEmpty();

        List<String> paged = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            var page = groups.listGroups(ListGroupsRequest.newBuilder()
                    .setOrganizationId(org).setStage("production").setPageSize(2).setPageToken(token).build());
            assertThat(page.getGroupsCount()).isLessThanOrEqualTo(2);
            page.getGroupsList().forEach(g -> paged.add(g.getName()));
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());
        assertThat(paged).containsExactly("Alpha", "bravo", "charlie", "delta", "Echo");
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void badPageTokenIsInvalid() {
        var e = failure(() -> groups.listGroups(ListGroupsRequest.newBuilder()
                .setOrganizationId(org).setPageToken("not-a-token").build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("page_token");
    }

    // UpdateGroup

    private UpdateGroupRequest update(Group values, String... paths) {
        return UpdateGroupRequest.newBuilder().setOrganizationId(org).setGroup(values)
                .setUpdateMask(FieldMask.newBuilder().addAllPaths(List.of(paths))).build();
    }

    @Test
    void updatesNameAndDescription() {
        Group group = create("Sales");
        var updated = groups.updateGroup(update(group.toBuilder().setName(" Sales EMEA ").setDescription("Europe").build(),
                "name", "description"));
        assertThat(updated.getGroup().getName()).isEqualTo("Sales EMEA");
        assertThat(updated.getGroup().getDescription()).isEqualTo("Europe");
        assertThat(updated.getRevisionToken()).isNotEmpty();
        assertThat(get(group.getGroupId()).getName()).isEqualTo("Sales EMEA");
        assertThat(lastChange(org).action()).isEqualTo("updated");

        // Only the masked field changes.
        groups.updateGroup(update(Group.newBuilder().setGroupId(group.getGroupId()).setName("ignored").build(), "description"));
        assertThat(get(group.getGroupId()).getName()).isEqualTo("Sales EMEA");
        assertThat(get(group.getGroupId()).getDescription()).isEmpty();

        // Its own name in another case is not a clash.
        groups.updateGroup(update(Group.newBuilder().setGroupId(group.getGroupId()).setName("SALES emea").build(), "name"));
        assertThat(get(group.getGroupId()).getName()).isEqualTo("SALES emea");
    }

    @Test
    void changingTheStageIsRefusedEvenToTheSameValue() {
        Group group = create("Sales");
        for (String stage : List.of("qa", "production")) {
            var e = failure(() -> groups.updateGroup(update(group.toBuilder().setStage(stage).setName("Renamed").build(),
                    "name", "stage")));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(Errors.preconditionTypes(e)).containsExactly("STAGE_FIXED");
            assertThat(e.getStatus().getDescription()).contains("a group's stage is fixed at creation");
        }
        assertThat(get(group.getGroupId())).isEqualTo(group);
    }

    @Test
    void updateRefusesOtherPathsBadIdsAndClashingNames() {
        Group group = create("Sales");
        create("Finance");

        var path = failure(() -> groups.updateGroup(update(group, "member_count")));
        assertThat(path.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(path)).containsExactly("update_mask");

        var badId = failure(() -> groups.updateGroup(update(group.toBuilder().setGroupId("nope").build(), "name")));
        assertThat(badId.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(badId)).containsExactly("group.group_id");

        var blank = failure(() -> groups.updateGroup(update(group.toBuilder().setName(" ").build(), "name")));
        assertThat(Errors.badFields(blank)).containsExactly("group.name");

        var clash = failure(() -> groups.updateGroup(update(group.toBuilder().setName("FINANCE").build(), "name")));
        assertThat(clash.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);

        var missing = failure(() -> groups.updateGroup(update(
                group.toBuilder().setGroupId(UUID.randomUUID().toString()).build(), "name")));
        assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(get(group.getGroupId())).isEqualTo(group);
    }

    // DeleteGroup

    @Test
    void deletingAGroupWithMembersIsRefusedUnlessForced() {
        String ann = user(org, "ann@example.com");
        String mapped = user(org, "carl@example.com");
        externalGroups(org, mapped, "okta", "Sales");
        Group group = groups.createGroup(newGroup("Sales")
                .addRoleGrants(grant("viewer", "sales"))
                .addIdpMappings(mapping("okta", "Sales"))
                .addUserIds(ann).build()).getGroup();
        var delete = DeleteGroupRequest.newBuilder().setOrganizationId(org).setGroupId(group.getGroupId());

        var e = failure(() -> groups.deleteGroup(delete.build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(Errors.preconditionTypes(e)).containsExactly("NOT_EMPTY");
        assertThat(get(group.getGroupId())).isEqualTo(group);
        assertThat(userGroups(ann)).hasSize(1);

        var deleted = groups.deleteGroup(delete.setForce(true).build());
        assertThat(deleted.getRevisionToken()).isNotEmpty();
        assertThat(failure(() -> get(group.getGroupId())).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(userGroups(ann)).isEmpty();
        assertThat(userGroups(mapped)).isEmpty();
        assertThat(storedGrants(org, group.getGroupId())).isEmpty();

        var change = lastChange(org);
        assertThat(change.action()).isEqualTo("deleted");
        assertThat(change.resourceId()).isEqualTo(group.getGroupId());
        assertThat(change.userIds()).containsExactlyInAnyOrder(uuid(ann), uuid(mapped));
    }

    @Test
    void deletingAGroupWithOnlyMappedMembersNeedsNoForce() {
        String mapped = user(org, "carl@example.com");
        externalGroups(org, mapped, "okta", "Sales");
        Group group = groups.createGroup(newGroup("Sales").addIdpMappings(mapping("okta", "Sales")).build()).getGroup();
        groups.deleteGroup(DeleteGroupRequest.newBuilder().setOrganizationId(org).setGroupId(group.getGroupId()).build());
        assertThat(listAll()).isEmpty();
        assertThat(lastChange(org).userIds()).containsExactly(uuid(mapped));
    }

    @Test
    void deletingAMissingGroupIsNotFound() {
        var e = failure(() -> groups.deleteGroup(DeleteGroupRequest.newBuilder()
                .setOrganizationId(org).setGroupId(UUID.randomUUID().toString()).setForce(true).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    // Members

    @Test
    void addsListsAndRemovesMembers() {
        String bob = user(org, "Bob@Example.com");
        String ann = user(org, "ann@example.com");
        String cid = user(org, "cid@example.com");
        Group group = create("Sales");
        String id = group.getGroupId();

        var added = groups.addGroupMembers(AddGroupMembersRequest.newBuilder()
                .setOrganizationId(org).setGroupId(id).addUserIds(bob).addUserIds(ann).build());
        assertThat(added.getRevisionToken()).isNotEmpty();
        var change = lastChange(org);
        assertThat(change.action()).isEqualTo("members_added");
        assertThat(change.userIds()).containsExactlyInAnyOrder(uuid(bob), uuid(ann));

        // Already a member: left as it is.
        addMembers(id, ann, cid);
        assertThat(get(id).getMemberCount()).isEqualTo(3);
        assertThat(lastChange(org).userIds()).containsExactly(uuid(cid));

        var members = groups.listGroupMembers(ListGroupMembersRequest.newBuilder().setOrganizationId(org).setGroupId(id).build());
        assertThat(members.getMembersList()).extracting(GroupMember::getEmail)
                .containsExactly("ann@example.com", "Bob@Example.com", "cid@example.com");
        assertThat(members.getMembers(1).getUserId()).isEqualTo(bob);
        assertThat(members.getMembers(1).getDisplayName()).isEqualTo("Name of Bob@Example.com");
        assertThat(members.getNextPageToken()).isEmpty();

        String outsider = user(org, "dan@example.com");
        var removed = groups.removeGroupMembers(RemoveGroupMembersRequest.newBuilder()
                .setOrganizationId(org).setGroupId(id).addUserIds(bob).addUserIds(outsider).build());
        assertThat(removed.getRevisionToken()).isNotEmpty();
        assertThat(memberEmails(id)).containsExactly("ann@example.com", "cid@example.com");
        change = lastChange(org);
        assertThat(change.action()).isEqualTo("members_removed");
        assertThat(change.userIds()).containsExactly(uuid(bob));
    }

    @Test
    void unknownUserAddsNobody() {
        String ann = user(org, "ann@example.com");
        Group group = create("Sales");
        var e = failure(() -> groups.addGroupMembers(AddGroupMembersRequest.newBuilder()
                .setOrganizationId(org).setGroupId(group.getGroupId())
                .addUserIds(ann).addUserIds(UUID.randomUUID().toString()).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("user_ids[1]");
        assertThat(get(group.getGroupId()).getMemberCount()).isZero();
    }

    @Test
    void membersOfAMissingGroupAreNotFound() {
        String ann = user(org, "ann@example.com");
        String missing = UUID.randomUUID().toString();
        assertThat(failure(() -> addMembers(missing, ann)).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(failure(() -> memberEmails(missing)).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void membersArePaged() {
        Group group = create("Big");
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String email = "user" + i + "@example.com";
            emails.add(email);
            addMembers(group.getGroupId(), user(org, email));
        }
        List<String> paged = new ArrayList<>();
        String token = "";
        do {
            var page = groups.listGroupMembers(ListGroupMembersRequest.newBuilder()
                    .setOrganizationId(org).setGroupId(group.getGroupId()).setPageSize(2).setPageToken(token).build());
            assertThat(page.getMembersCount()).isLessThanOrEqualTo(2);
            page.getMembersList().forEach(m -> paged.add(m.getEmail()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(paged).containsExactlyElementsOf(emails);
    }

    // Role grants

    @Test
    void grantsAndRevokesEndUserRolesAffectingEveryEffectiveMember() {
        String ann = user(org, "ann@example.com");
        String mapped = user(org, "carl@example.com");
        String other = user(org, "dan@example.com");
        externalGroups(org, mapped, "okta", "Sales");
        externalGroups(org, other, "okta", "Finance");
        Group group = groups.createGroup(newGroup("Sales")
                .addIdpMappings(mapping("okta", "Sales")).addUserIds(ann).build()).getGroup();
        var grantRequest = GrantGroupRoleRequest.newBuilder()
                .setOrganizationId(org).setGroupId(group.getGroupId()).setGrant(grant("viewer", "sales")).build();

        var granted = groups.grantGroupRole(grantRequest);
        assertThat(granted.getGroup().getRoleGrantsList()).containsExactly(grant("viewer", "sales"));
        assertThat(granted.getRevisionToken()).isNotEmpty();
        var change = lastChange(org);
        assertThat(change.action()).isEqualTo("role_granted");
        assertThat(change.userIds()).containsExactlyInAnyOrder(uuid(ann), uuid(mapped));

        var twice = failure(() -> groups.grantGroupRole(grantRequest));
        assertThat(twice.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);

        var revoked = groups.revokeGroupRole(RevokeGroupRoleRequest.newBuilder()
                .setOrganizationId(org).setGroupId(group.getGroupId()).setGrant(grant("viewer", "sales")).build());
        assertThat(revoked.getGroup().getRoleGrantsList()).isEmpty();
        change = lastChange(org);
        assertThat(change.action()).isEqualTo("role_revoked");
        assertThat(change.userIds()).containsExactlyInAnyOrder(uuid(ann), uuid(mapped));

        var absent = failure(() -> groups.revokeGroupRole(RevokeGroupRoleRequest.newBuilder()
                .setOrganizationId(org).setGroupId(group.getGroupId()).setGrant(grant("viewer", "sales")).build()));
        assertThat(absent.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void organizationRoleGrantedToAGroupIsRefused() {
        Group group = create("Sales");
        for (String role : List.of("administrator", "developer")) {
            var e = failure(() -> groups.grantGroupRole(GrantGroupRoleRequest.newBuilder()
                    .setOrganizationId(org).setGroupId(group.getGroupId()).setGrant(grant(role, "sales")).build()));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(Errors.badFields(e)).containsExactly("grant.role_key");
            assertThat(e.getStatus().getDescription()).contains("only end-user roles can be granted to a group");
        }
        assertThat(get(group.getGroupId()).getRoleGrantsList()).isEmpty();
    }

    @Test
    void grantNamesAnUnknownRoleOrAppAndAMissingGroupIsNotFound() {
        Group group = create("Sales");
        var role = failure(() -> groups.grantGroupRole(GrantGroupRoleRequest.newBuilder()
                .setOrganizationId(org).setGroupId(group.getGroupId()).setGrant(grant("nobody", "sales")).build()));
        assertThat(Errors.badFields(role)).containsExactly("grant.role_key");
        var app = failure(() -> groups.grantGroupRole(GrantGroupRoleRequest.newBuilder()
                .setOrganizationId(org).setGroupId(group.getGroupId()).setGrant(grant("viewer", "nowhere")).build()));
        assertThat(app.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(app)).containsExactly("grant.app_key");
        var missing = failure(() -> groups.grantGroupRole(GrantGroupRoleRequest.newBuilder()
                .setOrganizationId(org).setGroupId(UUID.randomUUID().toString()).setGrant(grant("viewer", "sales")).build()));
        assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    // IdP mappings

    @Test
    void addsAndRemovesMappingsAffectingTheMatchedUsers() {
        String ann = user(org, "ann@example.com");
        String mappedBefore = user(org, "carl@example.com");
        String mappedAfter = user(org, "dora@example.com");
        externalGroups(org, mappedBefore, "okta", "Sales");
        externalGroups(org, mappedAfter, "azure", "sales-emea");
        Group group = groups.createGroup(newGroup("Sales")
                .addIdpMappings(mapping("okta", "Sales")).addUserIds(ann).build()).getGroup();
        var add = AddIdpMappingRequest.newBuilder()
                .setOrganizationId(org).setGroupId(group.getGroupId()).setMapping(mapping("azure", "sales-emea")).build();

        var added = groups.addIdpMapping(add);
        assertThat(added.getGroup().getIdpMappingsList())
                .containsExactlyInAnyOrder(mapping("okta", "Sales"), mapping("azure", "sales-emea"));
        assertThat(added.getRevisionToken()).isNotEmpty();
        var change = lastChange(org);
        assertThat(change.action()).isEqualTo("mapping_added");
        assertThat(change.userIds()).containsExactlyInAnyOrder(uuid(ann), uuid(mappedBefore), uuid(mappedAfter));
        assertThat(userGroups(mappedAfter)).extracting(m -> m.getGroup().getName()).containsExactly("Sales");

        var twice = failure(() -> groups.addIdpMapping(add));
        assertThat(twice.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);

        var remove = RemoveIdpMappingRequest.newBuilder()
                .setOrganizationId(org).setGroupId(group.getGroupId()).setMapping(mapping("okta", "Sales")).build();
        var removed = groups.removeIdpMapping(remove);
        assertThat(removed.getGroup().getIdpMappingsList()).containsExactly(mapping("azure", "sales-emea"));
        change = lastChange(org);
        assertThat(change.action()).isEqualTo("mapping_removed");
        assertThat(change.userIds()).contains(uuid(mappedBefore));
        assertThat(userGroups(mappedBefore)).isEmpty();

        var absent = failure(() -> groups.removeIdpMapping(remove));
        assertThat(absent.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        var otherCase = failure(() -> groups.removeIdpMapping(remove.toBuilder()
                .setMapping(mapping("azure", "Sales-EMEA")).build()));
        assertThat(otherCase.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(get(group.getGroupId()).getIdpMappingsList()).containsExactly(mapping("azure", "sales-emea"));
    }

    @Test
    void emptyMappingFieldsAreInvalid() {
        Group group = create("Sales");
        var e = failure(() -> groups.addIdpMapping(AddIdpMappingRequest.newBuilder()
                .setOrganizationId(org).setGroupId(group.getGroupId()).setMapping(mapping("okta", "")).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("mapping.external_group");
    }

    // ListUserGroups

    @Test
    void aUserInTwoGroupsListsBoth() {
        String ann = user(org, "ann@example.com");
        Group marketing = groups.createGroup(newGroup("Marketing").addUserIds(ann).build()).getGroup();
        Group finance = groups.createGroup(newGroup("Finance").addRoleGrants(grant("approver", "billing")).build()).getGroup();
        addMembers(finance.getGroupId(), ann);
        create("Unrelated");

        List<UserGroupMembership> memberships = userGroups(ann);
        assertThat(memberships).extracting(m -> m.getGroup().getName()).containsExactly("Finance", "Marketing");
        assertThat(memberships).allSatisfy(m -> {
            assertThat(m.getDirect()).isTrue();
            assertThat(m.getViaMappingsList()).isEmpty();
        });
        assertThat(memberships.get(0).getGroup().getRoleGrantsList()).containsExactly(grant("approver", "billing"));
        assertThat(memberships.get(1).getGroup().getGroupId()).isEqualTo(marketing.getGroupId());
    }

    @Test
    void mappedMembershipShowsTheMappingsAndMatchesCaseSensitively() {
        String ann = user(org, "ann@example.com");
        String bob = user(org, "bob@example.com");
        externalGroups(org, ann, "okta", "Engineering", "Sales");
        externalGroups(org, bob, "okta", "engineering");
        Group engineering = groups.createGroup(newGroup("Engineers")
                .addIdpMappings(mapping("okta", "Engineering"))
                .addIdpMappings(mapping("okta", "Sales"))
                .addIdpMappings(mapping("azure", "Engineering"))
                .addUserIds(ann).build()).getGroup();

        List<UserGroupMembership> memberships = userGroups(ann);
        assertThat(memberships).hasSize(1);
        assertThat(memberships.getFirst().getGroup().getGroupId()).isEqualTo(engineering.getGroupId());
        assertThat(memberships.getFirst().getDirect()).isTrue();
        assertThat(memberships.getFirst().getViaMappingsList())
                .containsExactlyInAnyOrder(mapping("okta", "Engineering"), mapping("okta", "Sales"));

        // "engineering" is not "Engineering".
        assertThat(userGroups(bob)).isEmpty();

        externalGroups(org, bob, "okta", "Sales");
        List<UserGroupMembership> bobs = userGroups(bob);
        assertThat(bobs).hasSize(1);
        assertThat(bobs.getFirst().getDirect()).isFalse();
        assertThat(bobs.getFirst().getViaMappingsList()).containsExactly(mapping("okta", "Sales"));
        // Mapped users are effective members, not direct ones.
        assertThat(get(engineering.getGroupId()).getMemberCount()).isEqualTo(1);
        assertThat(memberEmails(engineering.getGroupId())).containsExactly("ann@example.com");
    }

    @Test
    void groupsOfAMissingUserAreNotFound() {
        var e = failure(() -> userGroups(UUID.randomUUID().toString()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }
}
