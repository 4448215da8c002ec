package dev.verdict.server.store;

/** Assignments of an organization. (Skeleton: filled in by the AssignmentService work.) */
public final class AssignmentStore {
    private final Store store;

    public AssignmentStore(Store store) {
        this.store = store;
    }
}
