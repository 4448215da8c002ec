package dev.verdict.server.api;

import io.grpc.stub.StreamObserver;

/** Replies of unary calls. Failures are not handled here: handlers throw and {@link ErrorTranslator} maps. */
final class Rpc {
    private Rpc() {}

    static <T> void reply(StreamObserver<T> observer, T value) {
        observer.onNext(value);
        observer.onCompleted();
    }
}
