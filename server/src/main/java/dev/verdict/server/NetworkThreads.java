package dev.verdict.server;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.DefaultSelectStrategyFactory;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.SelectStrategy;
import io.grpc.netty.shaded.io.netty.channel.SelectStrategyFactory;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;

/**
 * The server's Netty event loops when {@link ServerConfig.Network} asks for other than gRPC's own: a count of
 * them, busy polling, or a bounded spin before sleeping ({@link SpinThenSleep}). gRPC does not shut down groups
 * it was given, so {@link #close} does.
 */
public final class NetworkThreads implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;

    private NetworkThreads(EventLoopGroup boss, EventLoopGroup workers) {
        this.boss = boss;
        this.workers = workers;
    }

    /** Applies {@code network} to {@code builder}; the result must be closed after the server. */
    static NetworkThreads apply(ServerConfig.Network network, NettyServerBuilder builder) {
        if (network.equals(ServerConfig.Network.DEFAULTS)) {
            return new NetworkThreads(null, null);
        }
        if (network.busyPoll() && !Epoll.isAvailable()) { // (NIO has no busy wait; a bounded spin works on both)
            throw new IllegalArgumentException("busy polling needs Linux's native epoll, which is not available here: "
                    + Epoll.unavailabilityCause());
        }
        // Not the defaults: a count was given, or spinning (one thread unless told more).
        int threads = network.eventLoopThreads() > 0 ? network.eventLoopThreads() : 1;
        SelectStrategyFactory strategy = network.busyPoll() ? busyWaiting()
                : network.spinMicros() > 0 ? SpinThenSleep.factory(network.spinMicros())
                : DefaultSelectStrategyFactory.INSTANCE;
        EventLoopGroup boss;
        EventLoopGroup workers;
        if (Epoll.isAvailable()) {
            boss = new EpollEventLoopGroup(1, new DefaultThreadFactory("verdict-accept", true));
            workers = new EpollEventLoopGroup(threads, new DefaultThreadFactory("verdict-network", true), strategy);
            builder.channelType(EpollServerSocketChannel.class);
        } else {
            boss = new NioEventLoopGroup(1, new DefaultThreadFactory("verdict-accept", true));
            workers = new NioEventLoopGroup(threads, new DefaultThreadFactory("verdict-network", true),
                    SelectorProvider.provider(), strategy);
            builder.channelType(NioServerSocketChannel.class);
        }
        builder.bossEventLoopGroup(boss).workerEventLoopGroup(workers);
        return new NetworkThreads(boss, workers);
    }

    /** Epoll loops that, with nothing to run, poll epoll without sleeping (Netty's BUSY_WAIT). */
    public static SelectStrategyFactory busyWaiting() {
        return () -> (selectNow, hasTasks) -> hasTasks ? selectNow.get() : SelectStrategy.BUSY_WAIT;
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
