package dev.verdict.bench.load;

import dev.verdict.v1.BatchCheckAccessResponse;
import dev.verdict.v1.CheckAccessResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Sends one h2load body (a gRPC-framed message) to a method with a real gRPC client and prints the status and
 * the answer. h2load counts an HTTP 200 as a success even when the gRPC status is an error, so bench/run calls
 * this first for every body: a body is benchmarked only once it is proven to get status OK and the expected
 * answer.
 *
 * <pre>{@code
 * java -cp "bench/target/verdict-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
 *     dev.verdict.bench.load.FramedCall --target 127.0.0.1:8181 --method verdict.v1.AccessService/CheckAccess \
 *     --body DIR/check-allow.grpc --header "authorization: Bearer $KEY" --expect verdict:ALLOWED
 * }</pre>
 */
@Command(name = "framed-call", mixinStandardHelpOptions = true,
        description = "Sends a gRPC-framed body once and checks that the status is OK and the answer is the expected one.")
public final class FramedCall implements Callable<Integer> {

    @Option(names = "--target", required = true, description = "host:port")
    String target;

    @Option(names = "--method", required = true, description = "Full method name, e.g. grpc.health.v1.Health/Check")
    String method;

    @Option(names = "--body", required = true, description = "File holding one gRPC-framed message (flag byte, length, bytes).")
    Path body;

    @Option(names = "--header", description = "A request header, 'name: value'; repeatable.")
    List<String> headers = List.of();

    @Option(names = "--expect", description = "health:SERVING, verdict:ALLOWED, verdict:DENIED, verdict-batch:N "
            + "(N items, each decided), or bytes (any answer; use with --response-out).")
    String expect = "bytes";

    @Option(names = "--response-out", description = "Writes the answer's message bytes (unframed) here.")
    Path responseOut;

    @Option(names = "--wait-seconds", defaultValue = "0",
            description = "Retries every 20 ms until the expected answer comes or this time is up (default: ${DEFAULT-VALUE}).")
    double waitSeconds;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FramedCall()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        byte[] request = unframe(Files.readAllBytes(body));
        Metadata metadata = new Metadata();
        for (String header : headers) {
            int colon = header.indexOf(':');
            metadata.put(Metadata.Key.of(header.substring(0, colon).trim(), Metadata.ASCII_STRING_MARSHALLER),
                    header.substring(colon + 1).trim());
        }
        MethodDescriptor<byte[], byte[]> descriptor = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(method)
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
        ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
        Channel withHeaders = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(metadata));
        long started = System.nanoTime();
        long deadline = started + (long) (waitSeconds * 1e9);
        try {
            while (true) {
                int result = callOnce(withHeaders, descriptor, request, System.nanoTime() < deadline);
                if (result == 0 || System.nanoTime() >= deadline) {
                    if (waitSeconds > 0) {
                        System.out.printf(result == 0 ? "%s: answered as expected after %d ms%n"
                                : "%s: no expected answer within %d ms%n", method, (System.nanoTime() - started) / 1_000_000);
                    }
                    return result;
                }
                Thread.sleep(20);
            }
        } finally {
            channel.shutdownNow();
        }
    }

    /** 0 when the call gets status OK and the expected answer; quiet while the caller will retry. */
    private int callOnce(Channel channel, MethodDescriptor<byte[], byte[]> descriptor, byte[] request, boolean quiet)
            throws IOException {
        try {
            byte[] response = ClientCalls.blockingUnaryCall(channel, descriptor,
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
            if (responseOut != null) {
                Files.write(responseOut, response);
            }
            return check(response, quiet);
        } catch (StatusRuntimeException e) {
            if (!quiet) {
                System.out.println(method + ": grpc-status " + e.getStatus().getCode().value() + " " + e.getStatus().getCode()
                        + ": " + e.getStatus().getDescription());
            }
            return 1;
        }
    }

    private int check(byte[] response, boolean quiet) throws IOException {
        String answer;
        boolean ok;
        String[] want = expect.split(":", 2);
        switch (want[0]) {
            case "health" -> {
                HealthCheckResponse health = HealthCheckResponse.parseFrom(response);
                answer = health.getStatus().name();
                ok = answer.equals(want[1]);
            }
            case "verdict" -> {
                CheckAccessResponse check = CheckAccessResponse.parseFrom(response);
                answer = check.getDecision().name() + " " + check.getReason().name();
                ok = check.getDecision().name().equals("DECISION_" + want[1]);
            }
            case "verdict-batch" -> {
                BatchCheckAccessResponse batch = BatchCheckAccessResponse.parseFrom(response);
                long decided = batch.getResultsList().stream().filter(r -> r.hasResponse()).count();
                answer = batch.getResultsCount() + " results, " + decided + " decided";
                ok = decided == Integer.parseInt(want[1]) && batch.getResultsCount() == decided;
            }
            case "bytes" -> {
                answer = response.length + " bytes";
                ok = true;
            }
            default -> throw new IllegalArgumentException("unknown --expect " + expect);
        }
        if (ok || !quiet) {
            System.out.println(method + ": grpc-status 0 (OK), answer " + answer + (ok ? "" : ", expected " + expect));
        }
        return ok ? 0 : 1;
    }

    /** The message inside one gRPC frame: 0x00 (not compressed), 4-byte big-endian length, the bytes. */
    static byte[] unframe(byte[] framed) {
        ByteBuffer buffer = ByteBuffer.wrap(framed);
        if (framed.length < 5 || buffer.get() != 0 || buffer.getInt() != framed.length - 5) {
            throw new IllegalArgumentException("not one uncompressed gRPC frame (" + framed.length + " bytes)");
        }
        byte[] message = new byte[framed.length - 5];
        buffer.get(message);
        return message;
    }

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
}
