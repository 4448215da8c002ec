package dev.verdict.client;

import dev.verdict.v1.AssignmentServiceGrpc;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.GrantRoleResponse;
import dev.verdict.v1.ListAssignmentsRequest;
import dev.verdict.v1.ListAssignmentsResponse;
import dev.verdict.v1.RevokeRoleRequest;
import dev.verdict.v1.RevokeRoleResponse;

/**
 * Direct role assignments of users and API clients. The {@code verdict.v1.AssignmentService}, one method per RPC taking and returning the generated
 * messages. A request whose {@code organization_id} is empty gets the organization the client is bound to. Failures throw a {@link VerdictException}. Thread-safe; get it from
 * {@link VerdictClient#assignments()}.
 */
public final class Assignments {
    private final Calls calls;
    private final String organizationId;
    private final AssignmentServiceGrpc.AssignmentServiceBlockingStub stub;

    Assignments(Calls calls, String organizationId) {
        this.calls = calls;
        this.organizationId = organizationId;
        this.stub = calls.stub(AssignmentServiceGrpc::newBlockingStub);
    }

    /** Assigns a role to a principal in a scope. Organization roles go to users and API clients in any scope; end-user roles go to users, always for one app in one stage. ({@code verdict.v1.AssignmentService/GrantRole}). */
    public GrantRoleResponse grantRole(GrantRoleRequest request) {
        return calls.call(organizationId, request, stub::grantRole);
    }

    /** Revokes an assignment. ({@code verdict.v1.AssignmentService/RevokeRole}). */
    public RevokeRoleResponse revokeRole(RevokeRoleRequest request) {
        return calls.call(organizationId, request, stub::revokeRole);
    }

    /** Lists assignments of a principal, of a role or scoped to an app. ({@code verdict.v1.AssignmentService/ListAssignments}). */
    public ListAssignmentsResponse listAssignments(ListAssignmentsRequest request) {
        return calls.call(organizationId, request, stub::listAssignments);
    }
}
