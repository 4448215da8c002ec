package dev.verdict.server;

import dev.verdict.server.security.BootstrapKey;
import dev.verdict.server.security.Tls;
import dev.verdict.server.store.DatabaseConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code verdict} command: parses options, starts the server, stops it cleanly on SIGTERM. */
@Command(name = "verdict", mixinStandardHelpOptions = true, version = "verdict 0.1.0",
        description = "Verdict gRPC policy decision service.")
public final class Main implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8181", description = "gRPC port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--db-url", description = "JDBC URL of an external Postgres; without it an embedded Postgres runs.")
    String dbUrl;

    @Option(names = "--db-user", defaultValue = "${env:VERDICT_DB_USER}", description = "Database user (or env VERDICT_DB_USER).")
    String dbUser;

    @Option(names = "--db-password", defaultValue = "${env:VERDICT_DB_PASSWORD}",
            description = "Database password (prefer env VERDICT_DB_PASSWORD).")
    String dbPassword;

    @Option(names = "--data-dir", defaultValue = "verdict-data",
            description = "Folder of the embedded Postgres's data, kept across restarts (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--db-pool-size", defaultValue = "16", description = "Database connections (default: ${DEFAULT-VALUE}).")
    int poolSize;

    @Option(names = "--threads", defaultValue = "32", description = "RPC worker threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--network-threads", defaultValue = "0",
            description = "Netty event loop threads (default: 0, gRPC's own choice; with --busy-poll or --spin-micros, 1).")
    int networkThreads;

    @Option(names = "--busy-poll",
            description = "Network threads spin instead of sleeping when idle: lower latency for a lightly loaded "
                    + "server, at the price of a core kept busy per network thread (Linux).")
    boolean busyPoll;

    @Option(names = "--spin-micros", defaultValue = "0",
            description = "An idle network thread keeps polling this many microseconds after its last work before "
                    + "it sleeps: requests that follow one another closely skip a thread wake-up, as with "
                    + "--busy-poll, and an idle server still sleeps (default: ${DEFAULT-VALUE}, sleep at once; "
                    + "at most 1000000; not with --busy-poll).")
    int spinMicros;

    @Option(names = "--max-message-bytes", defaultValue = "4194304",
            description = "Largest request accepted (default: ${DEFAULT-VALUE}).")
    int maxMessageBytes;

    @Option(names = "--bootstrap-key-file",
            description = "File holding the operator's bootstrap key (or env " + BootstrapKey.ENVIRONMENT_VARIABLE
                    + "); without either, one is generated in <data-dir>/" + BootstrapKey.FILE_NAME + ".")
    Path bootstrapKeyFile;

    @Option(names = "--tls-cert", description = "PEM certificate chain of the server; with --tls-key, serves TLS.")
    Path tlsCert;

    @Option(names = "--tls-key", description = "PEM (PKCS#8) private key of the server.")
    Path tlsKey;

    @Option(names = "--tls-client-ca",
            description = "PEM CA certificates of clients; with it, clients must present a certificate (mutual TLS).")
    Path tlsClientCa;

    @Option(names = "--cache-size", defaultValue = "1000000",
            description = "Most principal closures cached (default: ${DEFAULT-VALUE}).")
    long cacheSize;

    @Option(names = "--cache-expiry-seconds", defaultValue = "600",
            description = "A cached closure is rebuilt after this many seconds (default: ${DEFAULT-VALUE}).")
    long cacheExpirySeconds;

    @Option(names = "--change-poll-millis", defaultValue = "1000",
            description = "How often the change feed polls besides LISTEN/NOTIFY (default: ${DEFAULT-VALUE}).")
    int changePollMillis;

    @Option(names = "--max-batch-items", defaultValue = "1000",
            description = "Most items in one BatchCheckAccess (default: ${DEFAULT-VALUE}).")
    int maxBatchItems;

    @Option(names = "--warm-closures", description = "At start, and when an organization is first followed, build "
            + "every user's closure in bulk, in the background, until the cache is full (default: off).")
    boolean warmClosures;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        JavaLogging.routeToSlf4j();
        VerdictServer server = VerdictServer.start(config());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "verdict-shutdown"));
        server.awaitTermination();
        return 0;
    }

    /** The configuration the parsed options describe. */
    ServerConfig config() {
        // The embedded Postgres gets a folder of its own: initdb wants it empty, and the data folder also
        // holds the generated bootstrap key.
        DatabaseConfig database = new DatabaseConfig(dbUrl, dbUser, dbPassword,
                dataDir.toAbsolutePath().resolve("postgres"), false, poolSize);
        if ((tlsCert == null) != (tlsKey == null) || (tlsClientCa != null && tlsCert == null)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--tls-cert and --tls-key go together, and --tls-client-ca needs them");
        }
        BootstrapKey bootstrapKey = BootstrapKey.resolve(
                System.getenv(BootstrapKey.ENVIRONMENT_VARIABLE), bootstrapKeyFile, dataDir.toAbsolutePath());
        Tls tls = tlsCert == null ? null : new Tls(tlsCert, tlsKey, tlsClientCa);
        ServerConfig.Network network;
        try {
            network = new ServerConfig.Network(networkThreads, busyPoll, spinMicros);
        } catch (IllegalArgumentException e) { // the record validates; here that is a usage error, not a trace
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
        }
        // Main always authenticates: ServerConfig.withoutAuthentication exists for the shared test server only.
        var decisions = new ServerConfig.Decisions(cacheSize, Duration.ofSeconds(cacheExpirySeconds),
                ServerConfig.Decisions.DEFAULTS.freshnessWait(), changePollMillis, maxBatchItems)
                .withWarmClosures(warmClosures);
        return new ServerConfig(host, port, database, threads, maxMessageBytes, decisions, true, bootstrapKey, tls,
                network);
    }
}
