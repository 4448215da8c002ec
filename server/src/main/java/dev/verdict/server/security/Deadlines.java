package dev.verdict.server.security;

import io.grpc.Context;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Never starts the work of a call whose deadline has passed (or that the client cancelled) while it waited for
 * a worker thread: the client already has DEADLINE_EXCEEDED or CANCELLED, so running a write then would change
 * data behind its back. gRPC itself cancels the call's {@link Context} at the deadline but may still deliver
 * the request to the handler. A write that has started before its deadline passes runs to its commit or
 * rollback; it is one transaction either way.
 */
public final class Deadlines implements ServerInterceptor {

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (Context.current().isCancelled()) {
            return new ServerCall.Listener<>() {};
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            @Override
            public void onMessage(Q message) {
                if (!Context.current().isCancelled()) {
                    super.onMessage(message);
                }
            }

            @Override
            public void onHalfClose() {
                if (!Context.current().isCancelled()) {
                    super.onHalfClose();
                }
            }
        };
    }
}
