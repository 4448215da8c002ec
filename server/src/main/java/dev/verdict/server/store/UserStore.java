package dev.verdict.server.store;

/** Users of an organization. (Skeleton: filled in by the UserService work.) */
public final class UserStore {
    private final Store store;

    public UserStore(Store store) {
        this.store = store;
    }
}
