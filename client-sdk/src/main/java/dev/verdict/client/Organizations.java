package dev.verdict.client;

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

/**
 * Organizations are the tenants: nothing is visible or decidable across them. The {@code verdict.v1.OrganizationService}, one method per RPC taking and returning the generated
 * messages. Requests name the organization themselves. Failures throw a {@link VerdictException}. Thread-safe; get it from
 * {@link VerdictClient#organizations()}.
 */
public final class Organizations {
    private final Calls calls;
    private final String organizationId;
    private final OrganizationServiceGrpc.OrganizationServiceBlockingStub stub;

    Organizations(Calls calls, String organizationId) {
        this.calls = calls;
        this.organizationId = organizationId;
        this.stub = calls.stub(OrganizationServiceGrpc::newBlockingStub);
    }

    /** Creates an organization with the default stages (development, qa, production). */
    public CreateOrganizationResponse create(String name) {
        return createOrganization(CreateOrganizationRequest.newBuilder().setName(name).build());
    }

    /** Gets one organization by id. */
    public Organization get(String organizationId) {
        return getOrganization(GetOrganizationRequest.newBuilder().setOrganizationId(organizationId).build())
                .getOrganization();
    }

    /** Creates an organization with its stages, the built-in permission catalogue and the built-in roles. ({@code verdict.v1.OrganizationService/CreateOrganization}). */
    public CreateOrganizationResponse createOrganization(CreateOrganizationRequest request) {
        return calls.call(organizationId, request, stub::createOrganization);
    }

    /** Gets one organization. ({@code verdict.v1.OrganizationService/GetOrganization}). */
    public GetOrganizationResponse getOrganization(GetOrganizationRequest request) {
        return calls.call(organizationId, request, stub::getOrganization);
    }

    /** Lists organizations, ordered by name. ({@code verdict.v1.OrganizationService/ListOrganizations}). */
    public ListOrganizationsResponse listOrganizations(ListOrganizationsRequest request) {
        return calls.call(organizationId, request, stub::listOrganizations);
    }

    /** Renames an organization or changes its stages (a stage still in use cannot be removed). ({@code verdict.v1.OrganizationService/UpdateOrganization}). */
    public UpdateOrganizationResponse updateOrganization(UpdateOrganizationRequest request) {
        return calls.call(organizationId, request, stub::updateOrganization);
    }

    /** Deletes an organization and everything in it. ({@code verdict.v1.OrganizationService/DeleteOrganization}). */
    public DeleteOrganizationResponse deleteOrganization(DeleteOrganizationRequest request) {
        return calls.call(organizationId, request, stub::deleteOrganization);
    }
}
