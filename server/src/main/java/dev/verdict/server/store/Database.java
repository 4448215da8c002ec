package dev.verdict.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection to Postgres: starts the embedded one when no URL is configured, migrates the schema with
 * Flyway, and pools connections. Closing it stops the embedded Postgres.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final EmbeddedPostgres embedded;
    private final HikariDataSource dataSource;
    private final DSLContext dsl;
    private final String jdbcUrl;

    private Database(EmbeddedPostgres embedded, HikariDataSource dataSource, String jdbcUrl) {
        this.embedded = embedded;
        this.dataSource = dataSource;
        this.jdbcUrl = jdbcUrl;
        this.dsl = DSL.using(dataSource, SQLDialect.POSTGRES);
    }

    /** Starts (or connects to) Postgres and migrates it to the latest schema. */
    public static Database open(DatabaseConfig config) {
        EmbeddedPostgres embedded = null;
        String url = config.url();
        String user = config.user();
        String password = config.password();
        if (config.isEmbedded()) {
            try {
                embedded = EmbeddedPostgres.builder()
                        .setDataDirectory(config.embeddedDataDirectory())
                        .setCleanDataDirectory(config.embeddedEphemeral())
                        .setServerConfig("max_connections", "200")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded Postgres", e);
            }
            url = embedded.getJdbcUrl("postgres", "postgres");
            user = "postgres";
            password = "";
            log.info("Embedded Postgres on port {}, data in {}", embedded.getPort(), config.embeddedDataDirectory());
        }
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(url);
        pool.setUsername(user);
        pool.setPassword(password);
        pool.setMaximumPoolSize(config.poolSize());
        pool.setPoolName("verdict-db");
        // Fail fast when the database is down instead of holding RPC threads for the default 30 s.
        pool.setConnectionTimeout(5_000);
        // The pool starts without a connection; migrate() below waits for the database instead.
        pool.setInitializationFailTimeout(-1);
        HikariDataSource dataSource = new HikariDataSource(pool);
        try {
            migrate(dataSource, config.startupTimeout());
        } catch (RuntimeException e) {
            dataSource.close();
            closeQuietly(embedded);
            throw e;
        }
        return new Database(embedded, dataSource, url);
    }

    /**
     * Migrates the schema, retrying while the database is unreachable (an external Postgres may start after
     * Verdict), for at most {@code timeout}.
     */
    private static void migrate(HikariDataSource dataSource, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoffMillis = 200;
        while (true) {
            try {
                Flyway.configure().dataSource(dataSource).load().migrate();
                return;
            } catch (FlywayException e) {
                if (System.nanoTime() > deadline || !(e.getCause() instanceof SQLException)) {
                    throw e;
                }
                log.warn("Database not reachable yet ({}); retrying in {} ms", e.getMessage(), backoffMillis);
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoffMillis = Math.min(backoffMillis * 2, 2_000);
            }
        }
    }

    private static void closeQuietly(EmbeddedPostgres embedded) {
        if (embedded == null) {
            return;
        }
        try {
            embedded.close();
        } catch (IOException e) {
            log.warn("Embedded Postgres did not stop cleanly", e);
        }
    }

    public DSLContext dsl() {
        return dsl;
    }

    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    /** JDBC URL, e.g. for a LISTEN connection outside the pool. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return dataSource.getUsername();
    }

    public String password() {
        return dataSource.getPassword();
    }

    @Override
    public void close() {
        dataSource.close();
        closeQuietly(embedded);
    }
}
