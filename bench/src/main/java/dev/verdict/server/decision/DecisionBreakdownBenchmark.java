package dev.verdict.server.decision;

import dev.verdict.bench.data.Query;
import dev.verdict.bench.data.Size;
import dev.verdict.bench.jmh.InProcessVerdict;
import dev.verdict.server.domain.PrincipalGrants;
import dev.verdict.server.store.DecisionStore;
import dev.verdict.server.store.Store;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where does a cached decision's time go? The same questions (the mix, users by Zipf) three ways, each adding
 * a layer: {@code bitTest} is {@code PrincipalClosure.has*} on keys interned beforehand (the floor);
 * {@code internAndTest} adds interning the target, stage and app keys through the {@link Catalogue}'s maps;
 * {@code engineCheck} is the whole {@code DecisionEngine.check} (organization lookup, session, Caffeine
 * lookup, shape checks, the Decision); {@code engineCheckOnePrincipal} asks the same questions all about one
 * principal, whose cache entry and closure then stay in the CPU's caches: its difference to
 * {@code engineCheck} is the memory latency of reaching a random principal's closure. {@code internStage},
 * {@code internApp} and {@code internTarget} split interning into its three look-ups. The differences locate
 * the cost; {@code -prof gc} shows which layer allocates.
 *
 * <pre>
 * mvn -q -pl bench -am -DskipTests package exec:exec@jmh -Djmh.args="DecisionBreakdownBenchmark -prof gc"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-XX:+UseTransparentHugePages"})
public class DecisionBreakdownBenchmark {
    static final int QUERIES = 1 << 14;

    @Param({"S"})
    String size;

    @Param({"1"})
    long seed;

    InProcessVerdict verdict;
    DecisionEngine engine;
    UUID organization;
    Catalogue catalogue;
    AccessQuery[] queries;
    PrincipalClosure[] closures;
    boolean[] roles;
    int[] targets;
    int[] slots;
    int[] apps;
    AccessQuery[] onePrincipal;

    @Setup(Level.Trial)
    public void setUp() {
        verdict = InProcessVerdict.start(Size.valueOf(size), seed);
        engine = verdict.engine();
        organization = verdict.organizationId();
        DecisionStore store = new DecisionStore(new Store(verdict.server().database().dsl()));
        List<Query> mix = verdict.mix(QUERIES, 0, seed);
        verdict.warm(mix, false);
        verdict.assertEngineAgrees(mix.subList(0, 2_000));
        catalogue = Catalogue.of(store.catalogue(organization));
        queries = new AccessQuery[QUERIES];
        closures = new PrincipalClosure[QUERIES];
        roles = new boolean[QUERIES];
        targets = new int[QUERIES];
        slots = new int[QUERIES];
        apps = new int[QUERIES];
        onePrincipal = new AccessQuery[QUERIES];
        Map<UUID, PrincipalClosure> built = new HashMap<>();
        for (int i = 0; i < QUERIES; i++) {
            AccessQuery query = verdict.accessQuery(mix.get(i));
            queries[i] = query;
            closures[i] = built.computeIfAbsent(query.principal().id(), id -> {
                PrincipalGrants grants = store.grants(organization, query.principal());
                return PrincipalClosure.of(catalogue, grants);
            });
            roles[i] = query.target().role();
            targets[i] = roles[i] ? catalogue.role(query.target().key()) : catalogue.permission(query.target().key());
            slots[i] = catalogue.stageSlot(query.stage());
            apps[i] = query.appKey() == null ? -1 : catalogue.app(query.appKey());
            onePrincipal[i] = new AccessQuery(queries[0].principal(), null, query.target(), query.stage(), query.appKey());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        verdict.close();
    }

    @State(Scope.Thread)
    public static class Cursor {
        int next;

        int advance() {
            return next++ & (QUERIES - 1);
        }
    }

    @Benchmark
    public boolean bitTest(Cursor cursor) {
        int i = cursor.advance();
        return roles[i] ? closures[i].hasRole(targets[i], slots[i], apps[i])
                : closures[i].hasPermission(targets[i], slots[i], apps[i]);
    }

    @Benchmark
    public boolean internAndTest(Cursor cursor) {
        int i = cursor.advance();
        AccessQuery query = queries[i];
        int slot = catalogue.stageSlot(query.stage());
        int app = query.appKey() == null ? -1 : catalogue.app(query.appKey());
        return query.target().role()
                ? closures[i].hasRole(catalogue.role(query.target().key()), slot, app)
                : closures[i].hasPermission(catalogue.permission(query.target().key()), slot, app);
    }

    @Benchmark
    public Decision engineCheck(Cursor cursor) {
        return engine.check(organization, queries[cursor.advance()], Consistency.MINIMIZE_LATENCY);
    }

    @Benchmark
    public Decision engineCheckOnePrincipal(Cursor cursor) {
        return engine.check(organization, onePrincipal[cursor.advance()], Consistency.MINIMIZE_LATENCY);
    }

    @Benchmark
    public int internStage(Cursor cursor) {
        return catalogue.stageSlot(queries[cursor.advance()].stage());
    }

    @Benchmark
    public int internApp(Cursor cursor) {
        String app = queries[cursor.advance()].appKey();
        return app == null ? -1 : catalogue.app(app);
    }

    @Benchmark
    public int internTarget(Cursor cursor) {
        AccessQuery.Target target = queries[cursor.advance()].target();
        return target.role() ? catalogue.role(target.key()) : catalogue.permission(target.key());
    }
}
