package dev.verdict.server.api;

import dev.verdict.server.store.ApiClientStore;
import dev.verdict.v1.ApiClientServiceGrpc;

/** {@code verdict.v1.ApiClientService}. (Skeleton: filled in by the ApiClientService work.) */
final class ApiClientApi extends ApiClientServiceGrpc.ApiClientServiceImplBase {
    private final ApiClientStore apiClients;
    private final Idempotency idempotency;

    ApiClientApi(ApiClientStore apiClients, Idempotency idempotency) {
        this.apiClients = apiClients;
        this.idempotency = idempotency;
    }
}
