package dev.verdict.client;

import dev.verdict.v1.CreatePermissionRequest;
import dev.verdict.v1.CreatePermissionResponse;
import dev.verdict.v1.DeletePermissionRequest;
import dev.verdict.v1.DeletePermissionResponse;
import dev.verdict.v1.GetPermissionRequest;
import dev.verdict.v1.GetPermissionResponse;
import dev.verdict.v1.ListPermissionsRequest;
import dev.verdict.v1.ListPermissionsResponse;
import dev.verdict.v1.PermissionServiceGrpc;
import dev.verdict.v1.UpdatePermissionRequest;
import dev.verdict.v1.UpdatePermissionResponse;

/**
 * The permission catalogue of an organization: built-in permissions plus custom ones. The {@code verdict.v1.PermissionService}, one method per RPC taking and returning the generated
 * messages. A request whose {@code organization_id} is empty gets the organization the client is bound to. Failures throw a {@link VerdictException}. Thread-safe; get it from
 * {@link VerdictClient#permissions()}.
 */
public final class Permissions {
    private final Calls calls;
    private final String organizationId;
    private final PermissionServiceGrpc.PermissionServiceBlockingStub stub;

    Permissions(Calls calls, String organizationId) {
        this.calls = calls;
        this.organizationId = organizationId;
        this.stub = calls.stub(PermissionServiceGrpc::newBlockingStub);
    }

    /** Creates a custom permission. ({@code verdict.v1.PermissionService/CreatePermission}). */
    public CreatePermissionResponse createPermission(CreatePermissionRequest request) {
        return calls.call(organizationId, request, stub::createPermission);
    }

    /** Gets a permission by key. ({@code verdict.v1.PermissionService/GetPermission}). */
    public GetPermissionResponse getPermission(GetPermissionRequest request) {
        return calls.call(organizationId, request, stub::getPermission);
    }

    /** Lists permissions ordered by key, optionally of one section or level. ({@code verdict.v1.PermissionService/ListPermissions}). */
    public ListPermissionsResponse listPermissions(ListPermissionsRequest request) {
        return calls.call(organizationId, request, stub::listPermissions);
    }

    /** Changes a custom permission's display name, section, description or implications (a cycle is refused). ({@code verdict.v1.PermissionService/UpdatePermission}). */
    public UpdatePermissionResponse updatePermission(UpdatePermissionRequest request) {
        return calls.call(organizationId, request, stub::updatePermission);
    }

    /** Deletes a custom permission; refused while roles grant it or permissions imply it, unless force. ({@code verdict.v1.PermissionService/DeletePermission}). */
    public DeletePermissionResponse deletePermission(DeletePermissionRequest request) {
        return calls.call(organizationId, request, stub::deletePermission);
    }
}
