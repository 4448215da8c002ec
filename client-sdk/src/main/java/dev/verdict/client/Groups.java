package dev.verdict.client;

import dev.verdict.v1.AddGroupMembersRequest;
import dev.verdict.v1.AddGroupMembersResponse;
import dev.verdict.v1.AddIdpMappingRequest;
import dev.verdict.v1.AddIdpMappingResponse;
import dev.verdict.v1.CreateGroupRequest;
import dev.verdict.v1.CreateGroupResponse;
import dev.verdict.v1.DeleteGroupRequest;
import dev.verdict.v1.DeleteGroupResponse;
import dev.verdict.v1.GetGroupRequest;
import dev.verdict.v1.GetGroupResponse;
import dev.verdict.v1.GrantGroupRoleRequest;
import dev.verdict.v1.GrantGroupRoleResponse;
import dev.verdict.v1.GroupServiceGrpc;
import dev.verdict.v1.ListGroupMembersRequest;
import dev.verdict.v1.ListGroupMembersResponse;
import dev.verdict.v1.ListGroupsRequest;
import dev.verdict.v1.ListGroupsResponse;
import dev.verdict.v1.ListUserGroupsRequest;
import dev.verdict.v1.ListUserGroupsResponse;
import dev.verdict.v1.RemoveGroupMembersRequest;
import dev.verdict.v1.RemoveGroupMembersResponse;
import dev.verdict.v1.RemoveIdpMappingRequest;
import dev.verdict.v1.RemoveIdpMappingResponse;
import dev.verdict.v1.RevokeGroupRoleRequest;
import dev.verdict.v1.RevokeGroupRoleResponse;
import dev.verdict.v1.UpdateGroupRequest;
import dev.verdict.v1.UpdateGroupResponse;

/**
 * End-user groups: bound to one stage, granted end-user roles per app, with direct members and members mapped from identity-provider groups. The {@code verdict.v1.GroupService}, one method per RPC taking and returning the generated
 * messages. A request whose {@code organization_id} is empty gets the organization the client is bound to. Failures throw a {@link VerdictException}. Thread-safe; get it from
 * {@link VerdictClient#groups()}.
 */
public final class Groups {
    private final Calls calls;
    private final String organizationId;
    private final GroupServiceGrpc.GroupServiceBlockingStub stub;

    Groups(Calls calls, String organizationId) {
        this.calls = calls;
        this.organizationId = organizationId;
        this.stub = calls.stub(GroupServiceGrpc::newBlockingStub);
    }

    /** Creates a group in a stage, optionally with role grants, IdP mappings and members. ({@code verdict.v1.GroupService/CreateGroup}). */
    public CreateGroupResponse createGroup(CreateGroupRequest request) {
        return calls.call(organizationId, request, stub::createGroup);
    }

    /** Gets a group with its role grants and IdP mappings. ({@code verdict.v1.GroupService/GetGroup}). */
    public GetGroupResponse getGroup(GetGroupRequest request) {
        return calls.call(organizationId, request, stub::getGroup);
    }

    /** Lists groups ordered by name, optionally of one stage. ({@code verdict.v1.GroupService/ListGroups}). */
    public ListGroupsResponse listGroups(ListGroupsRequest request) {
        return calls.call(organizationId, request, stub::listGroups);
    }

    /** Renames or describes a group; its stage cannot change. ({@code verdict.v1.GroupService/UpdateGroup}). */
    public UpdateGroupResponse updateGroup(UpdateGroupRequest request) {
        return calls.call(organizationId, request, stub::updateGroup);
    }

    /** Deletes a group and what its members inherited from it; refused while it has members unless force. ({@code verdict.v1.GroupService/DeleteGroup}). */
    public DeleteGroupResponse deleteGroup(DeleteGroupRequest request) {
        return calls.call(organizationId, request, stub::deleteGroup);
    }

    /** Adds users to a group. ({@code verdict.v1.GroupService/AddGroupMembers}). */
    public AddGroupMembersResponse addGroupMembers(AddGroupMembersRequest request) {
        return calls.call(organizationId, request, stub::addGroupMembers);
    }

    /** Removes users from a group. ({@code verdict.v1.GroupService/RemoveGroupMembers}). */
    public RemoveGroupMembersResponse removeGroupMembers(RemoveGroupMembersRequest request) {
        return calls.call(organizationId, request, stub::removeGroupMembers);
    }

    /** Lists the direct members of a group, ordered by email. ({@code verdict.v1.GroupService/ListGroupMembers}). */
    public ListGroupMembersResponse listGroupMembers(ListGroupMembersRequest request) {
        return calls.call(organizationId, request, stub::listGroupMembers);
    }

    /** Grants an end-user role for an app to a group, in the group's stage. ({@code verdict.v1.GroupService/GrantGroupRole}). */
    public GrantGroupRoleResponse grantGroupRole(GrantGroupRoleRequest request) {
        return calls.call(organizationId, request, stub::grantGroupRole);
    }

    /** Revokes a role grant from a group. ({@code verdict.v1.GroupService/RevokeGroupRole}). */
    public RevokeGroupRoleResponse revokeGroupRole(RevokeGroupRoleRequest request) {
        return calls.call(organizationId, request, stub::revokeGroupRole);
    }

    /** Maps an identity-provider group to the group. ({@code verdict.v1.GroupService/AddIdpMapping}). */
    public AddIdpMappingResponse addIdpMapping(AddIdpMappingRequest request) {
        return calls.call(organizationId, request, stub::addIdpMapping);
    }

    /** Removes a mapping. ({@code verdict.v1.GroupService/RemoveIdpMapping}). */
    public RemoveIdpMappingResponse removeIdpMapping(RemoveIdpMappingRequest request) {
        return calls.call(organizationId, request, stub::removeIdpMapping);
    }

    /** Lists the groups a user is an effective member of, directly or through an IdP mapping. ({@code verdict.v1.GroupService/ListUserGroups}). */
    public ListUserGroupsResponse listUserGroups(ListUserGroupsRequest request) {
        return calls.call(organizationId, request, stub::listUserGroups);
    }
}
