package dev.verdict.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Gives every unary call that has no deadline the client's default one, so no call can hang forever. Streaming
 * calls (WatchChanges) are meant to stay open and get none.
 */
final class DefaultDeadline implements ClientInterceptor {
    private final long nanos;

    DefaultDeadline(Duration deadline) {
        this.nanos = deadline.toNanos();
    }

    @Override
    public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
        if (options.getDeadline() == null && method.getType() == MethodDescriptor.MethodType.UNARY) {
            options = options.withDeadlineAfter(nanos, TimeUnit.NANOSECONDS);
        }
        return next.newCall(method, options);
    }
}
