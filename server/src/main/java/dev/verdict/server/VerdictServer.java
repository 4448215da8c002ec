package dev.verdict.server;

import dev.verdict.server.api.Api;
import dev.verdict.server.changes.ChangeFeed;
import dev.verdict.server.decision.AccessQuery;
import dev.verdict.server.decision.Consistency;
import dev.verdict.server.decision.DecisionEngine;
import dev.verdict.server.domain.AuthenticatedClient;
import dev.verdict.server.domain.Principal;
import dev.verdict.server.security.ApiKeys;
import dev.verdict.server.security.Authentication;
import dev.verdict.server.security.Authorization;
import dev.verdict.server.security.Deadlines;
import dev.verdict.server.security.PermissionCheck;
import dev.verdict.server.store.ApiClientStore;
import dev.verdict.server.store.ChangeStore;
import dev.verdict.server.store.DecisionStore;
import dev.verdict.server.store.Store;
import dev.verdict.server.store.Database;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.util.MutableHandlerRegistry;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Verdict: the database, the services and the gRPC server, wired by hand. {@code Main} and the
 * tests both start it through {@link #start}.
 */
public final class VerdictServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VerdictServer.class);

    private final Database database;
    private final Server server;
    private final HealthStatusManager health;
    private final ThreadPoolExecutor executor;
    private final ChangeFeed feed;
    private final DecisionEngine engine;
    private final ScheduledExecutorService stats;
    private final NetworkThreads network;
    /** Null unless closures are warmed ({@code --warm-closures}). */
    private final ClosureWarmer warmer;

    private VerdictServer(Database database, Server server, HealthStatusManager health, ThreadPoolExecutor executor,
            ChangeFeed feed, DecisionEngine engine, ScheduledExecutorService stats, NetworkThreads network,
            ClosureWarmer warmer) {
        this.database = database;
        this.server = server;
        this.health = health;
        this.executor = executor;
        this.feed = feed;
        this.engine = engine;
        this.stats = stats;
        this.network = network;
        this.warmer = warmer;
    }

    /**
     * Starts listening at once with health NOT_SERVING, opens and migrates the database (waiting for it if it
     * is not reachable yet), then registers the services and turns health to SERVING. Returns when serving.
     */
    public static VerdictServer start(ServerConfig config) {
        leakDetectionOffUnlessAsked();
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
        // Services are added once the database is ready; until then their calls are UNIMPLEMENTED.
        MutableHandlerRegistry services = new MutableHandlerRegistry();
        ThreadPoolExecutor executor = executor(config.workerThreads());
        InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
        CallThreads threads = new CallThreads(executor);
        NettyServerBuilder builder = config.tls() == null
                ? NettyServerBuilder.forAddress(address)
                : NettyServerBuilder.forAddress(address, config.tls().credentials());
        NetworkThreads network = NetworkThreads.apply(config.network(), builder);
        Server server = builder
                .directExecutor() // every call starts on the network thread; CallThreads moves it (almost always)
                .callExecutor(threads)
                .maxInboundMessageSize(config.maxMessageBytes())
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(ProtoReflectionService.newInstance())
                .fallbackHandlerRegistry(services)
                .build();
        try {
            server.start();
        } catch (IOException e) {
            executor.shutdownNow();
            network.close();
            throw new UncheckedIOException("could not listen on " + config.host() + ":" + config.port(), e);
        }
        log.info("Verdict listening on {}:{}, NOT_SERVING until the database is ready", config.host(), server.getPort());
        Database database;
        try {
            database = Database.open(config.database());
        } catch (RuntimeException e) {
            server.shutdownNow();
            executor.shutdownNow();
            network.close();
            throw e;
        }
        Store store = new Store(database.dsl());
        ServerConfig.Decisions decisions = config.decisions();
        ChangeStore changes = new ChangeStore(store, database);
        ChangeFeed feed = new ChangeFeed(changes, decisions.changePollMillis(), decisions.listenForNotifications());
        DecisionStore decisionStore = new DecisionStore(store);
        DecisionEngine engine = new DecisionEngine(decisionStore, feed, decisions.closureCacheSize(),
                decisions.closureCacheExpiry(), decisions.freshnessWait());
        feed.start();
        // Warm-ups never hold up SERVING: they run on a thread of their own, and a check that comes before its
        // closure is warm loads it as always. Registered before any request can make the engine follow.
        ClosureWarmer warmer = null;
        if (decisions.warmClosures()) {
            warmer = new ClosureWarmer(engine);
            warmer.start(decisionStore::organizationIds);
        }
        // Health and reflection are open to all; every Verdict service is guarded.
        Guards guards = guards(config, store, engine, feed);
        Api.services(new Api.Wiring(database, store, changes, feed, engine, decisions.maxBatchItems(), executor))
                .forEach(service -> services.addService(ServerInterceptors.intercept(service, guards.interceptors())));
        // A check may stay on the network thread when its caller and the caller's right to check are in memory.
        threads.checksOnNetworkThreadsWhen(guards.authentication() == null ? headers -> true : headers -> {
            AuthenticatedClient client = guards.authentication().rememberedClient(headers);
            return client != null
                    && engine.decidesFromMemory(client.organizationId(), Principal.apiClient(client.apiClientId()));
        });
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
        log.info("Verdict serving gRPC{} on {}:{}{}", config.tls() == null ? "" : " over TLS", config.host(),
                server.getPort(), config.authenticate() ? "" : " WITHOUT AUTHENTICATION (tests only)");
        ScheduledExecutorService stats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "verdict-cache-stats");
            thread.setDaemon(true);
            return thread;
        });
        stats.scheduleAtFixedRate(() -> logCacheStats(engine), 1, 1, TimeUnit.MINUTES);
        return new VerdictServer(database, server, health, executor, feed, engine, stats, network, warmer);
    }

    /** The system properties Netty (shaded in gRPC, or by its own name) reads its leak detection level from. */
    static final List<String> LEAK_DETECTION_PROPERTIES = List.of("io.grpc.netty.shaded.io.netty.leakDetection.level",
            "io.grpc.netty.shaded.io.netty.leakDetectionLevel", "io.netty.leakDetection.level");

    /**
     * Netty's default leak detection builds a stack trace for one buffer in 128: 4.5% of the server's CPU in a
     * profile of checks. Off unless the operator asked for a level (e.g. {@code paranoid} to hunt a leak).
     */
    private static void leakDetectionOffUnlessAsked() {
        if (LEAK_DETECTION_PROPERTIES.stream().noneMatch(property -> System.getProperty(property) != null)) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    /** The interceptors of {@link #guards}, and the authentication among them (null when it is off). */
    private record Guards(List<ServerInterceptor> interceptors, Authentication authentication) {}

    /**
     * The interceptors around every Verdict service, innermost first (gRPC runs the last one first):
     * authentication establishes the caller, authorization checks the request against its rule, and a call
     * whose deadline passed while it queued never reaches its handler.
     */
    private static Guards guards(ServerConfig config, Store store, DecisionEngine engine, ChangeFeed feed) {
        if (!config.authenticate()) {
            return new Guards(List.of(new Deadlines()), null);
        }
        ApiKeys apiKeys = new ApiKeys(new ApiClientStore(store), feed, ApiKeys.DEFAULT_EXPIRY);
        // Verdict authorizes its own API with its own engine: an organization-level check, no stage, no app.
        PermissionCheck permissions = (org, client, permission) -> engine.check(org,
                        new AccessQuery(Principal.apiClient(client), null, AccessQuery.Target.permission(permission),
                                null, null),
                        Consistency.MINIMIZE_LATENCY)
                .outcome().allowed();
        Authentication authentication = new Authentication(config.bootstrapKey(), apiKeys);
        return new Guards(List.of(new Deadlines(), new Authorization(permissions), authentication), authentication);
    }

    /** Exports the closure cache's Caffeine statistics to the log, for operators and dashboards that scrape it. */
    private static void logCacheStats(DecisionEngine engine) {
        CacheStats stats = engine.closureStats();
        log.info("closure cache: size={} hits={} misses={} hitRate={} evictions={} loadFailures={} averageLoadMicros={}",
                engine.cachedClosures(), stats.hitCount(), stats.missCount(), String.format("%.4f", stats.hitRate()),
                stats.evictionCount(), stats.loadFailureCount(), (long) (stats.averageLoadPenalty() / 1_000));
    }

    /**
     * RPCs run here (see {@link CallThreads}), never blocking Netty's event loops; the queue is bounded so
     * overload is refused, not buffered.
     */
    private static ThreadPoolExecutor executor(int threads) {
        AtomicInteger count = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000), r -> {
            Thread thread = new Thread(r, "verdict-rpc-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The port actually listened on. */
    public int port() {
        return server.getPort();
    }

    public Database database() {
        return database;
    }

    /** The decision engine, e.g. for its cache statistics. */
    public DecisionEngine engine() {
        return engine;
    }

    /** The change feed this server follows the change log with. */
    public ChangeFeed changeFeed() {
        return feed;
    }

    /** Blocks until the server terminates. */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** Stops taking calls, lets calls in flight finish (up to 10 s), then closes the database. */
    @Override
    public void close() {
        health.enterTerminalState();
        server.shutdown();
        try {
            if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        executor.shutdown();
        network.close();
        stats.shutdownNow();
        if (warmer != null) {
            warmer.close();
        }
        feed.close();
        database.close();
    }
}
