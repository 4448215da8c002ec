package dev.verdict.server.api;

import dev.verdict.server.changes.ChangeFeed;
import dev.verdict.server.domain.Change;
import dev.verdict.server.domain.DomainException;
import dev.verdict.v1.WatchChangesResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;

/**
 * One WatchChanges stream, sending only as fast as its client reads. Changes are sent while the call
 * {@code isReady()}; the rest wait in a queue of at most {@code maxQueued} changes, drained from the call's
 * on-ready handler. The backlog (changes already committed) is read from the database a batch at a time,
 * only when the queue has room, so a slow reader of a long backlog is paced, not buffered; once caught up the
 * feed's changes are queued directly. A live watcher whose queue is full has fallen behind: its stream is
 * closed with RESOURCE_EXHAUSTED, telling it to resume from the last revision it received.
 *
 * <p>Everything runs under this object's lock except the database reads; the feed's thread, the call's
 * handler and its on-ready and on-cancel handlers all come through here, one at a time.
 */
final class ChangeWatch implements ChangeFeed.Listener {
    /** Changes queued for one watcher beyond what the transport holds (about 32 KiB plus the client's window). */
    static final int MAX_QUEUED = 1_000;
    private static final int BACKLOG_BATCH = 500;

    /** The committed changes of an organization after a revision, oldest first (the change log). */
    @FunctionalInterface
    interface Backlog {
        List<Change> after(UUID organizationId, long revision, int limit);
    }

    private final UUID org;
    private final ServerCallStreamObserver<WatchChangesResponse> call;
    private final Backlog backlog;
    private final int maxQueued;
    private final ArrayDeque<Change> queue = new ArrayDeque<>();
    private Runnable unsubscribe = () -> {};
    /** The newest revision queued (or sent); the next one to queue comes after it. */
    private long lastQueued;
    /** The newest revision the feed delivered while the backlog was still being read. */
    private long newestSeen;
    /** Caught up with the database: the feed's changes are queued as they come. */
    private boolean live;
    /** A backlog read is in progress (at most one at a time). */
    private boolean reading;
    private boolean closed;

    ChangeWatch(UUID org, long afterRevision, ServerCallStreamObserver<WatchChangesResponse> call, Backlog backlog,
            int maxQueued) {
        if (maxQueued < 2) {
            throw new IllegalArgumentException("maxQueued must be at least 2, was " + maxQueued);
        }
        this.org = org;
        this.lastQueued = afterRevision;
        this.call = call;
        this.backlog = backlog;
        this.maxQueued = maxQueued;
    }

    /** What to run once the stream is over (removing this listener from the feed). */
    synchronized void onClose(Runnable unsubscribe) {
        this.unsubscribe = unsubscribe;
    }

    @Override
    public synchronized void onChange(Change change) {
        if (closed || !change.organizationId().equals(org)) {
            return;
        }
        if (!live) {
            // The backlog reader will find it in the database; only remember that it must read that far.
            newestSeen = Math.max(newestSeen, change.revision());
            return;
        }
        if (change.revision() <= lastQueued) {
            return;
        }
        if (queue.size() >= maxQueued) {
            close(StatusMapper.toStatusException(new DomainException.ResourceExhausted("the watcher fell behind: "
                    + maxQueued + " changes were waiting for it to read them; call WatchChanges again with "
                    + "after_revision set to the last revision it received")));
            return;
        }
        queue.add(change);
        lastQueued = change.revision();
        drain();
    }

    @Override
    public synchronized void onOrganizationDeleted(UUID organizationId) {
        if (organizationId.equals(org)) {
            close(StatusMapper.toStatusException(DomainException.notFound("organization", org.toString())));
        }
    }

    /** The client can take more: send what is queued, then read more of the backlog if there is room. */
    void onReady() {
        synchronized (this) {
            drain();
        }
        readBacklog();
    }

    /** The client cancelled (or its deadline passed): drop everything. */
    synchronized void onCancel() {
        closed = true;
        queue.clear();
        unsubscribe.run();
    }

    /**
     * Reads the backlog from the database, a batch at a time while the queue has room, until it is caught up
     * with the feed; then the watcher is live. Returns at once if another thread is reading it.
     */
    void readBacklog() {
        synchronized (this) {
            if (reading || !roomForBacklog()) {
                return;
            }
            reading = true;
        }
        while (true) {
            long after;
            int limit;
            synchronized (this) {
                after = lastQueued;
                limit = Math.min(BACKLOG_BATCH, maxQueued - queue.size());
            }
            List<Change> batch;
            try {
                batch = backlog.after(org, after, limit);
            } catch (RuntimeException e) {
                synchronized (this) {
                    reading = false;
                    close(StatusMapper.toStatusException(e));
                }
                return;
            }
            synchronized (this) {
                for (Change change : batch) {
                    if (change.revision() > lastQueued) {
                        queue.add(change);
                        lastQueued = change.revision();
                    }
                }
                // Caught up when the database had nothing more and the feed delivered nothing newer meanwhile;
                // the feed delivers in order, so from here on its changes follow lastQueued without a gap.
                if (batch.size() < limit && newestSeen <= lastQueued) {
                    live = true;
                }
                drain();
                if (!roomForBacklog()) {
                    reading = false;
                    return;
                }
            }
        }
    }

    /** How many changes wait for the client (for tests). */
    synchronized int queued() {
        return queue.size();
    }

    private boolean roomForBacklog() {
        return !closed && !live && maxQueued - queue.size() >= maxQueued / 2;
    }

    private void drain() {
        while (!closed && !queue.isEmpty() && call.isReady()) {
            Change change = queue.poll();
            try {
                call.onNext(WatchChangesResponse.newBuilder().setChange(ChangeApi.toProto(change)).build());
            } catch (RuntimeException e) {
                close(StatusMapper.toStatusException(new DomainException.Unavailable("the change stream failed")));
            }
        }
    }

    private void close(StatusRuntimeException status) {
        if (closed) {
            return;
        }
        closed = true;
        queue.clear();
        unsubscribe.run();
        if (!call.isCancelled()) {
            call.onError(status);
        }
    }
}
