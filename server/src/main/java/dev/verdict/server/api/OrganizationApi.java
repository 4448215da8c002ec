package dev.verdict.server.api;

import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.Page;
import dev.verdict.server.domain.Written;
import dev.verdict.server.store.OrganizationStore;
import dev.verdict.server.store.PageToken;
import dev.verdict.v1.CreateOrganizationRequest;
import dev.verdict.v1.CreateOrganizationResponse;
import dev.verdict.v1.DeleteOrganizationRequest;
import dev.verdict.v1.DeleteOrganizationResponse;
import dev.verdict.v1.GetOrganizationRequest;
import dev.verdict.v1.GetOrganizationResponse;
import dev.verdict.v1.ListOrganizationsRequest;
import dev.verdict.v1.ListOrganizationsResponse;
import dev.verdict.v1.Organization;
import dev.verdict.v1.OrganizationServiceGrpc;
import dev.verdict.v1.UpdateOrganizationRequest;
import dev.verdict.v1.UpdateOrganizationResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** {@code verdict.v1.OrganizationService}: maps requests to {@link OrganizationStore} and back. */
final class OrganizationApi extends OrganizationServiceGrpc.OrganizationServiceImplBase {
    private final OrganizationStore organizations;
    private final Idempotency idempotency;

    OrganizationApi(OrganizationStore organizations, Idempotency idempotency) {
        this.organizations = organizations;
        this.idempotency = idempotency;
    }

    /**
     * Creates the organization with its administrator API client. With a {@code request_id} the response is
     * remembered without the administrator's key, as for CreateApiClient: the request log never holds keys.
     */
    @Override
    public void createOrganization(CreateOrganizationRequest request, StreamObserver<CreateOrganizationResponse> response) {
        Rpc.reply(response, idempotency.once(Idempotency.NO_ORGANIZATION, request.getRequestId(), "CreateOrganization",
                CreateOrganizationResponse.parser(), () -> {
                    Written<OrganizationStore.NewOrganization> created =
                            organizations.create(request.getName().strip(), request.getStagesList());
                    return CreateOrganizationResponse.newBuilder()
                            .setOrganization(toProto(created.value().organization()))
                            .setRevisionToken(created.revisionToken())
                            .setAdminApiClient(ApiClientApi.toProto(created.value().administrator().apiClient()))
                            .setAdminApiKey(created.value().administrator().secret())
                            .build();
                },
                first -> first.toBuilder().clearAdminApiKey().build()));
    }

    @Override
    public void getOrganization(GetOrganizationRequest request, StreamObserver<GetOrganizationResponse> response) {
        UUID id = UUID.fromString(request.getOrganizationId());
        var organization = organizations.get(id)
                .orElseThrow(() -> DomainException.notFound("organization", request.getOrganizationId()));
        Rpc.reply(response, GetOrganizationResponse.newBuilder().setOrganization(toProto(organization)).build());
    }

    @Override
    public void listOrganizations(ListOrganizationsRequest request, StreamObserver<ListOrganizationsResponse> response) {
        Page<dev.verdict.server.domain.Organization> page =
                organizations.list(PageToken.size(request.getPageSize(), 50), request.getPageToken());
        Rpc.reply(response, ListOrganizationsResponse.newBuilder()
                .addAllOrganizations(page.items().stream().map(OrganizationApi::toProto).toList())
                .setNextPageToken(page.nextPageToken())
                .build());
    }

    @Override
    public void updateOrganization(UpdateOrganizationRequest request, StreamObserver<UpdateOrganizationResponse> response) {
        Organization changes = request.getOrganization();
        UUID id = Protos.uuid(changes.getOrganizationId(), "organization.organization_id");
        Set<String> paths = Protos.maskPaths(request.getUpdateMask(), Set.of("name", "stages"));
        String name = null;
        if (paths.contains("name")) {
            name = changes.getName().strip();
            if (name.isEmpty() || name.length() > 200) {
                throw DomainException.invalid("organization.name", "must be 1 to 200 characters");
            }
        }
        List<String> stages = null;
        if (paths.contains("stages")) {
            stages = changes.getStagesList();
            Validation.stages(stages, "organization.stages");
        }
        var updated = organizations.update(id, name, stages);
        Rpc.reply(response, UpdateOrganizationResponse.newBuilder()
                .setOrganization(toProto(updated.value()))
                .setRevisionToken(updated.revisionToken())
                .build());
    }

    @Override
    public void deleteOrganization(DeleteOrganizationRequest request, StreamObserver<DeleteOrganizationResponse> response) {
        organizations.delete(UUID.fromString(request.getOrganizationId()));
        Rpc.reply(response, DeleteOrganizationResponse.getDefaultInstance());
    }

    static Organization toProto(dev.verdict.server.domain.Organization organization) {
        return Organization.newBuilder()
                .setOrganizationId(organization.id().toString())
                .setName(organization.name())
                .addAllStages(organization.stages())
                .setCreateTime(Protos.timestamp(organization.createTime()))
                .setRevisionToken(Long.toString(organization.revision()))
                .build();
    }
}
