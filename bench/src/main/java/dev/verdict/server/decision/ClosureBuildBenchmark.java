package dev.verdict.server.decision;

import dev.verdict.bench.data.Query;
import dev.verdict.bench.data.Size;
import dev.verdict.bench.jmh.InProcessVerdict;
import dev.verdict.server.domain.Principal;
import dev.verdict.server.domain.PrincipalGrants;
import dev.verdict.server.store.DecisionStore;
import dev.verdict.server.store.Store;
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
 * What does a cache miss cost? Three steps of it, for principals drawn by Zipf from the query mix:
 * {@code build} is {@code PrincipalClosure.of} on grants already read (the CPU part: interning, bitset ORs);
 * {@code readAndBuild} adds the Postgres read of the grants ({@code DecisionStore.grants}), which is what
 * the engine does on a miss; {@code fullyConsistentCheck} is a whole {@code DecisionEngine.check} at
 * FULLY_CONSISTENT, which catches up with the change log and builds the closure fresh every time.
 * In this package because PrincipalClosure and Catalogue are package-private.
 *
 * <pre>
 * mvn -q -pl bench -am -DskipTests package exec:exec@jmh -Djmh.args="ClosureBuildBenchmark -prof gc"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-XX:+UseTransparentHugePages"})
public class ClosureBuildBenchmark {
    static final int PRINCIPALS = 1 << 12;

    @Param({"S"})
    String size;

    @Param({"1"})
    long seed;

    InProcessVerdict verdict;
    DecisionEngine engine;
    DecisionStore store;
    UUID organization;
    Catalogue catalogue;
    Principal[] principals;
    PrincipalGrants[] grants;
    AccessQuery[] queries;

    @Setup(Level.Trial)
    public void setUp() {
        verdict = InProcessVerdict.start(Size.valueOf(size), seed);
        engine = verdict.engine();
        organization = verdict.organizationId();
        store = new DecisionStore(new Store(verdict.server().database().dsl()));
        catalogue = Catalogue.of(store.catalogue(organization));
        List<Query> mix = verdict.mix(PRINCIPALS, 0, seed);
        principals = new Principal[PRINCIPALS];
        grants = new PrincipalGrants[PRINCIPALS];
        queries = new AccessQuery[PRINCIPALS];
        for (int i = 0; i < PRINCIPALS; i++) {
            queries[i] = verdict.accessQuery(mix.get(i));
            principals[i] = queries[i].principal();
            grants[i] = store.grants(organization, principals[i]);
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
            return next++ & (PRINCIPALS - 1);
        }
    }

    @Benchmark
    public PrincipalClosure build(Cursor cursor) {
        return PrincipalClosure.of(catalogue, grants[cursor.advance()]);
    }

    @Benchmark
    public PrincipalClosure readAndBuild(Cursor cursor) {
        return PrincipalClosure.of(catalogue, store.grants(organization, principals[cursor.advance()]));
    }

    @Benchmark
    public Decision fullyConsistentCheck(Cursor cursor) {
        return engine.check(organization, queries[cursor.advance()], Consistency.FULLY_CONSISTENT);
    }
}
