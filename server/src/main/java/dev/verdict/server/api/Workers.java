package dev.verdict.server.api;

import dev.verdict.server.domain.DomainException;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * The server's bounded worker pool, for a call that started on a network thread (a decision answered from
 * memory) and turned out to need the database after all. The work runs in the call's {@link Context}
 * (caller, deadline); its failure is mapped by {@link StatusMapper} like any handler's.
 */
final class Workers {
    private final Executor executor;

    Workers(Executor executor) {
        this.executor = executor;
    }

    /** Replies to {@code response} with what {@code work} returns, computed on a worker. */
    <T> void reply(StreamObserver<T> response, Supplier<T> work) {
        Context context = Context.current();
        try {
            executor.execute(context.wrap(() -> {
                if (context.isCancelled()) {
                    return; // the deadline passed, or the client left, while it queued
                }
                T value;
                try {
                    value = work.get();
                } catch (RuntimeException e) {
                    response.onError(StatusMapper.toStatusException(e));
                    return;
                }
                Rpc.reply(response, value);
            }));
        } catch (RejectedExecutionException e) {
            throw new DomainException.Unavailable("the server is at capacity; retry with backoff");
        }
    }
}
