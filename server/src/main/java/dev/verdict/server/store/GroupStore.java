package dev.verdict.server.store;

/** Groups of an organization. (Skeleton: filled in by the GroupService work.) */
public final class GroupStore {
    private final Store store;

    public GroupStore(Store store) {
        this.store = store;
    }
}
