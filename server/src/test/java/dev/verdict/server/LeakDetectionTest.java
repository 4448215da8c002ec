package dev.verdict.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Netty's leak detection is off in a started server, unless the operator set its level. */
class LeakDetectionTest {
    private static final String LEVEL = "io.grpc.netty.shaded.io.netty.leakDetection.level";

    @Test
    void aStartedServerTurnsLeakDetectionOff() {
        ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE); // Netty's default
        try (VerdictServer server = SecureTestServer.start(UnaryOperator.identity())) {
            assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.DISABLED);
        } finally {
            ResourceLeakDetector.setLevel(before);
        }
    }

    @Test
    void aLevelTheOperatorSetIsLeftAlone() {
        ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
        String property = System.getProperty(LEVEL);
        // What Netty would have read from -D...=paranoid, had the property been set when the JVM started.
        System.setProperty(LEVEL, "paranoid");
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        try (VerdictServer server = SecureTestServer.start(UnaryOperator.identity())) {
            assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
        } finally {
            if (property == null) {
                System.clearProperty(LEVEL);
            } else {
                System.setProperty(LEVEL, property);
            }
            ResourceLeakDetector.setLevel(before);
        }
    }
}
