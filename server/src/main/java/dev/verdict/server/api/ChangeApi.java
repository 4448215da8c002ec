package dev.verdict.server.api;

import dev.verdict.server.store.ChangeStore;
import dev.verdict.v1.ChangeServiceGrpc;

/** {@code verdict.v1.ChangeService}. (Skeleton: filled in by the ChangeService work.) */
final class ChangeApi extends ChangeServiceGrpc.ChangeServiceImplBase {
    private final ChangeStore changes;

    ChangeApi(ChangeStore changes) {
        this.changes = changes;
    }
}
