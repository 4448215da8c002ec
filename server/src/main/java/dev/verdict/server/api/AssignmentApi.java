package dev.verdict.server.api;

import dev.verdict.server.store.AssignmentStore;
import dev.verdict.v1.AssignmentServiceGrpc;

/** {@code verdict.v1.AssignmentService}. (Skeleton: filled in by the AssignmentService work.) */
final class AssignmentApi extends AssignmentServiceGrpc.AssignmentServiceImplBase {
    private final AssignmentStore assignments;
    private final Idempotency idempotency;

    AssignmentApi(AssignmentStore assignments, Idempotency idempotency) {
        this.assignments = assignments;
        this.idempotency = idempotency;
    }
}
