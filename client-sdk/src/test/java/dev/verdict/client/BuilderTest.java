package dev.verdict.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link VerdictClient.Builder} checks its settings and fails fast with the reason. */
class BuilderTest {
    @TempDir
    Path dir;

    @Test
    void needsATargetOrAChannel() {
        assertThatThrownBy(() -> VerdictClient.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("target(host:port) or channel");
    }

    @Test
    void refusesBothATargetAndAChannel() {
        ManagedChannel channel = InProcessChannelBuilder.forName("nowhere").build();
        try {
            assertThatThrownBy(() -> VerdictClient.builder().target("localhost:1").channel(channel).build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("not both");
            assertThatThrownBy(() -> VerdictClient.builder().channel(channel).plaintext().build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("provided channel");
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void refusesMalformedTargets() {
        for (String target : new String[] {"localhost", "localhost:", ":8181", "host:http", "host:0", "host:70000"}) {
            assertThatThrownBy(() -> VerdictClient.builder().target(target))
                    .as(target).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host:port");
        }
        VerdictClient.builder().target("[::1]:8181").plaintext().build().close();
    }

    @Test
    void refusesCertificatesWithPlaintextAndUnreadableOrInvalidFiles() throws Exception {
        Path garbage = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        assertThatThrownBy(() -> VerdictClient.builder().target("h:1").trustedCertificates(garbage).plaintext().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("plaintext() cannot be combined");
        assertThatThrownBy(() -> VerdictClient.builder().trustedCertificates(dir.resolve("missing.pem")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a readable file");
        assertThatThrownBy(() -> VerdictClient.builder().clientCertificate(garbage, dir.resolve("key.pem")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clientKey");
        assertThatThrownBy(() -> VerdictClient.builder().target("h:1").trustedCertificates(garbage).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TLS certificates");
    }

    @Test
    void refusesBadValues() {
        VerdictClient.Builder builder = VerdictClient.builder();
        assertThatThrownBy(() -> builder.apiKey(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.apiKey("a b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.defaultDeadline(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.retries(0, Duration.ofMillis(10), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.retries(6, Duration.ofMillis(10), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.retries(3, Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.organization("acme"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UUID");
        assertThatThrownBy(() -> builder.defaultConsistency(dev.verdict.v1.Consistency.getDefaultInstance()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void neverShowsTheApiKey() {
        VerdictClient.Builder builder = VerdictClient.builder().target("localhost:8181").plaintext().apiKey("s3cr3t-key");
        assertThat(builder.toString()).doesNotContain("s3cr3t-key").contains("apiKey=set");
        try (VerdictClient client = builder.build()) {
            assertThat(client.toString()).doesNotContain("s3cr3t-key").contains("localhost:8181", "plaintext");
        }
    }

    @Test
    void questionsNeedAnOrganization() {
        try (VerdictClient client = VerdictClient.builder().target("localhost:8181").plaintext().build()) {
            assertThatThrownBy(() -> client.check(Principal.user("u")).can("app.view").in("qa", "sales"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("bound to no organization");
        }
    }

    @Test
    void retryPolicyCoversReadsAndChecksOnly() {
        String config = RetryPolicy.serviceConfig(4, Duration.ofMillis(100), Duration.ofSeconds(2)).toString();
        assertThat(config).contains("service=verdict.v1.AccessService", "method=GetUser", "method=ListRoles",
                "method=SearchUsers", "UNAVAILABLE", "initialBackoff=0.1s", "maxAttempts=4.0");
        assertThat(config).doesNotContain("InviteUser", "CreateOrganization", "GrantRole", "WatchChanges");
    }
}
