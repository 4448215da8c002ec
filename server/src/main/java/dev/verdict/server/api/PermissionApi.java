package dev.verdict.server.api;

import dev.verdict.server.store.PermissionStore;
import dev.verdict.v1.PermissionServiceGrpc;

/** {@code verdict.v1.PermissionService}. (Skeleton: filled in by the PermissionService work.) */
final class PermissionApi extends PermissionServiceGrpc.PermissionServiceImplBase {
    private final PermissionStore permissions;
    private final Idempotency idempotency;

    PermissionApi(PermissionStore permissions, Idempotency idempotency) {
        this.permissions = permissions;
        this.idempotency = idempotency;
    }
}
