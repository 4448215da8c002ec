package dev.verdict.server.store;

/** Roles of an organization. (Skeleton: filled in by the RoleService work.) */
public final class RoleStore {
    private final Store store;

    public RoleStore(Store store) {
        this.store = store;
    }
}
