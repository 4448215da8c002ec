package dev.verdict.server.api;

import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.Page;
import dev.verdict.server.domain.PrincipalReference;
import dev.verdict.server.store.AssignmentStore;
import dev.verdict.server.store.PageToken;
import dev.verdict.v1.Assignment;
import dev.verdict.v1.AssignmentServiceGrpc;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.GrantRoleResponse;
import dev.verdict.v1.ListAssignmentsRequest;
import dev.verdict.v1.ListAssignmentsResponse;
import dev.verdict.v1.Principal;
import dev.verdict.v1.RevokeRoleRequest;
import dev.verdict.v1.RevokeRoleResponse;
import dev.verdict.v1.Scope;
import io.grpc.stub.StreamObserver;
import java.util.UUID;

/** {@code verdict.v1.AssignmentService}: maps requests to {@link AssignmentStore} and back. */
final class AssignmentApi extends AssignmentServiceGrpc.AssignmentServiceImplBase {
    private static final int DEFAULT_PAGE_SIZE = 100;

    private final AssignmentStore assignments;
    private final Idempotency idempotency;

    AssignmentApi(AssignmentStore assignments, Idempotency idempotency) {
        this.assignments = assignments;
        this.idempotency = idempotency;
    }

    @Override
    public void grantRole(GrantRoleRequest request, StreamObserver<GrantRoleResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        PrincipalReference principal = toDomain(request.getPrincipal());
        Scope scope = request.getScope();
        Rpc.reply(response, idempotency.once(org, request.getRequestId(), "GrantRole", GrantRoleResponse.parser(), () -> {
            var granted = assignments.grant(org, principal, request.getRoleKey(),
                    Protos.emptyToNull(scope.getStage()), Protos.emptyToNull(scope.getAppKey()));
            return GrantRoleResponse.newBuilder()
                    .setAssignment(toProto(granted.value()))
                    .setRevisionToken(granted.revisionToken())
                    .build();
        }));
    }

    @Override
    public void revokeRole(RevokeRoleRequest request, StreamObserver<RevokeRoleResponse> response) {
        var revoked = assignments.revoke(UUID.fromString(request.getOrganizationId()),
                UUID.fromString(request.getAssignmentId()));
        Rpc.reply(response, RevokeRoleResponse.newBuilder().setRevisionToken(revoked.revisionToken()).build());
    }

    @Override
    public void listAssignments(ListAssignmentsRequest request, StreamObserver<ListAssignmentsResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        int size = PageToken.size(request.getPageSize(), DEFAULT_PAGE_SIZE);
        String token = request.getPageToken();
        // The proto's required oneof guarantees exactly one filter.
        Page<dev.verdict.server.domain.Assignment> page = switch (request.getFilterCase()) {
            case PRINCIPAL -> assignments.listByPrincipal(org, toDomain(request.getPrincipal()), size, token);
            case ROLE_KEY -> assignments.listByRole(org, request.getRoleKey(), size, token);
            case APP_KEY -> assignments.listByApp(org, request.getAppKey(), size, token);
            case FILTER_NOT_SET -> throw DomainException.invalid("filter", "name a principal, a role_key or an app_key");
        };
        Rpc.reply(response, ListAssignmentsResponse.newBuilder()
                .addAllAssignments(page.items().stream().map(AssignmentApi::toProto).toList())
                .setNextPageToken(page.nextPageToken())
                .build());
    }

    /** The principal a request names; the proto's required oneof guarantees one kind, valid UUIDs included. */
    static PrincipalReference toDomain(Principal principal) {
        return switch (principal.getKindCase()) {
            case USER_ID -> PrincipalReference.userId(UUID.fromString(principal.getUserId()));
            case USER_EMAIL -> PrincipalReference.userEmail(principal.getUserEmail());
            case API_CLIENT_ID -> PrincipalReference.apiClientId(UUID.fromString(principal.getApiClientId()));
            case KIND_NOT_SET -> throw DomainException.invalid("principal", "name a user_id, a user_email or an api_client_id");
        };
    }

    static Principal toProto(dev.verdict.server.domain.Principal principal) {
        return switch (principal.type()) {
            case USER -> Principal.newBuilder().setUserId(principal.id().toString()).build();
            case API_CLIENT -> Principal.newBuilder().setApiClientId(principal.id().toString()).build();
        };
    }

    static Assignment toProto(dev.verdict.server.domain.Assignment assignment) {
        return Assignment.newBuilder()
                .setAssignmentId(assignment.id().toString())
                .setPrincipal(toProto(assignment.principal()))
                .setRoleKey(assignment.roleKey())
                .setScope(Scope.newBuilder()
                        .setStage(Protos.nullToEmpty(assignment.stage()))
                        .setAppKey(Protos.nullToEmpty(assignment.appKey())))
                .setCreateTime(Protos.timestamp(assignment.createTime()))
                .build();
    }
}
