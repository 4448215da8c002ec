package dev.verdict.server;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * Chooses the thread a call runs on. The server's own executor is direct, so a call starts on the network
 * thread that read it; this moves every call to the bounded worker pool except CheckAccess and
 * BatchCheckAccess of a caller known without the database. Those stay on the network thread: a hop to the
 * pool would cost more than the decision itself, and AccessApi hands the call to the workers when a miss
 * needs the database after all. Until the services are up, every call goes to the workers.
 */
final class CallThreads implements ServerCallExecutorSupplier {
    private static final Set<String> CHECKS = Set.of(
            "verdict.v1.AccessService/CheckAccess", "verdict.v1.AccessService/BatchCheckAccess");

    private final Executor workers;
    private volatile Predicate<Metadata> callerInMemory = headers -> false;

    CallThreads(Executor workers) {
        this.workers = workers;
    }

    /** From now on, checks whose headers pass {@code callerInMemory} stay on the network thread. */
    void checksOnNetworkThreadsWhen(Predicate<Metadata> callerInMemory) {
        this.callerInMemory = callerInMemory;
    }

    /** Null keeps the call on the network thread (the server's direct executor). */
    @Override
    public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
        return CHECKS.contains(call.getMethodDescriptor().getFullMethodName()) && callerInMemory.test(headers)
                ? null : workers;
    }
}
