package dev.verdict.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.URL;
import java.util.List;
import java.util.logging.Handler;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** The server's logging: java.util.logging routed to Logback, and grpc-java's per-stream noise kept out. */
class LoggingTest {

    @Test
    void javaUtilLoggingReachesLogback() {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        Handler[] before = root.getHandlers();
        ListAppender<ILoggingEvent> seen = listen((Logger) LoggerFactory.getLogger("dev.verdict.test.jul"));
        try {
            JavaLogging.routeToSlf4j();
            JavaLogging.routeToSlf4j(); // twice: still one bridge, so each record is logged once
            java.util.logging.Logger.getLogger("dev.verdict.test.jul").warning("from java.util.logging");

            assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("from java.util.logging");
            assertThat(seen.list.getFirst().getLevel()).isEqualTo(Level.WARN);
            assertThat(root.getHandlers()).singleElement().isInstanceOf(SLF4JBridgeHandler.class);
        } finally {
            SLF4JBridgeHandler.uninstall();
            for (Handler handler : before) {
                root.addHandler(handler);
            }
        }
    }

    @Test
    void theServersConfigurationDropsStreamErrorsOnlyAndOnlyBelowDebug() throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        URL production = LoggingTest.class.getResource("/logback.xml");
        assertThat(production).as("the server's logback.xml on the class path").isNotNull();
        configurator.doConfigure(production);
        try {
            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            assertThat(root.detachAppender("STDOUT")).as("the console appender, kept out of the test's output").isTrue();
            ListAppender<ILoggingEvent> seen = listen(root);
            Logger handler = context.getLogger(StreamErrorFilter.HANDLER_LOGGER);

            handler.warn("Stream Error", new IllegalStateException("Stream closed before write could take place"));
            handler.warn("Exception in onDataRead()", new IllegalStateException("a fault in the server"));
            context.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport").warn("Stream Error");
            assertThat(messages(seen)).containsExactly("Exception in onDataRead()", "Stream Error");
            assertThat(seen.list.get(1).getLoggerName()).endsWith("NettyServerTransport");

            handler.setLevel(Level.DEBUG);
            handler.warn("Stream Error", new IllegalStateException("Stream closed before write could take place"));
            assertThat(messages(seen)).containsExactly("Exception in onDataRead()", "Stream Error", "Stream Error");
            assertThat(seen.list.get(2).getLoggerName()).isEqualTo(StreamErrorFilter.HANDLER_LOGGER);
        } finally {
            context.stop();
        }
    }

    private static ListAppender<ILoggingEvent> listen(Logger logger) {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
        return appender;
    }

    private static List<String> messages(ListAppender<ILoggingEvent> appender) {
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
