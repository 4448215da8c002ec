package dev.verdict.server.api;

import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.IssuedSecret;
import dev.verdict.server.domain.Page;
import dev.verdict.server.domain.Written;
import dev.verdict.server.store.ApiClientStore;
import dev.verdict.server.store.PageToken;
import dev.verdict.v1.ApiClient;
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
import io.grpc.stub.StreamObserver;
import java.util.UUID;

/**
 * {@code verdict.v1.ApiClientService}: maps requests to {@link ApiClientStore} and back. The secret leaves the
 * server only in the responses of create and rotate, and is never remembered in clear anywhere.
 */
final class ApiClientApi extends ApiClientServiceGrpc.ApiClientServiceImplBase {
    private static final int DEFAULT_PAGE_SIZE = 100;

    private final ApiClientStore apiClients;
    private final Idempotency idempotency;

    ApiClientApi(ApiClientStore apiClients, Idempotency idempotency) {
        this.apiClients = apiClients;
        this.idempotency = idempotency;
    }

    /**
     * Creates a client and returns its secret. With a {@code request_id}, the response is remembered with the
     * secret cleared (the request log must not become a store of keys), so a retry gets the client without it:
     * a caller that lost the first response rotates the secret.
     */
    @Override
    public void createApiClient(CreateApiClientRequest request, StreamObserver<CreateApiClientResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        String name = request.getName().strip();
        if (name.isEmpty()) {
            throw DomainException.invalid("name", "must not be blank");
        }
        Rpc.reply(response, idempotency.once(org, request.getRequestId(), "CreateApiClient",
                CreateApiClientResponse.parser(),
                () -> {
                    Written<IssuedSecret> created = apiClients.create(org, name);
                    return CreateApiClientResponse.newBuilder()
                            .setApiClient(toProto(created.value().apiClient()))
                            .setSecret(created.value().secret())
                            .setRevisionToken(created.revisionToken())
                            .build();
                },
                first -> first.toBuilder().clearSecret().build()));
    }

    @Override
    public void getApiClient(GetApiClientRequest request, StreamObserver<GetApiClientResponse> response) {
        var client = apiClients.get(UUID.fromString(request.getOrganizationId()), UUID.fromString(request.getApiClientId()))
                .orElseThrow(() -> DomainException.notFound("api_client", request.getApiClientId()));
        Rpc.reply(response, GetApiClientResponse.newBuilder().setApiClient(toProto(client)).build());
    }

    @Override
    public void listApiClients(ListApiClientsRequest request, StreamObserver<ListApiClientsResponse> response) {
        Page<dev.verdict.server.domain.ApiClient> page = apiClients.list(UUID.fromString(request.getOrganizationId()),
                PageToken.size(request.getPageSize(), DEFAULT_PAGE_SIZE), request.getPageToken());
        Rpc.reply(response, ListApiClientsResponse.newBuilder()
                .addAllApiClients(page.items().stream().map(ApiClientApi::toProto).toList())
                .setNextPageToken(page.nextPageToken())
                .build());
    }

    @Override
    public void rotateApiClientSecret(RotateApiClientSecretRequest request,
            StreamObserver<RotateApiClientSecretResponse> response) {
        Written<IssuedSecret> rotated = apiClients.rotateSecret(
                UUID.fromString(request.getOrganizationId()), UUID.fromString(request.getApiClientId()));
        Rpc.reply(response, RotateApiClientSecretResponse.newBuilder()
                .setApiClient(toProto(rotated.value().apiClient()))
                .setSecret(rotated.value().secret())
                .setRevisionToken(rotated.revisionToken())
                .build());
    }

    @Override
    public void disableApiClient(DisableApiClientRequest request, StreamObserver<DisableApiClientResponse> response) {
        var disabled = apiClients.setEnabled(
                UUID.fromString(request.getOrganizationId()), UUID.fromString(request.getApiClientId()), false);
        Rpc.reply(response, DisableApiClientResponse.newBuilder()
                .setApiClient(toProto(disabled.value()))
                .setRevisionToken(disabled.revisionToken())
                .build());
    }

    @Override
    public void enableApiClient(EnableApiClientRequest request, StreamObserver<EnableApiClientResponse> response) {
        var enabled = apiClients.setEnabled(
                UUID.fromString(request.getOrganizationId()), UUID.fromString(request.getApiClientId()), true);
        Rpc.reply(response, EnableApiClientResponse.newBuilder()
                .setApiClient(toProto(enabled.value()))
                .setRevisionToken(enabled.revisionToken())
                .build());
    }

    @Override
    public void deleteApiClient(DeleteApiClientRequest request, StreamObserver<DeleteApiClientResponse> response) {
        var deleted = apiClients.delete(UUID.fromString(request.getOrganizationId()), UUID.fromString(request.getApiClientId()));
        Rpc.reply(response, DeleteApiClientResponse.newBuilder().setRevisionToken(deleted.revisionToken()).build());
    }

    static ApiClient toProto(dev.verdict.server.domain.ApiClient client) {
        return ApiClient.newBuilder()
                .setApiClientId(client.id().toString())
                .setName(client.name())
                .setEnabled(client.enabled())
                .setCreateTime(Protos.timestamp(client.createTime()))
                .build();
    }
}
