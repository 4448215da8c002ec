package dev.verdict.server.changes;

import dev.verdict.server.domain.Change;
import dev.verdict.server.domain.DomainException;
import dev.verdict.server.store.ChangeNotifications;
import dev.verdict.server.store.ChangeStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the change log of every organization this replica has seen, applying each organization's changes
 * strictly in revision order with no gaps and handing each to the listeners (cache invalidation, watch
 * streams). It is woken by Postgres NOTIFY on a dedicated LISTEN connection, and polls the organizations'
 * revisions every {@code pollMillis} as a fallback for missed notifications and database outages (the
 * LISTEN connection is reopened with backoff). An organization first seen starts at its current revision:
 * everything before is already in the database that caches load from.
 *
 * <p>An organization's changes are applied under its own lock, by the feed's thread or by a request thread
 * that needs a revision now ({@link #awaitRevision}); either way one at a time, in order.
 */
public final class ChangeFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
    private static final int BATCH = 500;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    /** Receives every applied change, in order per organization; must be quick and must not throw. */
    public interface Listener {
        void onChange(Change change);

        /** The organization no longer exists. */
        default void onOrganizationDeleted(UUID organizationId) {}
    }

    private final ChangeStore changes;
    private final int pollMillis;
    private final boolean listen;
    private final Map<UUID, Follower> followed = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean running;
    private Thread thread;

    public ChangeFeed(ChangeStore changes, int pollMillis) {
        this(changes, pollMillis, true);
    }

    /** A feed that follows by polling alone when {@code listen} is false (no LISTEN connection is opened). */
    public ChangeFeed(ChangeStore changes, int pollMillis, boolean listen) {
        if (pollMillis < 10) {
            throw new IllegalArgumentException("pollMillis must be at least 10, was " + pollMillis);
        }
        this.changes = changes;
        this.pollMillis = pollMillis;
        this.listen = listen;
    }

    /** One organization being followed and the last revision applied. */
    private static final class Follower {
        final UUID organizationId;
        final ReentrantLock lock = new ReentrantLock();
        volatile long applied;

        Follower(UUID organizationId, long applied) {
            this.organizationId = organizationId;
            this.applied = applied;
        }
    }

    /** Starts following on a daemon thread. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "verdict-change-feed");
        thread.setDaemon(true);
        thread.start();
    }

    /** Adds a listener; the returned handle removes it. */
    public Runnable subscribe(Listener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Follows {@code org} (from its current revision when first seen) and returns the revision applied; NOT_FOUND. */
    public long follow(UUID org) {
        return follower(org).applied;
    }

    /**
     * A live view of the last revision of {@code org} applied here, for readers on the hot path; follows the
     * organization first (NOT_FOUND for a missing one).
     */
    public LongSupplier appliedRevisionOf(UUID org) {
        Follower follower = follower(org);
        return () -> follower.applied;
    }

    /** The last revision of {@code org} applied here, or -1 when it is not followed. */
    public long appliedRevision(UUID org) {
        Follower follower = followed.get(org);
        return follower == null ? -1 : follower.applied;
    }

    /**
     * Waits until the changes of {@code org} up to {@code revision} have been applied, at most
     * {@code timeout}; true when they have. Catches up on the calling thread rather than waiting for a
     * notification, so a revision already committed is applied at once.
     */
    public boolean awaitRevision(UUID org, long revision, Duration timeout) {
        Follower follower = follower(org);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (follower.applied < revision) {
            catchUp(follower);
            if (follower.applied >= revision) {
                break;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Applies every committed change of {@code org} now, on the calling thread; returns the revision applied. */
    public long catchUp(UUID org) {
        Follower follower = follower(org);
        catchUp(follower);
        return follower.applied;
    }

    private Follower follower(UUID org) {
        Follower follower = followed.get(org);
        if (follower != null) {
            return follower;
        }
        // Read outside the map: a NOT_FOUND leaves nothing behind.
        long current = changes.list(org, Long.MAX_VALUE, 1).latestRevision();
        return followed.computeIfAbsent(org, o -> new Follower(o, current));
    }

    private void catchUp(Follower follower) {
        follower.lock.lock();
        try {
            while (true) {
                List<Change> batch;
                try {
                    batch = changes.after(follower.organizationId, follower.applied, BATCH);
                } catch (DomainException.NotFound e) {
                    forget(follower.organizationId);
                    return;
                }
                for (Change change : batch) {
                    if (change.revision() != follower.applied + 1) {
                        // Revisions are gapless by construction (a row lock per organization); never skip one.
                        log.warn("Change log of {} jumps from {} to {}; retrying later",
                                follower.organizationId, follower.applied, change.revision());
                        return;
                    }
                    deliver(change);
                    follower.applied = change.revision();
                }
                if (batch.size() < BATCH) {
                    return;
                }
            }
        } finally {
            follower.lock.unlock();
        }
    }

    private void deliver(Change change) {
        for (Listener listener : listeners) {
            try {
                listener.onChange(change);
            } catch (RuntimeException e) {
                log.error("A change listener failed on {}:{}", change.organizationId(), change.revision(), e);
            }
        }
    }

    private void forget(UUID org) {
        if (followed.remove(org) != null) {
            log.info("Organization {} is gone; no longer following it", org);
            for (Listener listener : listeners) {
                try {
                    listener.onOrganizationDeleted(org);
                } catch (RuntimeException e) {
                    log.error("A change listener failed on the deletion of {}", org, e);
                }
            }
        }
    }

    private void run() {
        ChangeNotifications notifications = null;
        long backoff = 100;
        long nextPoll = 0;
        while (running) {
            try {
                if (notifications == null && listen) {
                    notifications = changes.listen();
                    backoff = 100;
                    nextPoll = 0; // a reconnect may have missed notifications: poll at once
                }
                long now = System.currentTimeMillis();
                if (now >= nextPoll) {
                    poll();
                    nextPoll = System.currentTimeMillis() + pollMillis;
                }
                int wait = (int) Math.max(1, Math.min(pollMillis, nextPoll - System.currentTimeMillis()));
                if (notifications == null) {
                    sleep(wait);
                    continue;
                }
                for (String payload : notifications.await(wait)) {
                    onNotification(payload);
                }
            } catch (RuntimeException e) {
                if (!running) {
                    break;
                }
                log.warn("Following changes failed ({}); retrying in {} ms", e.getMessage(), backoff);
                if (notifications != null) {
                    notifications.close();
                    notifications = null;
                }
                sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
        if (notifications != null) {
            notifications.close();
        }
    }

    private void onNotification(String payload) {
        int colon = payload.indexOf(':');
        if (colon < 0) {
            return;
        }
        UUID org;
        long revision;
        try {
            org = UUID.fromString(payload.substring(0, colon));
            revision = Long.parseLong(payload.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            log.warn("Ignoring a malformed change notification");
            return;
        }
        Follower follower = followed.get(org);
        if (follower != null && follower.applied < revision) {
            catchUp(follower);
        }
    }

    /** Finds followed organizations that are behind (or gone) and catches them up. */
    private void poll() {
        if (followed.isEmpty()) {
            return;
        }
        Map<UUID, Long> revisions = changes.revisions(List.copyOf(followed.keySet()));
        for (Follower follower : List.copyOf(followed.values())) {
            Long revision = revisions.get(follower.organizationId);
            if (revision == null) {
                forget(follower.organizationId);
            } else if (revision > follower.applied) {
                catchUp(follower);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops following; waits briefly for the thread to finish its current wait. */
    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(pollMillis + 2_000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }
}
