package dev.verdict.server;

import io.grpc.netty.shaded.io.netty.channel.SelectStrategy;
import io.grpc.netty.shaded.io.netty.channel.SelectStrategyFactory;
import io.grpc.netty.shaded.io.netty.util.IntSupplier;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A network thread's choice each time round its event loop (Netty's {@link SelectStrategy}) between busy
 * polling and sleeping: with nothing to do it polls again, without sleeping, until {@code spinNanos} have passed
 * since it last had work, then sleeps in {@code epoll_wait} until the next event. A request that follows the
 * last answer within that time finds the thread running, as with busy polling (a sleeping thread's wake-up costs
 * tens to hundreds of microseconds on a virtual machine), while an idle server still sleeps. Netty asks the
 * factory once per event loop, so each instance belongs to one thread.
 */
final class SpinThenSleep implements SelectStrategy {
    private final long spinNanos;
    private final LongSupplier clock;
    /** When the loop last found nothing to do after having work or waking, or -1 while it has work. */
    private long idleSince = -1;

    SpinThenSleep(long spinNanos, LongSupplier clock) {
        this.spinNanos = spinNanos;
        this.clock = clock;
    }

    /** Loops that spin for {@code spinMicros} after their last work before they sleep. */
    static SelectStrategyFactory factory(int spinMicros) {
        long spinNanos = TimeUnit.MICROSECONDS.toNanos(spinMicros);
        return () -> new SpinThenSleep(spinNanos, System::nanoTime);
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        int ready = selectNow.get();
        if (ready > 0 || hasTasks) {
            idleSince = -1;
            return ready; // handle what is ready, run the tasks
        }
        long now = clock.getAsLong();
        if (idleSince < 0) {
            idleSince = now;
        }
        if (now - idleSince < spinNanos) {
            return ready; // nothing ready: round the loop again, awake
        }
        idleSince = -1; // whatever ends the sleep opens a new window
        return SELECT;
    }
}
