package dev.verdict.server.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the data lives. With no {@code url}, Verdict starts an embedded Postgres whose files are kept in
 * {@code embeddedDataDirectory} across restarts (a throw-away directory when {@code embeddedEphemeral}).
 *
 * @param url                   JDBC URL of an external Postgres, or null for the embedded one
 * @param user                  user of the external Postgres
 * @param password              password of the external Postgres
 * @param embeddedDataDirectory data folder of the embedded Postgres (default {@code ./verdict-data})
 * @param embeddedEphemeral     wipe the embedded data folder on start and stop (tests)
 * @param poolSize              connections in the pool (default 16)
 * @param startupTimeout        how long start-up waits for an unreachable database (default 5 minutes)
 */
public record DatabaseConfig(
        String url, String user, String password, Path embeddedDataDirectory, boolean embeddedEphemeral, int poolSize,
        Duration startupTimeout) {

    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(5);

    /** A configuration with the default start-up timeout. */
    public DatabaseConfig(String url, String user, String password, Path embeddedDataDirectory, boolean embeddedEphemeral,
            int poolSize) {
        this(url, user, password, embeddedDataDirectory, embeddedEphemeral, poolSize, DEFAULT_STARTUP_TIMEOUT);
    }

    public DatabaseConfig {
        if (url == null) {
            Objects.requireNonNull(embeddedDataDirectory, "embeddedDataDirectory is required without a url");
        }
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        if (poolSize < 1 || poolSize > 500) {
            throw new IllegalArgumentException("poolSize must be between 1 and 500, was " + poolSize);
        }
    }

    /** An embedded Postgres keeping its data in {@code directory}. */
    public static DatabaseConfig embedded(Path directory) {
        return new DatabaseConfig(null, null, null, directory, false, 16);
    }

    /** An embedded Postgres in a throw-away directory, for tests. */
    public static DatabaseConfig ephemeral(Path directory) {
        return new DatabaseConfig(null, null, null, directory, true, 16);
    }

    public boolean isEmbedded() {
        return url == null;
    }
}
