package dev.verdict.server.store;

import static dev.verdict.server.store.schema.Tables.CHANGE_LOG;
import static dev.verdict.server.store.schema.Tables.ORGANIZATION;

import dev.verdict.server.domain.Change;
import dev.verdict.server.domain.DomainException;
import dev.verdict.server.store.schema.tables.records.ChangeLogRecord;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The change log: reads of an organization's changes in revision order, and organizations' revisions. */
public final class ChangeStore {
    private final Store store;
    private final Database database;

    public ChangeStore(Store store, Database database) {
        this.store = store;
        this.database = database;
    }

    /** Changes of {@code org} after {@code afterRevision}, oldest first, and the latest revision; NOT_FOUND. */
    public ChangePage list(UUID org, long afterRevision, int pageSize) {
        return store.read(db -> {
            Long latest = db.select(ORGANIZATION.REVISION).from(ORGANIZATION)
                    .where(ORGANIZATION.ORGANIZATION_ID.eq(org)).fetchOne(ORGANIZATION.REVISION);
            if (latest == null) {
                throw DomainException.notFound("organization", org.toString());
            }
            List<Change> changes = db.selectFrom(CHANGE_LOG)
                    .where(CHANGE_LOG.ORGANIZATION_ID.eq(org), CHANGE_LOG.REVISION.gt(afterRevision))
                    .orderBy(CHANGE_LOG.REVISION)
                    .limit(pageSize)
                    .fetch(ChangeStore::toChange);
            return new ChangePage(changes, latest);
        });
    }

    /** Changes of {@code org} after {@code afterRevision}, oldest first, at most {@code limit}. */
    public List<Change> after(UUID org, long afterRevision, int limit) {
        return list(org, afterRevision, limit).changes();
    }

    /** The current revision of each of {@code orgs} that still exists. */
    public Map<UUID, Long> revisions(Collection<UUID> orgs) {
        Map<UUID, Long> revisions = new HashMap<>();
        if (orgs.isEmpty()) {
            return revisions;
        }
        store.read(db -> {
            db.select(ORGANIZATION.ORGANIZATION_ID, ORGANIZATION.REVISION).from(ORGANIZATION)
                    .where(ORGANIZATION.ORGANIZATION_ID.in(orgs))
                    .forEach(r -> revisions.put(r.value1(), r.value2()));
            return null;
        });
        return revisions;
    }

    /** A connection that hears the commits announced on {@link Store#CHANGES_CHANNEL}. */
    public ChangeNotifications listen() {
        return ChangeNotifications.open(database);
    }

    private static Change toChange(ChangeLogRecord r) {
        return new Change(r.getOrganizationId(), r.getRevision(), r.getResourceType(), r.getResourceId(),
                r.getAction(), List.of(r.getUserIds()), r.getCommitTime().toInstant());
    }

    /** Changes in revision order and the organization's latest revision when read. */
    public record ChangePage(List<Change> changes, long latestRevision) {}
}
