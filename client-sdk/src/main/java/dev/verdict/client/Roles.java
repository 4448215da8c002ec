package dev.verdict.client;

import dev.verdict.v1.CreateRoleRequest;
import dev.verdict.v1.CreateRoleResponse;
import dev.verdict.v1.DeleteRoleRequest;
import dev.verdict.v1.DeleteRoleResponse;
import dev.verdict.v1.GetRoleRequest;
import dev.verdict.v1.GetRoleResponse;
import dev.verdict.v1.ListRolesRequest;
import dev.verdict.v1.ListRolesResponse;
import dev.verdict.v1.RoleServiceGrpc;
import dev.verdict.v1.UpdateRoleRequest;
import dev.verdict.v1.UpdateRoleResponse;

/**
 * Organization roles and end-user roles. The {@code verdict.v1.RoleService}, one method per RPC taking and returning the generated
 * messages. A request whose {@code organization_id} is empty gets the organization the client is bound to. Failures throw a {@link VerdictException}. Thread-safe; get it from
 * {@link VerdictClient#roles()}.
 */
public final class Roles {
    private final Calls calls;
    private final String organizationId;
    private final RoleServiceGrpc.RoleServiceBlockingStub stub;

    Roles(Calls calls, String organizationId) {
        this.calls = calls;
        this.organizationId = organizationId;
        this.stub = calls.stub(RoleServiceGrpc::newBlockingStub);
    }

    /** Creates a custom role. ({@code verdict.v1.RoleService/CreateRole}). */
    public CreateRoleResponse createRole(CreateRoleRequest request) {
        return calls.call(organizationId, request, stub::createRole);
    }

    /** Gets a role by key. ({@code verdict.v1.RoleService/GetRole}). */
    public GetRoleResponse getRole(GetRoleRequest request) {
        return calls.call(organizationId, request, stub::getRole);
    }

    /** Lists roles ordered by key, optionally of one kind. ({@code verdict.v1.RoleService/ListRoles}). */
    public ListRolesResponse listRoles(ListRolesRequest request) {
        return calls.call(organizationId, request, stub::listRoles);
    }

    /** Changes a custom role's display name, description or grants; built-in roles are refused. ({@code verdict.v1.RoleService/UpdateRole}). */
    public UpdateRoleResponse updateRole(UpdateRoleRequest request) {
        return calls.call(organizationId, request, stub::updateRole);
    }

    /** Deletes a custom role; refused while assigned or granted to a group, unless force. ({@code verdict.v1.RoleService/DeleteRole}). */
    public DeleteRoleResponse deleteRole(DeleteRoleRequest request) {
        return calls.call(organizationId, request, stub::deleteRole);
    }
}
