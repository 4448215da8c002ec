package dev.verdict.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.shaded.io.netty.channel.SelectStrategy;
import io.grpc.netty.shaded.io.netty.util.IntSupplier;
import org.junit.jupiter.api.Test;

class SpinThenSleepTest {
    private static final IntSupplier NOTHING_READY = () -> 0;
    private static final IntSupplier TWO_READY = () -> 2;

    private long now;
    private final SpinThenSleep strategy = new SpinThenSleep(1_000, () -> now);

    @Test
    void pollsAwakeUntilTheWindowSinceTheLastWorkHasPassedThenSleeps() throws Exception {
        assertThat(strategy.calculateStrategy(TWO_READY, false)).as("events: handle them").isEqualTo(2);
        now = 10;
        assertThat(strategy.calculateStrategy(NOTHING_READY, false)).as("idle from 10: poll again").isZero();
        now = 1_009;
        assertThat(strategy.calculateStrategy(NOTHING_READY, false)).isZero();
        now = 1_010;
        assertThat(strategy.calculateStrategy(NOTHING_READY, false)).as("1 µs idle: sleep")
                .isEqualTo(SelectStrategy.SELECT);
    }

    @Test
    void workOrTasksOpenANewWindowAndSoDoesWaking() throws Exception {
        strategy.calculateStrategy(NOTHING_READY, false); // idle from 0
        now = 900;
        assertThat(strategy.calculateStrategy(NOTHING_READY, true)).as("tasks to run: never sleep").isZero();
        now = 1_500;
        assertThat(strategy.calculateStrategy(NOTHING_READY, false)).as("idle again from 1,500").isZero();
        now = 2_500;
        assertThat(strategy.calculateStrategy(NOTHING_READY, false)).isEqualTo(SelectStrategy.SELECT);
        now = 90_000; // woken by an event, already handled
        assertThat(strategy.calculateStrategy(NOTHING_READY, false)).as("a fresh window after the sleep").isZero();
        now = 90_999;
        assertThat(strategy.calculateStrategy(NOTHING_READY, false)).isZero();
        now = 91_000;
        assertThat(strategy.calculateStrategy(NOTHING_READY, false)).isEqualTo(SelectStrategy.SELECT);
    }
}
