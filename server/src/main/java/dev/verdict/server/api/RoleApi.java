package dev.verdict.server.api;

import dev.verdict.server.store.RoleStore;
import dev.verdict.v1.RoleServiceGrpc;

/** {@code verdict.v1.RoleService}. (Skeleton: filled in by the RoleService work.) */
final class RoleApi extends RoleServiceGrpc.RoleServiceImplBase {
    private final RoleStore roles;
    private final Idempotency idempotency;

    RoleApi(RoleStore roles, Idempotency idempotency) {
        this.roles = roles;
        this.idempotency = idempotency;
    }
}
