package dev.verdict.bench;

import dev.verdict.bench.data.Dataset;
import dev.verdict.bench.data.DatasetGenerator;
import dev.verdict.bench.data.Query;
import dev.verdict.bench.data.QueryMix;
import dev.verdict.bench.data.Reference;
import dev.verdict.bench.data.Size;
import dev.verdict.bench.load.DirectoryLoader;
import dev.verdict.bench.load.Requests;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.BatchCheckAccessItem;
import dev.verdict.v1.BatchCheckAccessRequest;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.CheckAccessResponse;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.Decision;
import com.google.protobuf.MessageLite;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Loads a generated dataset into a running Verdict and writes what the load scripts and peers read, into
 * {@code --out}: {@code org.json}, {@code queries.bin} (length-delimited CheckAccessRequest), {@code expected.bin}
 * (one byte a query, 1 allowed), {@code check-allow.grpc} / {@code check-deny.grpc} / {@code batch-100.grpc}
 * (gRPC-framed bodies for h2load's {@code -d}) and {@code cerbos-input.json}. Before writing it checks a sample
 * of the queries against the server and fails (exit code 2) on any disagreement.
 *
 * <pre>
 * mvn -q -pl bench -am -DskipTests package exec:exec@prepare \
 *     -Dbench.args="--size S --seed 1 --target localhost:8181 --bootstrap-key-file verdict-data/bootstrap.key --out bench/target/S"
 * </pre>
 */
@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = "Loads a benchmark dataset into a running Verdict and writes the query files.")
public final class Prepare implements Callable<Integer> {
    private static final int MAX_CERBOS_QUERIES = 10_000;

    @Option(names = "--size", required = true, description = "S, M or L.")
    Size size;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the dataset and the mix (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--target", defaultValue = "localhost:8181", description = "Verdict's host:port (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--bootstrap-key-file", required = true, description = "File holding the operator's bootstrap key.")
    Path bootstrapKeyFile;

    @Option(names = "--out", required = true, description = "Folder to write the files into (created).")
    Path out;

    @Option(names = "--queries", defaultValue = "100000", description = "Queries in the mix (default: ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--cold-share", defaultValue = "0.05",
            description = "Share of queries about distinct cold users, cache misses (default: ${DEFAULT-VALUE}).")
    double coldShare;

    @Option(names = "--verify", defaultValue = "2000", description = "Queries checked against the server (default: ${DEFAULT-VALUE}).")
    int verify;

    @Option(names = "--import-parallelism", defaultValue = "2",
            description = "ImportDirectory calls in flight (default: ${DEFAULT-VALUE}).")
    int importParallelism;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Prepare()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        String bootstrapKey = Files.readString(bootstrapKeyFile).strip();
        long started = System.nanoTime();
        Dataset dataset = DatasetGenerator.generate(size, seed);
        Reference reference = new Reference(dataset);
        System.err.printf("dataset %s seed %d generated in %.1f s%n", size, seed, (System.nanoTime() - started) / 1e9);
        ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext()
                .maxInboundMessageSize(64 * 1024 * 1024).build();
        try {
            DirectoryLoader.Loaded loaded = new DirectoryLoader(channel, bootstrapKey, importParallelism, 600)
                    .load(dataset, "bench-" + size + "-" + seed + "-" + UUID.randomUUID().toString().substring(0, 8));
            List<Query> mix = new QueryMix(reference).generate(queries, coldShare, seed);
            List<String> mismatches = verify(channel, loaded, mix);
            if (!mismatches.isEmpty()) {
                System.err.println("Verdict disagrees with the expected decisions on " + mismatches.size() + " of "
                        + Math.min(verify, mix.size()) + " sampled queries; first ones:");
                mismatches.stream().limit(20).forEach(System.err::println);
                return 2;
            }
            write(dataset, reference, loaded, mix);
            System.err.printf("wrote %s: %d queries (%.1f%% allowed), load %.1f s%n", out, mix.size(),
                    100.0 * mix.stream().filter(Query::allowed).count() / mix.size(), loaded.loadSeconds());
            return 0;
        } finally {
            channel.shutdownNow();
        }
    }

    /** Asks Verdict a spread sample of the mix, at least as fresh as the load; returns the disagreements. */
    private List<String> verify(ManagedChannel channel, DirectoryLoader.Loaded loaded, List<Query> mix) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + loaded.apiKey());
        var access = AccessServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        Consistency fresh = Consistency.newBuilder().setAtLeastAsFresh(Long.toString(loaded.revision())).build();
        List<String> mismatches = new ArrayList<>();
        int sample = Math.min(verify, mix.size());
        for (int i = 0; i < sample; i++) {
            int at = (int) ((long) i * mix.size() / sample);
            Query query = mix.get(at);
            CheckAccessRequest request = Requests.checkAccess(loaded.organizationId(), query, loaded.userIds()).toBuilder()
                    .setConsistency(fresh).build();
            CheckAccessResponse response = access.withDeadlineAfter(30, TimeUnit.SECONDS).checkAccess(request);
            boolean allowed = response.getDecision() == Decision.DECISION_ALLOWED;
            if (allowed != query.allowed()) {
                mismatches.add("query " + at + " " + query + ": expected " + (query.allowed() ? "ALLOWED" : "DENIED")
                        + ", Verdict said " + response.getDecision() + " " + response.getReason());
            }
        }
        return mismatches;
    }

    private void write(Dataset dataset, Reference reference, DirectoryLoader.Loaded loaded, List<Query> mix)
            throws IOException {
        Files.createDirectories(out);
        String org = loaded.organizationId();
        UUID[] ids = loaded.userIds();
        Files.writeString(out.resolve("org.json"), "{\"organizationId\": " + Json.string(org)
                + ", \"apiKey\": " + Json.string(loaded.apiKey())
                + ", \"size\": " + Json.string(size.name())
                + ", \"seed\": " + seed
                + ", \"loadSeconds\": " + String.format("%.1f", loaded.loadSeconds())
                + ", \"users\": " + dataset.users().size()
                + ", \"apps\": " + dataset.apps().size()
                + ", \"groups\": " + dataset.groups().size() + "}\n");
        try (OutputStream queriesOut = new BufferedOutputStream(Files.newOutputStream(out.resolve("queries.bin")));
                OutputStream expectedOut = new BufferedOutputStream(Files.newOutputStream(out.resolve("expected.bin")))) {
            for (Query query : mix) {
                Requests.checkAccess(org, query, ids).writeDelimitedTo(queriesOut);
                expectedOut.write(query.allowed() ? 1 : 0);
            }
        }
        // A hot user's allow and an active user's deny: the first of each in the mix (hot users dominate it).
        Query allow = mix.stream().filter(q -> q.allowed() && !q.cold()).findFirst().orElseThrow();
        Query deny = mix.stream()
                .filter(q -> !q.allowed() && !q.cold()
                        && dataset.users().get(q.user()).status() == Dataset.Status.ACTIVE)
                .findFirst().orElseThrow();
        Files.write(out.resolve("check-allow.grpc"), framed(Requests.checkAccess(org, allow, ids)));
        Files.write(out.resolve("check-deny.grpc"), framed(Requests.checkAccess(org, deny, ids)));
        BatchCheckAccessRequest.Builder batch = BatchCheckAccessRequest.newBuilder().setOrganizationId(org);
        for (int i = 0; i < Math.min(100, mix.size()); i++) {
            batch.addItems(BatchCheckAccessItem.newBuilder().setCorrelationId(Integer.toString(i))
                    .setQuery(Requests.accessQuery(mix.get(i), ids)));
        }
        Files.write(out.resolve("batch-100.grpc"), framed(batch.build()));
        writeCerbosInput(dataset, reference, ids, mix);
    }

    /** The roles with their permissions per stage (implications expanded), and the APP-level questions. */
    private void writeCerbosInput(Dataset dataset, Reference reference, UUID[] ids, List<Query> mix) throws IOException {
        try (Writer json = Files.newBufferedWriter(out.resolve("cerbos-input.json"), StandardCharsets.UTF_8)) {
            json.write("{\"stages\": " + Json.strings(dataset.stages()) + ",\n\"apps\": " + Json.strings(dataset.apps())
                    + ",\n\"roles\": [");
            boolean first = true;
            for (Dataset.Role role : dataset.allRoles()) {
                json.write((first ? "\n" : ",\n") + "{\"key\": " + Json.string(role.key()) + ", \"permissionsByStage\": {");
                boolean firstStage = true;
                for (Map.Entry<String, Set<String>> stage : reference.permissionsByStage(role.key()).entrySet()) {
                    json.write((firstStage ? "" : ", ") + Json.string(stage.getKey()) + ": " + Json.strings(stage.getValue()));
                    firstStage = false;
                }
                json.write("}}");
                first = false;
            }
            json.write("],\n\"queries\": [");
            int written = 0;
            for (Query query : mix) {
                if (query.kind() != Query.Kind.APP_PERMISSION || written == MAX_CERBOS_QUERIES) {
                    continue;
                }
                Dataset.User user = dataset.users().get(query.user());
                json.write((written == 0 ? "\n" : ",\n") + "{\"principal\": " + Json.string(ids[query.user()].toString())
                        + ", \"roles\": " + Json.strings(reference.coveringRoles(user, query.stage(), query.app()))
                        + ", \"app\": " + Json.string(query.app()) + ", \"stage\": " + Json.string(query.stage())
                        + ", \"action\": " + Json.string(query.target()) + ", \"allowed\": " + query.allowed() + "}");
                written++;
            }
            json.write("\n]}\n");
        }
    }

    /** A gRPC message frame: not compressed (0), 4-byte big-endian length, the message. */
    static byte[] framed(MessageLite message) {
        byte[] body = message.toByteArray();
        return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(body.length).put(body).array();
    }
}
