package dev.verdict.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Keeps grpc-java's "Stream Error" warnings out of the log unless its handler's logger is at DEBUG. grpc-java
 * logs one, stack trace included, for every stream a client resets or breaks while the server answers it: a
 * client closing its connection with calls in flight writes one per call (thousands a second under load, on
 * the network thread). The stream is over and the client has its status; nothing is left for an operator to
 * do. grpc-java's other warnings from that logger still pass. Configured in logback.xml.
 */
public final class StreamErrorFilter extends TurboFilter {
    static final String HANDLER_LOGGER = "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (format != null && format.equals("Stream Error") && logger.getName().equals(HANDLER_LOGGER)
                && !logger.isDebugEnabled()) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }
}
