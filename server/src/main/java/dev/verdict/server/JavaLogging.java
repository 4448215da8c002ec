package dev.verdict.server;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * grpc-java and the Postgres driver log through {@code java.util.logging}, which by default prints to stderr
 * in a format of its own, stack traces included. The server process routes those records to SLF4J, so that
 * Logback's configuration (levels, format, appenders) covers them like every other log line.
 */
final class JavaLogging {
    private JavaLogging() {}

    /** Replaces java.util.logging's console output with SLF4J; idempotent. */
    static void routeToSlf4j() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }
}
