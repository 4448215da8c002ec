package dev.verdict.server.store;

/** The change log. (Skeleton: filled in by the ChangeService work.) */
public final class ChangeStore {
    private final Store store;
    private final Database database;

    public ChangeStore(Store store, Database database) {
        this.store = store;
        this.database = database;
    }
}
