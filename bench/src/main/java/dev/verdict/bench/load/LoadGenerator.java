package dev.verdict.bench.load;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.verdict.server.NetworkThreads;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.BatchCheckAccessItem;
import dev.verdict.v1.BatchCheckAccessRequest;
import dev.verdict.v1.BatchCheckAccessResponse;
import dev.verdict.v1.BatchCheckAccessResult;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.CheckAccessResponse;
import dev.verdict.v1.Decision;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.BufferedInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Drives a running Verdict with the queries {@code Prepare} wrote, through grpc-java async stubs with a bounded
 * number of requests in flight, and reports throughput and latency percentiles (HdrHistogram). Every answer is
 * compared with {@code expected.bin}: a run with a mismatch or an error exits 1.
 *
 * <p>Modes: {@code check} (CheckAccess, cycling through queries.bin), {@code batch} (BatchCheckAccess of
 * {@code --batch-size} consecutive queries) and {@code latency} (CheckAccess, one request in flight, one
 * channel). Run (bench/run does it, pinned to core 1):
 * <pre>{@code
 * taskset -c 1 java -cp "bench/target/verdict-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
 *     dev.verdict.bench.load.LoadGenerator --target 127.0.0.1:8181 --data DIR --mode check \
 *     --warmup-seconds 10 --seconds 20 --json-out result.json
 * }</pre>
 */
@Command(name = "load-generator", mixinStandardHelpOptions = true,
        description = "CheckAccess / BatchCheckAccess load with bounded in-flight requests; checks every answer.")
public final class LoadGenerator implements Callable<Integer> {

    enum Mode { check, batch, latency }

    @Option(names = "--target", defaultValue = "127.0.0.1:8181", description = "Verdict's host:port (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--data", required = true, description = "Prepare's output folder (org.json, queries.bin, expected.bin).")
    Path data;

    @Option(names = "--mode", defaultValue = "check", description = "check, batch or latency (default: ${DEFAULT-VALUE}).")
    Mode mode;

    @Option(names = "--channels", defaultValue = "4", description = "Connections (default: ${DEFAULT-VALUE}; latency mode uses 1).")
    int channels;

    @Option(names = "--in-flight", defaultValue = "128", description = "Most requests in flight (default: ${DEFAULT-VALUE}; latency mode uses 1).")
    int inFlight;

    @Option(names = "--batch-size", defaultValue = "100", description = "Checks per BatchCheckAccess (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--warmup-seconds", defaultValue = "10", description = "Warm-up, not measured (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--seconds", defaultValue = "20", description = "Measured window (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--prewarm", description = "First asks every query once (BatchCheckAccess, not measured), so the "
            + "measured window runs on cached closures; without it the first pass of the mix includes the misses.")
    boolean prewarm;

    @Option(names = "--busy-poll", description = "The client's network thread spins instead of sleeping between "
            + "answers (as Verdict's --busy-poll): takes the client's own wake-up out of one-in-flight latency.")
    boolean busyPoll;

    @Option(names = "--label", description = "Name of this run in the JSON result (default: the mode).")
    String label;

    @Option(names = "--json-out", description = "Appends the one-line JSON result to this file.")
    Path jsonOut;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadGenerator()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Dataset dataset = Dataset.read(data);
        if (mode == Mode.latency) {
            channels = 1;
            inFlight = 1;
        }
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + dataset.apiKey());
        List<ManagedChannel> opened = new ArrayList<>();
        List<AccessServiceGrpc.AccessServiceStub> stubs = new ArrayList<>();
        EventLoopGroup busyLoop = busyPoll ? new EpollEventLoopGroup(1, new DefaultThreadFactory("load-busy", true),
                NetworkThreads.busyWaiting()) : null;
        for (int i = 0; i < channels; i++) {
            // Callbacks run on the Netty event loop (direct executor): they only record and release a permit.
            NettyChannelBuilder builder = NettyChannelBuilder.forTarget(target).usePlaintext().directExecutor();
            if (busyLoop != null) {
                builder.eventLoopGroup(busyLoop).channelType(EpollSocketChannel.class);
            }
            ManagedChannel channel = builder.build();
            opened.add(channel);
            stubs.add(AccessServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)));
        }
        try {
            if (prewarm) {
                prewarm(dataset, stubs.get(0));
            }
            Run run = new Run(dataset, stubs);
            if (prewarm) {
                // The prewarm asked about every principal: none is a first time for the measured window.
                for (int i = 0; i < dataset.count(); i++) {
                    run.principalsSeen.add(dataset.principal(i));
                }
            }
            long start = System.nanoTime();
            run.drive(start, start + TimeUnit.SECONDS.toNanos(warmupSeconds),
                    start + TimeUnit.SECONDS.toNanos(warmupSeconds + seconds));
            return report(run);
        } finally {
            opened.forEach(ManagedChannel::shutdownNow);
            if (busyLoop != null) {
                busyLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        }
    }

    /** Every query once, in batches of 100 with a few in flight; answers are checked like the measured ones. */
    private static void prewarm(Dataset dataset, AccessServiceGrpc.AccessServiceStub stub) throws InterruptedException {
        long started = System.nanoTime();
        Semaphore inFlight = new Semaphore(8);
        LongAdder mismatches = new LongAdder();
        LongAdder errors = new LongAdder();
        for (int from = 0; from < dataset.count(); from += 100) {
            int first = from;
            int to = Math.min(dataset.count(), from + 100);
            BatchCheckAccessRequest.Builder batch = BatchCheckAccessRequest.newBuilder()
                    .setOrganizationId(dataset.query(0).getOrganizationId());
            for (int i = first; i < to; i++) {
                batch.addItems(BatchCheckAccessItem.newBuilder().setQuery(dataset.query(i).getQuery()));
            }
            inFlight.acquire();
            stub.batchCheckAccess(batch.build(), new StreamObserver<>() {
                @Override
                public void onNext(BatchCheckAccessResponse response) {
                    for (int i = 0; i < response.getResultsCount(); i++) {
                        BatchCheckAccessResult r = response.getResults(i);
                        if ((r.hasResponse() && r.getResponse().getDecision() == Decision.DECISION_ALLOWED)
                                != dataset.allowed(first + i)) {
                            mismatches.increment();
                        }
                    }
                }

                @Override
                public void onError(Throwable t) {
                    errors.increment();
                    inFlight.release();
                }

                @Override
                public void onCompleted() {
                    inFlight.release();
                }
            });
        }
        inFlight.acquire(8);
        System.out.printf("prewarm: %,d queries asked once in %.1f s (%d mismatches, %d errors)%n", dataset.count(),
                (System.nanoTime() - started) / 1e9, mismatches.sum(), errors.sum());
        if (mismatches.sum() > 0 || errors.sum() > 0) {
            throw new IllegalStateException("prewarm: answers disagree with expected.bin or failed");
        }
    }

    private int report(Run run) throws Exception {
        Histogram h = run.latencies;
        long requests = h.getTotalCount();
        long checks = mode == Mode.batch ? requests * batchSize : requests;
        double perSecond = checks / (double) seconds;
        String unit = mode == Mode.batch ? "decisions/s" : "checks/s";
        String name = label != null ? label : mode.name();
        System.out.printf("%s: %,.0f %s (%,d requests in %d s, %d channels, %d in flight%s)%n", name, perSecond, unit,
                requests, seconds, channels, inFlight, mode == Mode.batch ? ", batches of " + batchSize : "");
        System.out.printf("  latency per request: p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, max %.1f µs%n",
                micros(h, 50), micros(h, 99), micros(h, 99.9), h.getMaxValue() / 1000.0);
        System.out.printf("  answers checked against expected.bin: %,d mismatches, %,d errors%s%n",
                run.mismatches.sum(), run.errors.sum(), run.errorCodes.isEmpty() ? "" : " " + run.errorCodes);
        System.out.printf("  principals asked about for the first time by this run: %.2f%% of measured checks%n",
                100.0 * run.firstTimeMeasured.sum() / Math.max(1, run.measuredIssued.sum()));

        JsonObject json = new JsonObject();
        json.addProperty("label", name);
        json.addProperty("mode", mode.name());
        json.addProperty("target", target);
        json.addProperty("size", run.dataset.size());
        json.addProperty("channels", channels);
        json.addProperty("inFlight", inFlight);
        json.addProperty("busyPoll", busyPoll);
        json.addProperty("batchSize", mode == Mode.batch ? batchSize : 1);
        json.addProperty("prewarm", prewarm);
        json.addProperty("warmupSeconds", warmupSeconds);
        json.addProperty("seconds", seconds);
        json.addProperty("requests", requests);
        json.addProperty("checks", checks);
        json.addProperty("checksPerSecond", Math.round(perSecond));
        json.addProperty("p50Micros", micros(h, 50));
        json.addProperty("p99Micros", micros(h, 99));
        json.addProperty("p999Micros", micros(h, 99.9));
        json.addProperty("maxMicros", h.getMaxValue() / 1000.0);
        json.addProperty("mismatches", run.mismatches.sum());
        json.addProperty("errors", run.errors.sum());
        json.addProperty("firstTimePrincipalShare", run.firstTimeMeasured.sum() / (double) Math.max(1, run.measuredIssued.sum()));
        System.out.println(json);
        if (jsonOut != null) {
            Files.writeString(jsonOut, json + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        return run.mismatches.sum() == 0 && run.errors.sum() == 0 && requests > 0 ? 0 : 1;
    }

    private static double micros(Histogram h, double percentile) {
        return Math.round(h.getValueAtPercentile(percentile) / 100.0) / 10.0;
    }

    /** One warm-up plus measured window: requests are issued and answers recorded on the event loops. */
    private final class Run {
        final Dataset dataset;
        final List<AccessServiceGrpc.AccessServiceStub> stubs;
        final List<BatchCheckAccessRequest> batches;
        final CountDownLatch slotsDone = new CountDownLatch(inFlight);
        final AtomicLong issued = new AtomicLong();
        // Nanoseconds, up to one minute with three significant digits.
        final Histogram latencies = new ConcurrentHistogram(TimeUnit.MINUTES.toNanos(1), 3);
        final LongAdder mismatches = new LongAdder();
        final LongAdder errors = new LongAdder();
        final Map<Status.Code, Long> errorCodes = new ConcurrentHashMap<>();
        // The server's cache may already hold a principal this run has not asked about, so this is an upper
        // bound on misses; a repeat of a principal asked about before is a cache hit unless it was evicted.
        final Set<String> principalsSeen = ConcurrentHashMap.newKeySet();
        final LongAdder firstTimeMeasured = new LongAdder();
        final LongAdder measuredIssued = new LongAdder();
        final AtomicLong firstError = new AtomicLong();
        volatile long measureFrom;
        volatile long measureUntil;

        Run(Dataset dataset, List<AccessServiceGrpc.AccessServiceStub> stubs) {
            this.dataset = dataset;
            this.stubs = stubs;
            this.batches = mode == Mode.batch ? dataset.batches(batchSize) : List.of();
        }

        void drive(long start, long measureFrom, long measureUntil) throws InterruptedException {
            this.measureFrom = measureFrom;
            this.measureUntil = measureUntil;
            // Closed loop: each of the in-flight slots issues its next request from the callback of the last
            // one, on the event loop, so no thread hands work to another on the client's single core.
            for (int i = 0; i < inFlight; i++) {
                issue();
            }
            long left = measureUntil - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(left);
            }
            // Let the last requests finish before reporting (answers after the window are not counted).
            if (!slotsDone.await(30, TimeUnit.SECONDS)) {
                System.err.println("load-generator: requests still in flight 30 s after the window closed");
            }
        }

        void issue() {
            long now = System.nanoTime();
            if (now >= measureUntil) {
                slotsDone.countDown();
                return;
            }
            long n = issued.getAndIncrement();
            AccessServiceGrpc.AccessServiceStub stub = stubs.get((int) (n % stubs.size()));
            boolean measured = now >= measureFrom;
            if (mode == Mode.batch) {
                int b = (int) (n % batches.size());
                for (int i = 0; i < batchSize; i++) {
                    notePrincipal(dataset.principal((b * batchSize + i) % dataset.count()), measured);
                }
                stub.batchCheckAccess(batches.get(b), new BatchAnswer(b, now));
            } else {
                int q = (int) (n % dataset.count());
                notePrincipal(dataset.principal(q), measured);
                stub.checkAccess(dataset.query(q), new CheckAnswer(q, now));
            }
        }

        private void notePrincipal(String principal, boolean measured) {
            boolean first = principalsSeen.add(principal);
            if (measured) {
                measuredIssued.increment();
                if (first) {
                    firstTimeMeasured.increment();
                }
            }
        }

        /** Records the latency of an answer that arrived inside the measured window, then issues the next. */
        void done(long startedAt) {
            long end = System.nanoTime();
            if (end >= measureFrom && end < measureUntil) {
                latencies.recordValue(Math.min(end - startedAt, latencies.getHighestTrackableValue()));
            }
            issue();
        }

        void failed(Throwable t) {
            errors.increment();
            errorCodes.merge(Status.fromThrowable(t).getCode(), 1L, Long::sum);
            if (firstError.compareAndSet(0, 1)) {
                System.err.println("load-generator: first error: " + Status.fromThrowable(t));
            }
        }

        private final class CheckAnswer implements StreamObserver<CheckAccessResponse> {
            private final int query;
            private final long startedAt;

            CheckAnswer(int query, long startedAt) {
                this.query = query;
                this.startedAt = startedAt;
            }

            @Override
            public void onNext(CheckAccessResponse response) {
                if ((response.getDecision() == Decision.DECISION_ALLOWED) != dataset.allowed(query)) {
                    mismatches.increment();
                }
            }

            @Override
            public void onError(Throwable t) {
                failed(t);
                done(startedAt);
            }

            @Override
            public void onCompleted() {
                done(startedAt);
            }
        }

        private final class BatchAnswer implements StreamObserver<BatchCheckAccessResponse> {
            private final int batch;
            private final long startedAt;

            BatchAnswer(int batch, long startedAt) {
                this.batch = batch;
                this.startedAt = startedAt;
            }

            @Override
            public void onNext(BatchCheckAccessResponse response) {
                if (response.getResultsCount() != batchSize) {
                    mismatches.add(batchSize);
                    return;
                }
                for (int i = 0; i < batchSize; i++) {
                    BatchCheckAccessResult result = response.getResults(i);
                    boolean allowed = result.hasResponse() && result.getResponse().getDecision() == Decision.DECISION_ALLOWED;
                    if (allowed != dataset.allowed((batch * batchSize + i) % dataset.count())) {
                        mismatches.increment();
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                failed(t);
                done(startedAt);
            }

            @Override
            public void onCompleted() {
                done(startedAt);
            }
        }
    }

    /** Prepare's output: the organization's key, the queries and their expected decisions. */
    record Dataset(String size, String apiKey, List<CheckAccessRequest> queries, byte[] expected) {

        static Dataset read(Path dir) throws Exception {
            JsonObject org = JsonParser.parseString(Files.readString(dir.resolve("org.json"))).getAsJsonObject();
            List<CheckAccessRequest> queries = new ArrayList<>();
            try (var in = new BufferedInputStream(Files.newInputStream(dir.resolve("queries.bin")))) {
                CheckAccessRequest q;
                while ((q = CheckAccessRequest.parseDelimitedFrom(in)) != null) {
                    queries.add(q);
                }
            }
            byte[] expected = Files.readAllBytes(dir.resolve("expected.bin"));
            if (queries.isEmpty() || expected.length != queries.size()) {
                throw new IllegalArgumentException(dir + ": " + queries.size() + " queries but " + expected.length
                        + " expected decisions");
            }
            return new Dataset(org.has("size") ? org.get("size").getAsString() : "?", org.get("apiKey").getAsString(),
                    queries, expected);
        }

        int count() {
            return queries.size();
        }

        CheckAccessRequest query(int i) {
            return queries.get(i);
        }

        boolean allowed(int i) {
            return expected[i] == 1;
        }

        String principal(int i) {
            var p = queries.get(i).getQuery().getPrincipal();
            return p.getUserId() + p.getUserEmail() + p.getApiClientId();
        }

        /** Consecutive queries in batches of {@code size}, wrapping around at the end; results come in order. */
        List<BatchCheckAccessRequest> batches(int size) {
            int n = Math.max(1, count() / size);
            List<BatchCheckAccessRequest> batches = new ArrayList<>(n);
            for (int b = 0; b < n; b++) {
                BatchCheckAccessRequest.Builder batch = BatchCheckAccessRequest.newBuilder()
                        .setOrganizationId(queries.get(0).getOrganizationId());
                for (int i = 0; i < size; i++) {
                    batch.addItems(BatchCheckAccessItem.newBuilder().setQuery(queries.get((b * size + i) % count()).getQuery()));
                }
                batches.add(batch.build());
            }
            return batches;
        }
    }
}
