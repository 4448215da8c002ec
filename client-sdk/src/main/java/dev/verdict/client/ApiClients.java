package dev.verdict.client;

import dev.verdict.v1.ApiClientServiceGrpc;
import dev.verdict.v1.CreateApiClientRequest;
import dev.verdict.v1.CreateApiClientResponse;
import dev.verdict.v1.DeleteApiClientRequest;
import dev.verdict.v1.DeleteApiClientResponse;
import dev.verdict.v1.DisableApiClientRequest;
import dev.verdict.v1.DisableApiClientResponse;
import dev.verdict.v1.EnableApiClientRequest;
import dev.verdict.v1.EnableApiClientResponse;
import dev.verdict.v1.GetApiClientRequest;
import dev.verdict.v1.GetApiClientResponse;
import dev.verdict.v1.ListApiClientsRequest;
import dev.verdict.v1.ListApiClientsResponse;
import dev.verdict.v1.RotateApiClientSecretRequest;
import dev.verdict.v1.RotateApiClientSecretResponse;

/**
 * API clients: non-human principals that hold organization roles and call Verdict with an API key. The {@code verdict.v1.ApiClientService}, one method per RPC taking and returning the generated
 * messages. A request whose {@code organization_id} is empty gets the organization the client is bound to. Failures throw a {@link VerdictException}. Thread-safe; get it from
 * {@link VerdictClient#apiClients()}.
 */
public final class ApiClients {
    private final Calls calls;
    private final String organizationId;
    private final ApiClientServiceGrpc.ApiClientServiceBlockingStub stub;

    ApiClients(Calls calls, String organizationId) {
        this.calls = calls;
        this.organizationId = organizationId;
        this.stub = calls.stub(ApiClientServiceGrpc::newBlockingStub);
    }

    /** Creates an API client; the response carries its secret, shown this once. ({@code verdict.v1.ApiClientService/CreateApiClient}). */
    public CreateApiClientResponse createApiClient(CreateApiClientRequest request) {
        return calls.call(organizationId, request, stub::createApiClient);
    }

    /** Gets an API client. ({@code verdict.v1.ApiClientService/GetApiClient}). */
    public GetApiClientResponse getApiClient(GetApiClientRequest request) {
        return calls.call(organizationId, request, stub::getApiClient);
    }

    /** Lists API clients ordered by name. ({@code verdict.v1.ApiClientService/ListApiClients}). */
    public ListApiClientsResponse listApiClients(ListApiClientsRequest request) {
        return calls.call(organizationId, request, stub::listApiClients);
    }

    /** Replaces the secret; the old one stops working at once. ({@code verdict.v1.ApiClientService/RotateApiClientSecret}). */
    public RotateApiClientSecretResponse rotateApiClientSecret(RotateApiClientSecretRequest request) {
        return calls.call(organizationId, request, stub::rotateApiClientSecret);
    }

    /** Disables an API client: its key is refused and its decisions deny. ({@code verdict.v1.ApiClientService/DisableApiClient}). */
    public DisableApiClientResponse disableApiClient(DisableApiClientRequest request) {
        return calls.call(organizationId, request, stub::disableApiClient);
    }

    /** Enables a disabled API client again. ({@code verdict.v1.ApiClientService/EnableApiClient}). */
    public EnableApiClientResponse enableApiClient(EnableApiClientRequest request) {
        return calls.call(organizationId, request, stub::enableApiClient);
    }

    /** Deletes an API client and its assignments. ({@code verdict.v1.ApiClientService/DeleteApiClient}). */
    public DeleteApiClientResponse deleteApiClient(DeleteApiClientRequest request) {
        return calls.call(organizationId, request, stub::deleteApiClient);
    }
}
