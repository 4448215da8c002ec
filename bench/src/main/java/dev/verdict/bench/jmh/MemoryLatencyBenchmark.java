package dev.verdict.bench.jmh;

import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long does this machine take, right now, to fetch a cache line that the load before it pointed to? A
 * cached decision follows a chain of such loads (map node, cache node, closure, its bitsets), and on this VM
 * their latency drifts with the hour (other tenants share the L3), so the in-process figures mean little without
 * it: run this beside them. One load per cache line of a {@code mib}-MiB array, in one random cycle through
 * every line, so that no prefetcher can guess the next; the 1 and 4 MiB rows are about the L2 and what the L3
 * gives us, 64 MiB is memory (and, without huge pages, a TLB miss too: compare
 * {@code -jvmArgsAppend -Xmx3g}, which replaces this class's list and so drops
 * {@code -XX:+UseTransparentHugePages}).
 *
 * <pre>
 * mvn -q -pl bench -am -DskipTests package exec:exec@jmh -Djmh.args="MemoryLatencyBenchmark"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-XX:+UseTransparentHugePages"})
public class MemoryLatencyBenchmark {
    /** Ints in a 64-byte cache line: one load per line. */
    private static final int LINE = 16;

    @Param({"1", "4", "16", "64"})
    int mib;

    /** At each line's first int, the index of the next line's: one cycle through every line, in random order. */
    int[] next;
    int at;

    @Setup(Level.Trial)
    public void setUp() {
        int lines = mib * 1024 * 1024 / 4 / LINE;
        int[] order = new int[lines];
        for (int i = 0; i < lines; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(1);
        for (int i = lines - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        next = new int[lines * LINE];
        for (int i = 0; i < lines; i++) {
            next[order[i] * LINE] = order[(i + 1) % lines] * LINE;
        }
    }

    /** One dependent load: the next index is known only once this one has arrived. */
    @Benchmark
    public int dependentLoad() {
        return at = next[at];
    }
}
