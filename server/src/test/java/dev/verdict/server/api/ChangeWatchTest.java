package dev.verdict.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.domain.Change;
import dev.verdict.v1.WatchChangesResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@link ChangeWatch} against a call whose readiness the test controls (no server): what it holds for a
 * client that does not read, and that a client reading slowly still gets everything in order.
 */
class ChangeWatchTest {
    private static final UUID ORG = UUID.randomUUID();
    private static final int CAP = 100;

    @Test
    void aLiveWatcherThatNeverReadsIsClosedWithResourceExhaustedHoldingAtMostTheCap() {
        Call call = new Call();
        call.ready = false;
        AtomicBoolean unsubscribed = new AtomicBoolean();
        ChangeWatch watch = new ChangeWatch(ORG, 0, call, (org, after, limit) -> List.of(), CAP);
        watch.onClose(() -> unsubscribed.set(true));
        watch.readBacklog(); // nothing committed: live at once
        int mostQueued = 0;
        for (long revision = 1; revision <= 100_000; revision++) {
            watch.onChange(change(revision));
            mostQueued = Math.max(mostQueued, watch.queued());
        }
        assertThat(mostQueued).isEqualTo(CAP);
        assertThat(watch.queued()).as("dropped once closed").isZero();
        assertThat(call.sent).isEmpty();
        assertThat(call.error.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(call.error.getDescription()).contains("fell behind").contains("after_revision");
        assertThat(unsubscribed).as("removed from the feed").isTrue();
    }

    @Test
    void aSlowReaderOfALongBacklogIsPacedNotClosedAndGetsEveryChangeInOrder() {
        List<Change> log = new ArrayList<>();
        Call call = new Call();
        ChangeWatch watch = new ChangeWatch(ORG, 0, call, (org, after, limit) -> log.stream()
                .filter(c -> c.revision() > after).limit(limit).toList(), CAP);
        for (long revision = 1; revision <= 5_000; revision++) {
            log.add(change(revision));
        }
        call.readyFor = 7; // the transport takes 7 messages, then the client must read
        watch.readBacklog();
        int mostQueued = 0;
        long next = 5_001;
        for (int round = 0; round < 100_000 && call.sent.size() < 6_000 && call.error == null; round++) {
            mostQueued = Math.max(mostQueued, watch.queued());
            if (next <= 6_000) {
                // Meanwhile more is committed and delivered by the feed.
                log.add(change(next));
                watch.onChange(change(next++));
            }
            call.readyFor = 7;
            watch.onReady();
        }
        assertThat(call.error).isNull();
        assertThat(call.sent).extracting(r -> r.getChange().getRevision())
                .containsExactlyElementsOf(log.stream().map(Change::revision).toList());
        assertThat(mostQueued).isLessThanOrEqualTo(CAP);
    }

    private static Change change(long revision) {
        return new Change(ORG, revision, "app", "app-" + revision, "updated", List.of(), Instant.EPOCH);
    }

    /** A server call whose readiness the test sets; it records what is sent. */
    private static final class Call extends ServerCallStreamObserver<WatchChangesResponse> {
        final List<WatchChangesResponse> sent = new ArrayList<>();
        boolean ready = true;
        /** When at least 0: ready for this many more messages. */
        int readyFor = -1;
        Status error;

        @Override
        public boolean isReady() {
            return readyFor >= 0 ? readyFor > 0 : ready;
        }

        @Override
        public void onNext(WatchChangesResponse value) {
            assertThat(isReady()).as("sent only when ready").isTrue();
            sent.add(value);
            if (readyFor > 0) {
                readyFor--;
            }
        }

        @Override
        public void onError(Throwable t) {
            error = Status.fromThrowable(t);
        }

        @Override
        public void onCompleted() {}

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public void setOnCancelHandler(Runnable onCancelHandler) {}

        @Override
        public void setOnReadyHandler(Runnable onReadyHandler) {}

        @Override
        public void setCompression(String compression) {}

        @Override
        public void disableAutoInboundFlowControl() {}

        @Override
        public void request(int count) {}

        @Override
        public void setMessageCompression(boolean enable) {}
    }
}
