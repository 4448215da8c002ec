package dev.verdict.bench.ceiling;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A bare grpc-java server that serves only the standard health service, on the network threads (direct
 * executor): the most a grpc-java server can answer on this machine, the ceiling Verdict is compared with.
 *
 * <p>Run (bench/run does it, pinned to core 0):
 * <pre>{@code
 * taskset -c 0 java -cp "bench/target/verdict-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
 *     dev.verdict.bench.ceiling.BareHealthServer --port 9090
 * h2load -n 200000 -c 4 -m 32 -t 1 -H 'content-type: application/grpc' -H 'te: trailers' \
 *     -d bench/peers/health-check.grpc http://127.0.0.1:9090/grpc.health.v1.Health/Check
 * }</pre>
 */
@Command(name = "bare-health-server", mixinStandardHelpOptions = true,
        description = "A grpc-java server with only the health service and a direct executor: the ceiling.")
public final class BareHealthServer implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "9090", description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BareHealthServer()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        HealthStatusManager health = new HealthStatusManager();
        // Direct executor: the handler runs on the Netty event loop, no thread hop; health never blocks.
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .directExecutor()
                .addService(health.getHealthService())
                .build()
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "bare-health-shutdown"));
        System.out.println("bare health server listening on " + host + ":" + server.getPort());
        server.awaitTermination();
        return 0;
    }
}
