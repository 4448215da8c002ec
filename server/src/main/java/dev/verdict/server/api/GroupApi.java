package dev.verdict.server.api;

import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.NewGroup;
import dev.verdict.server.domain.Page;
import dev.verdict.server.domain.Written;
import dev.verdict.server.store.GroupStore;
import dev.verdict.server.store.PageToken;
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
import dev.verdict.v1.Group;
import dev.verdict.v1.GroupMember;
import dev.verdict.v1.GroupRoleGrant;
import dev.verdict.v1.GroupServiceGrpc;
import dev.verdict.v1.GrantGroupRoleRequest;
import dev.verdict.v1.GrantGroupRoleResponse;
import dev.verdict.v1.IdpMapping;
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
import dev.verdict.v1.UserGroupMembership;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** {@code verdict.v1.GroupService}: maps requests to {@link GroupStore} and back. */
final class GroupApi extends GroupServiceGrpc.GroupServiceImplBase {
    private static final int DEFAULT_PAGE_SIZE = 100;

    private final GroupStore groups;
    private final Idempotency idempotency;

    GroupApi(GroupStore groups, Idempotency idempotency) {
        this.groups = groups;
        this.idempotency = idempotency;
    }

    @Override
    public void createGroup(CreateGroupRequest request, StreamObserver<CreateGroupResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        var group = new NewGroup(
                name(request.getName(), "name"),
                request.getDescription(),
                request.getStage(),
                request.getRoleGrantsList().stream().map(GroupApi::toDomain).toList(),
                request.getIdpMappingsList().stream().map(GroupApi::toDomain).toList(),
                request.getUserIdsList().stream().map(UUID::fromString).toList());
        Rpc.reply(response, idempotency.once(org, request.getRequestId(), "CreateGroup", CreateGroupResponse.parser(), () -> {
            Written<dev.verdict.server.domain.Group> created = groups.create(org, group);
            return CreateGroupResponse.newBuilder()
                    .setGroup(toProto(created.value()))
                    .setRevisionToken(created.revisionToken())
                    .build();
        }));
    }

    @Override
    public void getGroup(GetGroupRequest request, StreamObserver<GetGroupResponse> response) {
        var group = groups.get(UUID.fromString(request.getOrganizationId()), UUID.fromString(request.getGroupId()))
                .orElseThrow(() -> DomainException.notFound("group", request.getGroupId()));
        Rpc.reply(response, GetGroupResponse.newBuilder().setGroup(toProto(group)).build());
    }

    @Override
    public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> response) {
        Page<dev.verdict.server.domain.Group> page = groups.list(UUID.fromString(request.getOrganizationId()),
                Protos.emptyToNull(request.getStage()),
                PageToken.size(request.getPageSize(), DEFAULT_PAGE_SIZE), request.getPageToken());
        Rpc.reply(response, ListGroupsResponse.newBuilder()
                .addAllGroups(page.items().stream().map(GroupApi::toProto).toList())
                .setNextPageToken(page.nextPageToken())
                .build());
    }

    @Override
    public void updateGroup(UpdateGroupRequest request, StreamObserver<UpdateGroupResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        Group changes = request.getGroup();
        UUID id = Protos.uuid(changes.getGroupId(), "group.group_id");
        Set<String> paths = Protos.maskPaths(request.getUpdateMask(), Set.of("name", "description", "stage"));
        String name = paths.contains("name") ? name(changes.getName(), "group.name") : null;
        String description = null;
        if (paths.contains("description")) {
            description = changes.getDescription();
            Validation.maxLength(description, 2000, "group.description");
        }
        var updated = groups.update(org, id, name, description, paths.contains("stage"));
        Rpc.reply(response, UpdateGroupResponse.newBuilder()
                .setGroup(toProto(updated.value()))
                .setRevisionToken(updated.revisionToken())
                .build());
    }

    @Override
    public void deleteGroup(DeleteGroupRequest request, StreamObserver<DeleteGroupResponse> response) {
        var deleted = groups.delete(UUID.fromString(request.getOrganizationId()), UUID.fromString(request.getGroupId()),
                request.getForce());
        Rpc.reply(response, DeleteGroupResponse.newBuilder().setRevisionToken(deleted.revisionToken()).build());
    }

    @Override
    public void addGroupMembers(AddGroupMembersRequest request, StreamObserver<AddGroupMembersResponse> response) {
        var added = groups.addMembers(UUID.fromString(request.getOrganizationId()), UUID.fromString(request.getGroupId()),
                uuids(request.getUserIdsList()));
        Rpc.reply(response, AddGroupMembersResponse.newBuilder().setRevisionToken(added.revisionToken()).build());
    }

    @Override
    public void removeGroupMembers(RemoveGroupMembersRequest request, StreamObserver<RemoveGroupMembersResponse> response) {
        var removed = groups.removeMembers(UUID.fromString(request.getOrganizationId()),
                UUID.fromString(request.getGroupId()), uuids(request.getUserIdsList()));
        Rpc.reply(response, RemoveGroupMembersResponse.newBuilder().setRevisionToken(removed.revisionToken()).build());
    }

    @Override
    public void listGroupMembers(ListGroupMembersRequest request, StreamObserver<ListGroupMembersResponse> response) {
        Page<dev.verdict.server.domain.GroupMember> page = groups.listMembers(UUID.fromString(request.getOrganizationId()),
                UUID.fromString(request.getGroupId()),
                PageToken.size(request.getPageSize(), DEFAULT_PAGE_SIZE), request.getPageToken());
        Rpc.reply(response, ListGroupMembersResponse.newBuilder()
                .addAllMembers(page.items().stream().map(m -> GroupMember.newBuilder()
                        .setUserId(m.userId().toString())
                        .setEmail(m.email())
                        .setDisplayName(m.displayName())
                        .build()).toList())
                .setNextPageToken(page.nextPageToken())
                .build());
    }

    @Override
    public void grantGroupRole(GrantGroupRoleRequest request, StreamObserver<GrantGroupRoleResponse> response) {
        var granted = groups.grantRole(UUID.fromString(request.getOrganizationId()), UUID.fromString(request.getGroupId()),
                toDomain(request.getGrant()));
        Rpc.reply(response, GrantGroupRoleResponse.newBuilder()
                .setGroup(toProto(granted.value()))
                .setRevisionToken(granted.revisionToken())
                .build());
    }

    @Override
    public void revokeGroupRole(RevokeGroupRoleRequest request, StreamObserver<RevokeGroupRoleResponse> response) {
        var revoked = groups.revokeRole(UUID.fromString(request.getOrganizationId()), UUID.fromString(request.getGroupId()),
                toDomain(request.getGrant()));
        Rpc.reply(response, RevokeGroupRoleResponse.newBuilder()
                .setGroup(toProto(revoked.value()))
                .setRevisionToken(revoked.revisionToken())
                .build());
    }

    @Override
    public void addIdpMapping(AddIdpMappingRequest request, StreamObserver<AddIdpMappingResponse> response) {
        var added = groups.addMapping(UUID.fromString(request.getOrganizationId()), UUID.fromString(request.getGroupId()),
                toDomain(request.getMapping()));
        Rpc.reply(response, AddIdpMappingResponse.newBuilder()
                .setGroup(toProto(added.value()))
                .setRevisionToken(added.revisionToken())
                .build());
    }

    @Override
    public void removeIdpMapping(RemoveIdpMappingRequest request, StreamObserver<RemoveIdpMappingResponse> response) {
        var removed = groups.removeMapping(UUID.fromString(request.getOrganizationId()),
                UUID.fromString(request.getGroupId()), toDomain(request.getMapping()));
        Rpc.reply(response, RemoveIdpMappingResponse.newBuilder()
                .setGroup(toProto(removed.value()))
                .setRevisionToken(removed.revisionToken())
                .build());
    }

    @Override
    public void listUserGroups(ListUserGroupsRequest request, StreamObserver<ListUserGroupsResponse> response) {
        var memberships = groups.userGroups(UUID.fromString(request.getOrganizationId()),
                UUID.fromString(request.getUserId()));
        Rpc.reply(response, ListUserGroupsResponse.newBuilder()
                .addAllMemberships(memberships.stream().map(m -> UserGroupMembership.newBuilder()
                        .setGroup(toProto(m.group()))
                        .setDirect(m.direct())
                        .addAllViaMappings(m.viaMappings().stream().map(GroupApi::toProto).toList())
                        .build()).toList())
                .build());
    }

    /** A group name as stored: trimmed, 1 to 200 characters. */
    private static String name(String value, String field) {
        String name = value.strip();
        if (name.isEmpty() || name.length() > 200) {
            throw DomainException.invalid(field, "must be 1 to 200 characters, not counting surrounding spaces");
        }
        return name;
    }

    private static List<UUID> uuids(List<String> ids) {
        return ids.stream().map(UUID::fromString).toList();
    }

    private static dev.verdict.server.domain.GroupRoleGrant toDomain(GroupRoleGrant grant) {
        return new dev.verdict.server.domain.GroupRoleGrant(grant.getRoleKey(), grant.getAppKey());
    }

    private static dev.verdict.server.domain.IdpMapping toDomain(IdpMapping mapping) {
        return new dev.verdict.server.domain.IdpMapping(mapping.getIdp(), mapping.getExternalGroup());
    }

    private static IdpMapping toProto(dev.verdict.server.domain.IdpMapping mapping) {
        return IdpMapping.newBuilder().setIdp(mapping.idp()).setExternalGroup(mapping.externalGroup()).build();
    }

    static Group toProto(dev.verdict.server.domain.Group group) {
        return Group.newBuilder()
                .setGroupId(group.id().toString())
                .setName(group.name())
                .setDescription(group.description())
                .setStage(group.stage())
                .addAllRoleGrants(group.roleGrants().stream().map(g -> GroupRoleGrant.newBuilder()
                        .setRoleKey(g.roleKey())
                        .setAppKey(g.appKey())
                        .build()).toList())
                .addAllIdpMappings(group.idpMappings().stream().map(GroupApi::toProto).toList())
                .setMemberCount(group.memberCount())
                .setCreateTime(Protos.timestamp(group.createTime()))
                .build();
    }
}
