package dev.verdict.server.store;

/** Permissions of an organization. (Skeleton: filled in by the PermissionService work.) */
public final class PermissionStore {
    private final Store store;

    public PermissionStore(Store store) {
        this.store = store;
    }
}
