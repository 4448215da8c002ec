package dev.verdict.bench.jmh;

import dev.verdict.bench.data.Dataset;
import dev.verdict.bench.data.DatasetGenerator;
import dev.verdict.bench.data.Query;
import dev.verdict.bench.data.QueryMix;
import dev.verdict.bench.data.Reference;
import dev.verdict.bench.data.Size;
import dev.verdict.bench.load.DirectoryLoader;
import dev.verdict.server.ServerConfig;
import dev.verdict.server.VerdictServer;
import dev.verdict.server.decision.AccessQuery;
import dev.verdict.server.decision.Consistency;
import dev.verdict.server.decision.DecisionEngine;
import dev.verdict.server.domain.Principal;
import dev.verdict.server.security.BootstrapKey;
import dev.verdict.server.store.DatabaseConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * A Verdict server in this JVM on an embedded Postgres in a throw-away folder, with one dataset loaded
 * through the public API ({@link DirectoryLoader}): the fixture of the in-process benchmarks. Closures are
 * cached for hours so that none expires during a run.
 */
public final class InProcessVerdict implements AutoCloseable {
    private final VerdictServer server;
    private final Dataset dataset;
    private final Reference reference;
    private final DirectoryLoader.Loaded loaded;
    private final UUID organizationId;

    private InProcessVerdict(VerdictServer server, Dataset dataset, DirectoryLoader.Loaded loaded) {
        this.server = server;
        this.dataset = dataset;
        this.reference = new Reference(dataset);
        this.loaded = loaded;
        this.organizationId = UUID.fromString(loaded.organizationId());
    }

    public static InProcessVerdict start(Size size, long seed) {
        Path data;
        try {
            data = Files.createTempDirectory("verdict-bench-pg");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String key = BootstrapKey.generate();
        ServerConfig.Decisions decisions = new ServerConfig.Decisions(
                Math.max(1_000_000, size.users() * 2L), Duration.ofHours(12), Duration.ofMillis(500), 1000, 1000);
        VerdictServer server = VerdictServer.start(new ServerConfig("127.0.0.1", 0, DatabaseConfig.ephemeral(data), 32,
                4 * 1024 * 1024, decisions, true, BootstrapKey.of(key), null));
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try {
            Dataset dataset = DatasetGenerator.generate(size, seed);
            DirectoryLoader.Loaded loaded = new DirectoryLoader(channel, key, 2, 600).load(dataset, "bench-" + size);
            return new InProcessVerdict(server, dataset, loaded);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        } finally {
            channel.shutdownNow();
        }
    }

    public VerdictServer server() {
        return server;
    }

    public DecisionEngine engine() {
        return server.engine();
    }

    public UUID organizationId() {
        return organizationId;
    }

    public Dataset dataset() {
        return dataset;
    }

    public Reference reference() {
        return reference;
    }

    public UUID userId(int index) {
        return loaded.userIds()[index];
    }

    /** The mix of {@code count} queries; {@code coldShare} of them about cold users. */
    public List<Query> mix(int count, double coldShare, long seed) {
        return new QueryMix(reference).generate(count, coldShare, seed);
    }

    /** A query of the mix as the engine takes it. */
    public AccessQuery accessQuery(Query query) {
        AccessQuery.Target target = query.kind() == Query.Kind.END_USER_ROLE
                ? AccessQuery.Target.role(query.target())
                : AccessQuery.Target.permission(query.target());
        return new AccessQuery(Principal.user(userId(query.user())), null, target, query.stage(), query.app());
    }

    /**
     * Waits until the engine has applied the whole load (so the catalogue will not change under the cache),
     * then builds and caches the closure of every user ({@code everyUser}) or of the users {@code mix} asks
     * about (each closure is a database read: a million of them take many minutes).
     */
    public void warm(List<Query> mix, boolean everyUser) {
        AccessQuery first = new AccessQuery(Principal.user(userId(0)), null, AccessQuery.Target.permission("app.view"),
                dataset.stages().getFirst(), dataset.apps().getFirst());
        engine().check(organizationId, first, Consistency.atLeastAsFresh(loaded.revision()));
        IntStream users = everyUser ? IntStream.range(0, dataset.users().size())
                : mix.stream().mapToInt(Query::user).distinct();
        users.forEach(i -> engine().check(organizationId,
                new AccessQuery(Principal.user(userId(i)), null, first.target(), first.stage(), first.appKey()),
                Consistency.MINIMIZE_LATENCY));
    }

    /** Throws unless the engine answers every query as the reference rule does. */
    public void assertEngineAgrees(List<Query> queries) {
        int wrong = 0;
        String firstWrong = null;
        for (Query query : queries) {
            boolean allowed = engine().check(organizationId, accessQuery(query), Consistency.MINIMIZE_LATENCY)
                    .outcome().allowed();
            if (allowed != query.allowed()) {
                wrong++;
                firstWrong = firstWrong == null ? query.toString() : firstWrong;
            }
        }
        if (wrong > 0) {
            throw new IllegalStateException("Verdict disagrees with the reference on " + wrong + " of " + queries.size()
                    + " queries, e.g. " + firstWrong);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
