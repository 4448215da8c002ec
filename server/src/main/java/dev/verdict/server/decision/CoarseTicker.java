package dev.verdict.server.decision;

import com.github.benmanes.caffeine.cache.Ticker;

/**
 * The closure cache's clock: {@link System#nanoTime()} as of at most {@link #RESOLUTION_MILLIS} ago. Caffeine
 * reads its ticker on every look-up of a cache with an expiry, and {@code nanoTime} was a sixth of a cached
 * decision's time (JMH with async-profiler); an expiry of minutes needs no nanosecond clock. One daemon thread
 * for the whole JVM moves it forward.
 */
final class CoarseTicker implements Ticker {
    static final long RESOLUTION_MILLIS = 20;
    static final CoarseTicker INSTANCE = new CoarseTicker();

    private volatile long now = System.nanoTime();

    private CoarseTicker() {
        Thread clock = new Thread(this::advance, "verdict-coarse-clock");
        clock.setDaemon(true);
        clock.start();
    }

    private void advance() {
        while (true) {
            try {
                Thread.sleep(RESOLUTION_MILLIS);
            } catch (InterruptedException e) {
                // Nobody interrupts this thread on purpose; keep the clock going.
            }
            now = System.nanoTime();
        }
    }

    @Override
    public long read() {
        return now;
    }
}
