package dev.verdict.server.store;

/** ApiClients of an organization. (Skeleton: filled in by the ApiClientService work.) */
public final class ApiClientStore {
    private final Store store;

    public ApiClientStore(Store store) {
        this.store = store;
    }
}
