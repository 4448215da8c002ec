package dev.verdict.server.store;

import static dev.verdict.server.store.schema.Tables.CHANGE_LOG;
import static dev.verdict.server.store.schema.Tables.ORGANIZATION;
import static dev.verdict.server.store.schema.Tables.REQUEST_LOG;

import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.Written;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jooq.DSLContext;
import org.jooq.TransactionalCallable;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transactions. Every write of an organization runs in one transaction that bumps the organization's
 * revision (a row lock: an organization's writes are serialized, so revisions are gapless and in commit
 * order), does its work, appends one change-log row, and notifies other replicas on commit. Database
 * failures leave here as {@link DomainException}s, never as SQL.
 */
public final class Store {
    /** The Postgres channel on which commits are announced as {@code <organization id>:<revision>}. */
    public static final String CHANGES_CHANNEL = "verdict_changes";

    private static final Logger log = LoggerFactory.getLogger(Store.class);
    private static final int MAX_ATTEMPTS = 3;

    private final DSLContext dsl;

    public Store(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** Runs reads in one transaction, so that they see one snapshot. */
    public <T> T read(Function<DSLContext, T> work) {
        return transaction(work);
    }

    /** Runs work outside any organization's change log (only deleting a whole organization does). */
    <T> T transaction(Function<DSLContext, T> work) {
        return run(() -> inTransaction(c -> work.apply(c.dsl())));
    }

    /**
     * Runs a write of {@code organizationId} in one transaction with its change-log row. A missing
     * organization is NOT_FOUND.
     */
    public <T> Written<T> write(UUID organizationId, Function<Write, T> work) {
        return run(() -> inTransaction(c -> {
            DSLContext tx = c.dsl();
            Long revision = tx.update(ORGANIZATION)
                    .set(ORGANIZATION.REVISION, ORGANIZATION.REVISION.plus(1))
                    .where(ORGANIZATION.ORGANIZATION_ID.eq(organizationId))
                    .returning(ORGANIZATION.REVISION)
                    .fetchOne(ORGANIZATION.REVISION);
            if (revision == null) {
                throw DomainException.notFound("organization", organizationId.toString());
            }
            Write write = new Write(tx, organizationId, revision);
            T value = work.apply(write);
            appendChange(write);
            return new Written<>(value, revision);
        }));
    }

    /**
     * Creates an organization: {@code work} inserts its row at revision 1 and seeds it; the creation is the
     * first entry of its change log.
     */
    public <T> Written<T> writeNewOrganization(UUID organizationId, Function<Write, T> work) {
        return run(() -> inTransaction(c -> {
            Write write = new Write(c.dsl(), organizationId, 1);
            T value = work.apply(write);
            appendChange(write);
            return new Written<>(value, 1);
        }));
    }

    /** Appends the change-log row of a write and announces it; the announcement is sent on commit. */
    static void appendChange(Write write) {
        if (write.resourceType() == null) {
            throw new IllegalStateException("a write must name its change");
        }
        DSLContext tx = write.dsl();
        tx.insertInto(CHANGE_LOG)
                .set(CHANGE_LOG.ORGANIZATION_ID, write.organizationId())
                .set(CHANGE_LOG.REVISION, write.revision())
                .set(CHANGE_LOG.RESOURCE_TYPE, write.resourceType())
                .set(CHANGE_LOG.RESOURCE_ID, write.resourceId())
                .set(CHANGE_LOG.ACTION, write.action())
                .set(CHANGE_LOG.USER_IDS, write.affectedUsers().toArray(UUID[]::new))
                .execute();
        tx.select(DSL.function("pg_notify", Object.class,
                        DSL.val(CHANGES_CHANNEL), DSL.val(write.organizationId() + ":" + write.revision())))
                .fetch();
    }

    /** The response remembered for an idempotency key, if any. */
    public Optional<byte[]> rememberedResponse(UUID organizationId, UUID requestId, String method) {
        return run(() -> dsl.select(REQUEST_LOG.RESPONSE)
                .from(REQUEST_LOG)
                .where(REQUEST_LOG.ORGANIZATION_ID.eq(organizationId))
                .and(REQUEST_LOG.REQUEST_ID.eq(requestId))
                .and(REQUEST_LOG.METHOD.eq(method))
                .fetchOptional(REQUEST_LOG.RESPONSE));
    }

    /** Remembers the response of an idempotent create; the first one stays. */
    public void rememberResponse(UUID organizationId, UUID requestId, String method, byte[] response) {
        run(() -> dsl.insertInto(REQUEST_LOG)
                .set(REQUEST_LOG.ORGANIZATION_ID, organizationId)
                .set(REQUEST_LOG.REQUEST_ID, requestId)
                .set(REQUEST_LOG.METHOD, method)
                .set(REQUEST_LOG.RESPONSE, response)
                .onConflictDoNothing()
                .execute());
    }

    /**
     * Runs {@code work} in a transaction on one connection taken from the pool once. jOOQ's own
     * {@code transactionResult} over the pool asks the pool again to roll back when it could not get a
     * connection to begin, so with the database down a request waited for the pool's timeout twice.
     */
    private <T> T inTransaction(TransactionalCallable<T> work) {
        return dsl.connectionResult(connection ->
                DSL.using(connection, dsl.dialect(), dsl.settings()).transactionResult(work));
    }

    /** Runs database work, retrying serialization failures and translating the rest. */
    <T> T run(Supplier<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.get();
            } catch (DataAccessException e) {
                String state = sqlState(e);
                if (state != null && (state.equals("40001") || state.equals("40P01")) && attempt < MAX_ATTEMPTS) {
                    continue;
                }
                throw translate(e, state);
            }
        }
    }

    private static RuntimeException translate(DataAccessException e, String state) {
        if (state == null) {
            if (e.getCause(SQLTransientConnectionException.class) != null) {
                return new DomainException.Unavailable("the database is unavailable");
            }
            return e;
        }
        if (state.startsWith("08") || state.startsWith("57P") || state.equals("53300")) {
            log.warn("Database unavailable: {}", e.getMessage());
            return new DomainException.Unavailable("the database is unavailable");
        }
        if (state.equals("23505")) {
            return DomainException.alreadyExists("resource", "with the same key");
        }
        if (state.equals("40001") || state.equals("40P01")) {
            return new DomainException.Unavailable("the write conflicted with another; retry");
        }
        return e;
    }

    private static String sqlState(DataAccessException e) {
        SQLException sql = e.getCause(SQLException.class);
        return sql == null ? null : sql.getSQLState();
    }
}
