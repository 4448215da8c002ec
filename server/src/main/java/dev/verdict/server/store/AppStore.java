package dev.verdict.server.store;

/** Apps of an organization. (Skeleton: filled in by the AppService work.) */
public final class AppStore {
    private final Store store;

    public AppStore(Store store) {
        this.store = store;
    }
}
