package dev.verdict.bench.jmh;

import dev.verdict.bench.data.Dataset.User;
import dev.verdict.bench.data.Query;
import dev.verdict.bench.data.Size;
import dev.verdict.server.decision.AccessQuery;
import dev.verdict.server.decision.Consistency;
import dev.verdict.server.decision.Decision;
import dev.verdict.server.decision.DecisionEngine;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.casbin.jcasbin.main.Enforcer;
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
 * How much faster is Verdict's in-process decision than jCasbin's {@code enforce} on the same data and the
 * same questions? Both answer the APP-level permission questions of the mix (users by Zipf): {@code verdict}
 * is {@code DecisionEngine.check} on cached closures, {@code jcasbin} is RBAC with domains as built by
 * {@link CasbinDirectory}. Before measuring, both are checked against the reference rule on 2,000 of the
 * questions. Target (DESIGN §7): Verdict at least 100× faster. jCasbin's flattened memberships grow with
 * users × apps for organization-wide grants, so sizes beyond S need a large heap.
 *
 * <pre>
 * mvn -q -pl bench -am -DskipTests package exec:exec@jmh -Djmh.args="JCasbinBenchmark"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-XX:+UseTransparentHugePages"})
public class JCasbinBenchmark {
    static final int QUERIES = 1 << 12;

    @Param({"S"})
    String size;

    @Param({"1"})
    long seed;

    InProcessVerdict verdict;
    DecisionEngine engine;
    UUID organization;
    Enforcer enforcer;
    AccessQuery[] queries;
    String[][] requests;

    @Setup(Level.Trial)
    public void setUp() {
        verdict = InProcessVerdict.start(Size.valueOf(size), seed);
        engine = verdict.engine();
        organization = verdict.organizationId();
        enforcer = CasbinDirectory.enforcer(verdict.reference());
        List<Query> mix = verdict.mix(QUERIES * 3, 0, seed).stream()
                .filter(q -> q.kind() == Query.Kind.APP_PERMISSION).limit(QUERIES).toList();
        if (mix.size() < QUERIES) {
            throw new IllegalStateException("the mix has only " + mix.size() + " APP-level questions");
        }
        queries = mix.stream().map(verdict::accessQuery).toArray(AccessQuery[]::new);
        requests = new String[QUERIES][];
        for (int i = 0; i < QUERIES; i++) {
            Query query = mix.get(i);
            User user = verdict.dataset().users().get(query.user());
            requests[i] = new String[] {CasbinDirectory.subject(user), CasbinDirectory.domain(query.stage(), query.app()),
                query.stage(), query.target()};
        }
        verdict.warm(mix, false);
        List<Query> sample = mix.subList(0, 2_000);
        verdict.assertEngineAgrees(sample);
        for (int i = 0; i < sample.size(); i++) {
            if (enforcer.enforce((Object[]) requests[i]) != sample.get(i).allowed()) {
                throw new IllegalStateException("jCasbin disagrees with the reference on " + sample.get(i));
            }
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
    public Decision verdict(Cursor cursor) {
        return engine.check(organization, queries[cursor.advance()], Consistency.MINIMIZE_LATENCY);
    }

    @Benchmark
    public boolean jcasbin(Cursor cursor) {
        return enforcer.enforce((Object[]) requests[cursor.advance()]);
    }
}
