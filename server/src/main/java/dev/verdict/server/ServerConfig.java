package dev.verdict.server;

import dev.verdict.server.security.BootstrapKey;
import dev.verdict.server.security.Tls;
import dev.verdict.server.store.DatabaseConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * How a Verdict server runs.
 *
 * @param host              address to listen on (default {@code 0.0.0.0})
 * @param port              gRPC port (default 8181; 0 picks a free one)
 * @param database          where the data lives
 * @param workerThreads     threads serving RPCs, bounded on purpose (default 32)
 * @param maxMessageBytes   largest request accepted (default 4 MiB)
 * @param decisions         the decision plane's caches and limits (default {@link Decisions#DEFAULTS})
 * @param authenticate      whether calls must carry credentials and are authorized; false only for the shared
 *                          test servers of the service tests ({@link #withoutAuthentication()}), never from
 *                          the command line
 * @param bootstrapKey      the operator's key (required when authenticating)
 * @param tls               TLS (and mutual TLS) of the port, or null for plaintext
 * @param network           the network threads (default {@link Network#DEFAULTS})
 */
public record ServerConfig(String host, int port, DatabaseConfig database, int workerThreads, int maxMessageBytes,
        Decisions decisions, boolean authenticate, BootstrapKey bootstrapKey, Tls tls, Network network) {
    public static final int DEFAULT_PORT = 8181;

    /** A configuration with the default network threads. */
    public ServerConfig(String host, int port, DatabaseConfig database, int workerThreads, int maxMessageBytes,
            Decisions decisions, boolean authenticate, BootstrapKey bootstrapKey, Tls tls) {
        this(host, port, database, workerThreads, maxMessageBytes, decisions, authenticate, bootstrapKey, tls,
                Network.DEFAULTS);
    }

    /**
     * The threads that read and write the connections, and on which cached checks are decided.
     *
     * @param eventLoopThreads how many (0: Netty's default, twice the cores; with busy polling or spinning: 1)
     * @param busyPoll         whether an idle network thread spins instead of sleeping in epoll_wait: a request
     *                         that arrives finds it running, which saves the wake-up of a sleeping thread (tens
     *                         of microseconds on a virtual machine) at the price of a core kept busy per thread.
     *                         Linux only (native epoll)
     * @param spinMicros       how long an idle network thread keeps polling after its last work before it sleeps
     *                         (0: at once, as Netty's loops do): a request that follows within that time finds it
     *                         running, as with busyPoll, while an idle server still sleeps; not with busyPoll,
     *                         which spins always
     */
    public record Network(int eventLoopThreads, boolean busyPoll, int spinMicros) {
        public static final Network DEFAULTS = new Network(0, false, 0);

        public Network {
            if (eventLoopThreads < 0 || eventLoopThreads > 1024) {
                throw new IllegalArgumentException("eventLoopThreads must be between 0 and 1024, was " + eventLoopThreads);
            }
            if (spinMicros < 0 || spinMicros > 1_000_000) {
                throw new IllegalArgumentException("spinMicros must be between 0 and 1000000, was " + spinMicros);
            }
            if (busyPoll && spinMicros > 0) {
                throw new IllegalArgumentException("busy polling spins always: give it or spinMicros, not both");
            }
        }
    }

    /**
     * How decisions are cached and bounded.
     *
     * @param closureCacheSize   most principal closures cached (default 1,000,000)
     * @param closureCacheExpiry a closure is rebuilt this long after it was built even without a change
     *                           (default 10 minutes; changes invalidate it sooner)
     * @param freshnessWait      how long {@code at_least_as_fresh} waits for the change feed before evaluating
     *                           from the database (default 500 ms)
     * @param changePollMillis   how often the change feed polls for changes it was not notified of (default 1000)
     * @param maxBatchItems      most items in one BatchCheckAccess (default 1000)
     * @param listenForNotifications whether the change feed LISTENs for commits (default true); without it the
     *                           feed follows by polling alone, as a replica that misses every NOTIFY would
     * @param warmClosures       whether every user's and API client's closure is built in bulk, in the
     *                           background, at start for every organization and for each organization first
     *                           followed later, until the cache is full (default false: closures are built
     *                           on a principal's first check)
     */
    public record Decisions(long closureCacheSize, Duration closureCacheExpiry, Duration freshnessWait,
            int changePollMillis, int maxBatchItems, boolean listenForNotifications, boolean warmClosures) {
        public static final Decisions DEFAULTS =
                new Decisions(1_000_000, Duration.ofMinutes(10), Duration.ofMillis(500), 1000, 1000);

        /** Decisions whose change feed listens for notifications, without warm-ups. */
        public Decisions(long closureCacheSize, Duration closureCacheExpiry, Duration freshnessWait,
                int changePollMillis, int maxBatchItems) {
            this(closureCacheSize, closureCacheExpiry, freshnessWait, changePollMillis, maxBatchItems, true);
        }

        /** Decisions without warm-ups. */
        public Decisions(long closureCacheSize, Duration closureCacheExpiry, Duration freshnessWait,
                int changePollMillis, int maxBatchItems, boolean listenForNotifications) {
            this(closureCacheSize, closureCacheExpiry, freshnessWait, changePollMillis, maxBatchItems,
                    listenForNotifications, false);
        }

        /** These decisions with warm-ups on or off. */
        public Decisions withWarmClosures(boolean warm) {
            return new Decisions(closureCacheSize, closureCacheExpiry, freshnessWait, changePollMillis, maxBatchItems,
                    listenForNotifications, warm);
        }

        public Decisions {
            Objects.requireNonNull(closureCacheExpiry, "closureCacheExpiry");
            Objects.requireNonNull(freshnessWait, "freshnessWait");
            if (closureCacheSize < 0) {
                throw new IllegalArgumentException("closureCacheSize must not be negative, was " + closureCacheSize);
            }
            if (closureCacheExpiry.isNegative() || closureCacheExpiry.isZero()) {
                throw new IllegalArgumentException("closureCacheExpiry must be positive, was " + closureCacheExpiry);
            }
            if (freshnessWait.isNegative()) {
                throw new IllegalArgumentException("freshnessWait must not be negative, was " + freshnessWait);
            }
            if (changePollMillis < 10) {
                throw new IllegalArgumentException("changePollMillis must be at least 10, was " + changePollMillis);
            }
            if (maxBatchItems < 1 || maxBatchItems > 10_000) {
                throw new IllegalArgumentException("maxBatchItems must be between 1 and 10000, was " + maxBatchItems);
            }
        }
    }

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(decisions, "decisions");
        Objects.requireNonNull(network, "network");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        if (workerThreads < 1) {
            throw new IllegalArgumentException("workerThreads must be positive, was " + workerThreads);
        }
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 1024, was " + maxMessageBytes);
        }
        if (authenticate) {
            Objects.requireNonNull(bootstrapKey, "bootstrapKey is required when authenticating");
        }
    }

    /** Defaults around a database, authenticating with {@code bootstrapKey}, in plaintext. */
    public static ServerConfig of(String host, int port, DatabaseConfig database, BootstrapKey bootstrapKey) {
        return new ServerConfig(host, port, database, 32, 4 * 1024 * 1024, Decisions.DEFAULTS, true, bootstrapKey, null);
    }

    /**
     * This configuration with authentication and authorization off: every call is served as if by an
     * administrator of every organization. For the shared test server of the service tests only.
     */
    public ServerConfig withoutAuthentication() {
        return new ServerConfig(host, port, database, workerThreads, maxMessageBytes, decisions, false, null, tls,
                network);
    }

    /** This configuration serving TLS. */
    public ServerConfig withTls(Tls tls) {
        return new ServerConfig(host, port, database, workerThreads, maxMessageBytes, decisions, authenticate,
                bootstrapKey, tls, network);
    }

    /** This configuration with other limits. */
    public ServerConfig withLimits(int workerThreads, int maxMessageBytes) {
        return new ServerConfig(host, port, database, workerThreads, maxMessageBytes, decisions, authenticate,
                bootstrapKey, tls, network);
    }

    /** This configuration with other network threads. */
    public ServerConfig withNetwork(Network network) {
        return new ServerConfig(host, port, database, workerThreads, maxMessageBytes, decisions, authenticate,
                bootstrapKey, tls, network);
    }
}
