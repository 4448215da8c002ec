package dev.verdict.server;

import dev.verdict.server.decision.DecisionEngine;
import dev.verdict.server.decision.DecisionEngine.WarmUp;
import dev.verdict.server.domain.DomainException;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the closure cache ({@code --warm-closures}): every organization once, in the background, at start
 * and when the engine first follows one. One thread, so that a warm-up takes one core and one database
 * connection at most from serving; a failure is logged, never thrown.
 */
final class ClosureWarmer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClosureWarmer.class);

    private final DecisionEngine engine;
    private final ThreadPoolExecutor thread;
    /** Organizations warmed or waiting to be: each once. */
    private final Set<UUID> seen = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ClosureWarmer(DecisionEngine engine) {
        this.engine = engine;
        this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(10_000), r -> {
            Thread t = new Thread(r, "verdict-warm-up");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Warms each organization the engine follows from now on, and, first, every one of {@code organizations}
     * (read on the warm-up thread), stopping that pass when the cache is full.
     */
    void start(Supplier<List<UUID>> organizations) {
        engine.whenFollowing(this::warmLater);
        submit(() -> {
            long started = System.nanoTime();
            List<UUID> all = organizations.get();
            long cached = 0;
            int warmed = 0;
            for (UUID org : all) {
                if (closed || Thread.currentThread().isInterrupted()) {
                    return;
                }
                if (!seen.add(org)) {
                    continue;
                }
                WarmUp warmUp = warm(org, false);
                warmed++;
                if (warmUp != null) {
                    cached += warmUp.cached();
                    if (warmUp.cacheFull()) {
                        log.info("Closure cache full after warming {} organizations; the others load on use", warmed);
                        break;
                    }
                }
            }
            log.info("Warmed {} closures of {} organizations at start in {} ms", cached, warmed,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        });
    }

    /** Warms {@code org} in the background unless it was already; quick, for the engine's request threads. */
    void warmLater(UUID org) {
        if (seen.add(org)) {
            submit(() -> warm(org, true));
        }
    }

    private void submit(Runnable work) {
        try {
            thread.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    if (!closed) {
                        log.warn("Warming the closure cache failed: {}", e.toString());
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            if (!closed) {
                log.warn("Too many organizations waiting to be warmed; this one loads on use");
            }
        }
    }

    /** Warms one organization; null when it failed (logged). */
    private WarmUp warm(UUID org, boolean logEach) {
        try {
            WarmUp warmUp = engine.warm(org);
            if (logEach || warmUp.cached() >= 10_000) {
                log.info("Warmed {} closures of organization {} in {} ms ({}/s){}", warmUp.cached(), org,
                        warmUp.took().toMillis(), warmUp.perSecond(), warmUp.cacheFull() ? "; the cache is full" : "");
            } else {
                log.debug("Warmed {} closures of organization {} in {} ms", warmUp.cached(), org,
                        warmUp.took().toMillis());
            }
            return warmUp;
        } catch (DomainException.NotFound e) {
            return null; // deleted meanwhile
        } catch (RuntimeException e) {
            if (!closed) {
                log.warn("Warming the closures of organization {} failed: {}", org, e.toString());
            }
            return null;
        }
    }

    /** Stops warming: the current warm-up ends at its next page. */
    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
