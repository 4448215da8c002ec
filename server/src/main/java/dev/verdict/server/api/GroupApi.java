package dev.verdict.server.api;

import dev.verdict.server.store.GroupStore;
import dev.verdict.v1.GroupServiceGrpc;

/** {@code verdict.v1.GroupService}. (Skeleton: filled in by the GroupService work.) */
final class GroupApi extends GroupServiceGrpc.GroupServiceImplBase {
    private final GroupStore groups;
    private final Idempotency idempotency;

    GroupApi(GroupStore groups, Idempotency idempotency) {
        this.groups = groups;
        this.idempotency = idempotency;
    }
}
