package dev.verdict.server.store;

import static dev.verdict.server.store.schema.Tables.APP;
import static dev.verdict.server.store.schema.Tables.ASSIGNMENT;
import static dev.verdict.server.store.schema.Tables.GROUP_ROLE_GRANT;

import dev.verdict.server.domain.App;
import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.Page;
import dev.verdict.server.domain.Written;
import dev.verdict.server.store.schema.tables.records.AppRecord;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Apps of an organization: what end-user roles and app-level permissions are scoped to. */
public final class AppStore {
    private final Store store;

    public AppStore(Store store) {
        this.store = store;
    }

    /** Registers an app; its key must be new in the organization. */
    public Written<App> create(UUID org, App app) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            if (exists(tx, org, app.key())) {
                throw DomainException.alreadyExists("app", app.key());
            }
            tx.insertInto(APP)
                    .set(APP.ORGANIZATION_ID, org)
                    .set(APP.APP_KEY, app.key())
                    .set(APP.DISPLAY_NAME, app.displayName())
                    .set(APP.DESCRIPTION, app.description())
                    .execute();
            w.change("app", app.key(), "created");
            return app;
        });
    }

    /** The app with {@code key}, if the organization has one. */
    public Optional<App> get(UUID org, String key) {
        return store.read(db -> get(db, org, key));
    }

    /** Apps ordered by key; a missing organization is NOT_FOUND. */
    public Page<App> list(UUID org, int pageSize, String pageToken) {
        List<String> after = PageToken.decode(pageToken, 1);
        return store.read(db -> {
            if (OrganizationStore.get(db, org).isEmpty()) {
                throw DomainException.notFound("organization", org.toString());
            }
            var query = db.selectFrom(APP).where(APP.ORGANIZATION_ID.eq(org));
            if (after != null) {
                query = query.and(APP.APP_KEY.gt(after.getFirst()));
            }
            List<App> rows = query.orderBy(APP.APP_KEY).limit(pageSize + 1).fetch(AppStore::toApp);
            if (rows.size() <= pageSize) {
                return new Page<>(rows, "");
            }
            List<App> items = List.copyOf(rows.subList(0, pageSize));
            return new Page<>(items, PageToken.encode(items.getLast().key()));
        });
    }

    /** Changes the display name and/or the description (null leaves a field as it is). */
    public Written<App> update(UUID org, String key, String displayName, String description) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            if (!exists(tx, org, key)) {
                throw DomainException.notFound("app", key);
            }
            if (displayName != null) {
                tx.update(APP).set(APP.DISPLAY_NAME, displayName)
                        .where(APP.ORGANIZATION_ID.eq(org), APP.APP_KEY.eq(key)).execute();
            }
            if (description != null) {
                tx.update(APP).set(APP.DESCRIPTION, description)
                        .where(APP.ORGANIZATION_ID.eq(org), APP.APP_KEY.eq(key)).execute();
            }
            w.change("app", key, "updated");
            return get(tx, org, key).orElseThrow();
        });
    }

    /**
     * Deletes an app. While assignments or group grants are scoped to it the delete is refused (IN_USE) unless
     * {@code force}; then they go with it (the foreign keys cascade) and the principals that held those
     * assignments are named as affected.
     */
    public Written<Void> delete(UUID org, String key, boolean force) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            if (!exists(tx, org, key)) {
                throw DomainException.notFound("app", key);
            }
            int assignments = tx.fetchCount(ASSIGNMENT, ASSIGNMENT.ORGANIZATION_ID.eq(org), ASSIGNMENT.APP_KEY.eq(key));
            int groupGrants = tx.fetchCount(GROUP_ROLE_GRANT,
                    GROUP_ROLE_GRANT.ORGANIZATION_ID.eq(org), GROUP_ROLE_GRANT.APP_KEY.eq(key));
            if (!force && assignments + groupGrants > 0) {
                throw DomainException.failedPrecondition("IN_USE", "apps/" + key,
                        "app " + key + " is used by " + assignments + " assignment(s) and " + groupGrants
                                + " group grant(s); delete with force to revoke them too");
            }
            List<UUID> principals = tx.selectDistinct(DSL.coalesce(ASSIGNMENT.USER_ID, ASSIGNMENT.API_CLIENT_ID))
                    .from(ASSIGNMENT)
                    .where(ASSIGNMENT.ORGANIZATION_ID.eq(org), ASSIGNMENT.APP_KEY.eq(key))
                    .fetch(r -> r.value1());
            tx.deleteFrom(APP).where(APP.ORGANIZATION_ID.eq(org), APP.APP_KEY.eq(key)).execute();
            w.change("app", key, "deleted").affects(principals);
            return null;
        });
    }

    private static boolean exists(DSLContext db, UUID org, String key) {
        return db.fetchExists(APP, APP.ORGANIZATION_ID.eq(org), APP.APP_KEY.eq(key));
    }

    private static Optional<App> get(DSLContext db, UUID org, String key) {
        return db.selectFrom(APP)
                .where(APP.ORGANIZATION_ID.eq(org), APP.APP_KEY.eq(key))
                .fetchOptional()
                .map(AppStore::toApp);
    }

    private static App toApp(AppRecord r) {
        return new App(r.getAppKey(), r.getDisplayName(), r.getDescription());
    }
}
