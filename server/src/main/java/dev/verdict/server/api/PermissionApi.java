package dev.verdict.server.api;

import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.Page;
import dev.verdict.server.store.PageToken;
import dev.verdict.server.store.PermissionStore;
import dev.verdict.v1.CreatePermissionRequest;
import dev.verdict.v1.CreatePermissionResponse;
import dev.verdict.v1.DeletePermissionRequest;
import dev.verdict.v1.DeletePermissionResponse;
import dev.verdict.v1.GetPermissionRequest;
import dev.verdict.v1.GetPermissionResponse;
import dev.verdict.v1.ListPermissionsRequest;
import dev.verdict.v1.ListPermissionsResponse;
import dev.verdict.v1.Permission;
import dev.verdict.v1.PermissionLevel;
import dev.verdict.v1.PermissionServiceGrpc;
import dev.verdict.v1.UpdatePermissionRequest;
import dev.verdict.v1.UpdatePermissionResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** {@code verdict.v1.PermissionService}: maps requests to {@link PermissionStore} and back. */
final class PermissionApi extends PermissionServiceGrpc.PermissionServiceImplBase {
    /** The section of a custom permission created without one. */
    static final String CUSTOM_SECTION = "Custom";

    private final PermissionStore permissions;
    private final Idempotency idempotency;

    PermissionApi(PermissionStore permissions, Idempotency idempotency) {
        this.permissions = permissions;
        this.idempotency = idempotency;
    }

    @Override
    public void createPermission(CreatePermissionRequest request, StreamObserver<CreatePermissionResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        Permission p = request.getPermission();
        if (p.getLevel() == PermissionLevel.PERMISSION_LEVEL_UNSPECIFIED) {
            throw DomainException.invalid("permission.level", "is required: ORGANIZATION, STAGE or APP");
        }
        String displayName = p.getDisplayName().strip();
        String section = p.getSection().strip();
        var permission = new dev.verdict.server.domain.Permission(
                p.getKey(),
                displayName.isEmpty() ? p.getKey() : displayName,
                section.isEmpty() ? CUSTOM_SECTION : section,
                level(p.getLevel()),
                p.getImpliesList(),
                p.getDescription(),
                false);
        Rpc.reply(response, idempotency.once(org, request.getRequestId(), "CreatePermission",
                CreatePermissionResponse.parser(), () -> {
                    var created = permissions.create(org, permission);
                    return CreatePermissionResponse.newBuilder()
                            .setPermission(toProto(created.value()))
                            .setRevisionToken(created.revisionToken())
                            .build();
                }));
    }

    @Override
    public void getPermission(GetPermissionRequest request, StreamObserver<GetPermissionResponse> response) {
        var permission = permissions.get(UUID.fromString(request.getOrganizationId()), request.getKey())
                .orElseThrow(() -> DomainException.notFound("permission", request.getKey()));
        Rpc.reply(response, GetPermissionResponse.newBuilder().setPermission(toProto(permission)).build());
    }

    @Override
    public void listPermissions(ListPermissionsRequest request, StreamObserver<ListPermissionsResponse> response) {
        Page<dev.verdict.server.domain.Permission> page = permissions.list(
                UUID.fromString(request.getOrganizationId()),
                Protos.emptyToNull(request.getSection()),
                request.getLevel() == PermissionLevel.PERMISSION_LEVEL_UNSPECIFIED ? null : level(request.getLevel()),
                PageToken.size(request.getPageSize(), 100),
                request.getPageToken());
        Rpc.reply(response, ListPermissionsResponse.newBuilder()
                .addAllPermissions(page.items().stream().map(PermissionApi::toProto).toList())
                .setNextPageToken(page.nextPageToken())
                .build());
    }

    @Override
    public void updatePermission(UpdatePermissionRequest request, StreamObserver<UpdatePermissionResponse> response) {
        Permission p = request.getPermission();
        Set<String> paths = Protos.maskPaths(request.getUpdateMask(),
                Set.of("display_name", "section", "description", "implies"));
        String displayName = null;
        if (paths.contains("display_name")) {
            displayName = p.getDisplayName().strip();
            if (displayName.isEmpty()) {
                displayName = p.getKey();
            }
        }
        String section = null;
        if (paths.contains("section")) {
            section = p.getSection().strip();
            if (section.isEmpty()) {
                section = CUSTOM_SECTION;
            }
        }
        String description = paths.contains("description") ? p.getDescription() : null;
        List<String> implies = paths.contains("implies") ? p.getImpliesList() : null;
        var updated = permissions.update(UUID.fromString(request.getOrganizationId()), p.getKey(),
                displayName, section, description, implies);
        Rpc.reply(response, UpdatePermissionResponse.newBuilder()
                .setPermission(toProto(updated.value()))
                .setRevisionToken(updated.revisionToken())
                .build());
    }

    @Override
    public void deletePermission(DeletePermissionRequest request, StreamObserver<DeletePermissionResponse> response) {
        var deleted = permissions.delete(UUID.fromString(request.getOrganizationId()), request.getKey(), request.getForce());
        Rpc.reply(response, DeletePermissionResponse.newBuilder().setRevisionToken(deleted.revisionToken()).build());
    }

    static dev.verdict.server.domain.PermissionLevel level(PermissionLevel level) {
        return switch (level) {
            case PERMISSION_LEVEL_ORGANIZATION -> dev.verdict.server.domain.PermissionLevel.ORGANIZATION;
            case PERMISSION_LEVEL_STAGE -> dev.verdict.server.domain.PermissionLevel.STAGE;
            case PERMISSION_LEVEL_APP -> dev.verdict.server.domain.PermissionLevel.APP;
            case PERMISSION_LEVEL_UNSPECIFIED, UNRECOGNIZED ->
                    throw DomainException.invalid("level", "must be ORGANIZATION, STAGE or APP");
        };
    }

    static PermissionLevel toProto(dev.verdict.server.domain.PermissionLevel level) {
        return switch (level) {
            case ORGANIZATION -> PermissionLevel.PERMISSION_LEVEL_ORGANIZATION;
            case STAGE -> PermissionLevel.PERMISSION_LEVEL_STAGE;
            case APP -> PermissionLevel.PERMISSION_LEVEL_APP;
        };
    }

    static Permission toProto(dev.verdict.server.domain.Permission permission) {
        return Permission.newBuilder()
                .setKey(permission.key())
                .setDisplayName(permission.displayName())
                .setSection(permission.section())
                .setLevel(toProto(permission.level()))
                .addAllImplies(permission.implies())
                .setDescription(permission.description())
                .setBuiltIn(permission.builtIn())
                .build();
    }
}
