package dev.verdict.server.api;

import dev.verdict.server.store.AppStore;
import dev.verdict.v1.AppServiceGrpc;

/** {@code verdict.v1.AppService}. (Skeleton: filled in by the AppService work.) */
final class AppApi extends AppServiceGrpc.AppServiceImplBase {
    private final AppStore apps;
    private final Idempotency idempotency;

    AppApi(AppStore apps, Idempotency idempotency) {
        this.apps = apps;
        this.idempotency = idempotency;
    }
}
