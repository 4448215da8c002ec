package dev.verdict.server.api;

import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.Page;
import dev.verdict.server.store.PageToken;
import dev.verdict.server.store.RoleStore;
import dev.verdict.v1.CreateRoleRequest;
import dev.verdict.v1.CreateRoleResponse;
import dev.verdict.v1.DeleteRoleRequest;
import dev.verdict.v1.DeleteRoleResponse;
import dev.verdict.v1.GetRoleRequest;
import dev.verdict.v1.GetRoleResponse;
import dev.verdict.v1.ListRolesRequest;
import dev.verdict.v1.ListRolesResponse;
import dev.verdict.v1.PermissionGrant;
import dev.verdict.v1.Role;
import dev.verdict.v1.RoleKind;
import dev.verdict.v1.RoleServiceGrpc;
import dev.verdict.v1.UpdateRoleRequest;
import dev.verdict.v1.UpdateRoleResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** {@code verdict.v1.RoleService}: maps requests to {@link RoleStore} and back. */
final class RoleApi extends RoleServiceGrpc.RoleServiceImplBase {
    private final RoleStore roles;
    private final Idempotency idempotency;

    RoleApi(RoleStore roles, Idempotency idempotency) {
        this.roles = roles;
        this.idempotency = idempotency;
    }

    @Override
    public void createRole(CreateRoleRequest request, StreamObserver<CreateRoleResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        Role r = request.getRole();
        if (r.getKind() == RoleKind.ROLE_KIND_UNSPECIFIED) {
            throw DomainException.invalid("role.kind", "is required: ORGANIZATION or END_USER");
        }
        String displayName = r.getDisplayName().strip();
        var role = new dev.verdict.server.domain.Role(
                r.getKey(),
                displayName.isEmpty() ? r.getKey() : displayName,
                r.getDescription(),
                kind(r.getKind()),
                grants(r.getGrantsList()),
                false);
        Rpc.reply(response, idempotency.once(org, request.getRequestId(), "CreateRole", CreateRoleResponse.parser(), () -> {
            var created = roles.create(org, role);
            return CreateRoleResponse.newBuilder()
                    .setRole(toProto(created.value()))
                    .setRevisionToken(created.revisionToken())
                    .build();
        }));
    }

    @Override
    public void getRole(GetRoleRequest request, StreamObserver<GetRoleResponse> response) {
        var role = roles.get(UUID.fromString(request.getOrganizationId()), request.getKey())
                .orElseThrow(() -> DomainException.notFound("role", request.getKey()));
        Rpc.reply(response, GetRoleResponse.newBuilder().setRole(toProto(role)).build());
    }

    @Override
    public void listRoles(ListRolesRequest request, StreamObserver<ListRolesResponse> response) {
        Page<dev.verdict.server.domain.Role> page = roles.list(
                UUID.fromString(request.getOrganizationId()),
                request.getKind() == RoleKind.ROLE_KIND_UNSPECIFIED ? null : kind(request.getKind()),
                PageToken.size(request.getPageSize(), 100),
                request.getPageToken());
        Rpc.reply(response, ListRolesResponse.newBuilder()
                .addAllRoles(page.items().stream().map(RoleApi::toProto).toList())
                .setNextPageToken(page.nextPageToken())
                .build());
    }

    @Override
    public void updateRole(UpdateRoleRequest request, StreamObserver<UpdateRoleResponse> response) {
        Role r = request.getRole();
        Set<String> paths = Protos.maskPaths(request.getUpdateMask(), Set.of("display_name", "description", "grants"));
        String displayName = null;
        if (paths.contains("display_name")) {
            displayName = r.getDisplayName().strip();
            if (displayName.isEmpty()) {
                displayName = r.getKey();
            }
        }
        String description = paths.contains("description") ? r.getDescription() : null;
        List<dev.verdict.server.domain.PermissionGrant> grants = paths.contains("grants") ? grants(r.getGrantsList()) : null;
        var updated = roles.update(UUID.fromString(request.getOrganizationId()), r.getKey(), displayName, description, grants);
        Rpc.reply(response, UpdateRoleResponse.newBuilder()
                .setRole(toProto(updated.value()))
                .setRevisionToken(updated.revisionToken())
                .build());
    }

    @Override
    public void deleteRole(DeleteRoleRequest request, StreamObserver<DeleteRoleResponse> response) {
        var deleted = roles.delete(UUID.fromString(request.getOrganizationId()), request.getKey(), request.getForce());
        Rpc.reply(response, DeleteRoleResponse.newBuilder().setRevisionToken(deleted.revisionToken()).build());
    }

    private static List<dev.verdict.server.domain.PermissionGrant> grants(List<PermissionGrant> grants) {
        return grants.stream()
                .map(g -> new dev.verdict.server.domain.PermissionGrant(g.getPermissionKey(), List.copyOf(g.getStagesList())))
                .toList();
    }

    static dev.verdict.server.domain.RoleKind kind(RoleKind kind) {
        return switch (kind) {
            case ROLE_KIND_ORGANIZATION -> dev.verdict.server.domain.RoleKind.ORGANIZATION;
            case ROLE_KIND_END_USER -> dev.verdict.server.domain.RoleKind.END_USER;
            case ROLE_KIND_UNSPECIFIED, UNRECOGNIZED -> throw DomainException.invalid("kind", "must be ORGANIZATION or END_USER");
        };
    }

    static RoleKind toProto(dev.verdict.server.domain.RoleKind kind) {
        return switch (kind) {
            case ORGANIZATION -> RoleKind.ROLE_KIND_ORGANIZATION;
            case END_USER -> RoleKind.ROLE_KIND_END_USER;
        };
    }

    static Role toProto(dev.verdict.server.domain.Role role) {
        return Role.newBuilder()
                .setKey(role.key())
                .setDisplayName(role.displayName())
                .setDescription(role.description())
                .setKind(toProto(role.kind()))
                .addAllGrants(role.grants().stream()
                        .map(g -> PermissionGrant.newBuilder()
                                .setPermissionKey(g.permissionKey())
                                .addAllStages(g.stages())
                                .build())
                        .toList())
                .setBuiltIn(role.builtIn())
                .build();
    }
}
