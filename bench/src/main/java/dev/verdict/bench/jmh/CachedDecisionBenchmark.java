package dev.verdict.bench.jmh;

import dev.verdict.bench.data.Query;
import dev.verdict.bench.data.Size;
import dev.verdict.server.decision.AccessQuery;
import dev.verdict.server.decision.Consistency;
import dev.verdict.server.decision.Decision;
import dev.verdict.server.decision.DecisionEngine;
import dev.verdict.server.domain.Principal;
import java.util.List;
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
 * How long does one in-process decision take on a cached closure? {@code DecisionEngine.check} at
 * MINIMIZE_LATENCY over the query mix (users by Zipf, APP/STAGE permissions and end-user roles, allows and
 * denies, inactive users), with the closures built before measuring: no database, no network. Target
 * (DESIGN §7): under 100 ns/op, and as fast on L as on S.
 *
 * <pre>
 * mvn -q -pl bench -am -DskipTests package exec:exec@jmh -Djmh.args="CachedDecisionBenchmark -prof gc"
 * mvn -q -pl bench -am -DskipTests package exec:exec@jmh -Djmh.args="CachedDecisionBenchmark -p size=M,L -p warm=mix -jvmArgsAppend -Xmx6g"
 * mvn -q -pl bench -am -DskipTests package exec:exec@jmh -Djmh.args="CachedDecisionBenchmark -p queries=4096,16384,65536"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-XX:+UseTransparentHugePages"})
public class CachedDecisionBenchmark {
    @Param({"S"})
    String size;

    @Param({"1"})
    long seed;

    /** {@code all}: every user's closure is cached, as after a full warm-up; {@code mix}: those asked about (for L). */
    @Param({"all"})
    String warm;

    /**
     * Questions before the cursor wraps, a power of two. Fewer questions shrink the working set twice: they ask
     * about fewer principals (4,096 of the mix about 952 of S's 2,000) and the harness holds fewer query
     * objects (about 80 bytes a question, 5 MiB for 65,536).
     */
    @Param({"65536"})
    int queries;

    InProcessVerdict verdict;
    DecisionEngine engine;
    UUID organization;
    AccessQuery[] asked;
    /** The same questions as fields, for {@link #checkAsParsed}: ids as two longs, keys by reference. */
    long[] principalHigh;
    long[] principalLow;
    boolean[] roleTarget;
    String[] targetKey;
    String[] stage;
    String[] app;

    @Setup(Level.Trial)
    public void setUp() {
        verdict = InProcessVerdict.start(Size.valueOf(size), seed);
        engine = verdict.engine();
        organization = verdict.organizationId();
        if (Integer.bitCount(queries) != 1) {
            throw new IllegalArgumentException("queries must be a power of two, was " + queries);
        }
        List<Query> mix = verdict.mix(queries, 0, seed);
        asked = mix.stream().map(verdict::accessQuery).toArray(AccessQuery[]::new);
        principalHigh = new long[queries];
        principalLow = new long[queries];
        roleTarget = new boolean[queries];
        targetKey = new String[queries];
        stage = new String[queries];
        app = new String[queries];
        for (int i = 0; i < queries; i++) {
            principalHigh[i] = asked[i].principal().id().getMostSignificantBits();
            principalLow[i] = asked[i].principal().id().getLeastSignificantBits();
            roleTarget[i] = asked[i].target().role();
            targetKey[i] = asked[i].target().key();
            stage[i] = asked[i].stage();
            app[i] = asked[i].appKey();
        }
        long before = usedHeap();
        verdict.warm(mix, warm.equals("all"));
        // For the heap target (DESIGN §7): what the cached closures take, the dataset itself excluded.
        System.out.printf("%n%d closures cached, %.1f MiB of heap%n", engine.cachedClosures(),
                (usedHeap() - before) / 1048576.0);
        verdict.assertEngineAgrees(mix.subList(0, 2_000));
        for (AccessQuery query : asked) {
            if (engine.checkCached(organization, query, Consistency.MINIMIZE_LATENCY) == null) {
                throw new IllegalStateException("not answered from memory after warm-up: " + query);
            }
        }
    }

    private static long usedHeap() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        verdict.close();
    }

    /** Each thread walks the mix from its own place. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Benchmark
    public Decision check(Cursor cursor) {
        return engine.check(organization, asked[cursor.next++ & (queries - 1)], Consistency.MINIMIZE_LATENCY);
    }

    /** What the gRPC adapter calls on the network thread: the same decision, or null if it would need the database. */
    @Benchmark
    public Decision checkCached(Cursor cursor) {
        return engine.checkCached(organization, asked[cursor.next++ & (queries - 1)], Consistency.MINIMIZE_LATENCY);
    }

    /**
     * The same decision on a question built just before it, as the gRPC adapter builds one from a request it has
     * just parsed: the question's objects are new (the principal's id too, so the cache compares it with its
     * stored key) and in the core's caches, not one of 65,536 held since set-up. The keys are shared strings
     * whose hashes are cached; a parsed request's are new and hashed on the first look-up.
     */
    @Benchmark
    public Decision checkAsParsed(Cursor cursor) {
        int i = cursor.next++ & (queries - 1);
        AccessQuery query = new AccessQuery(Principal.user(new UUID(principalHigh[i], principalLow[i])), null,
                new AccessQuery.Target(roleTarget[i], targetKey[i]), stage[i], app[i]);
        return engine.checkCached(organization, query, Consistency.MINIMIZE_LATENCY);
    }
}
