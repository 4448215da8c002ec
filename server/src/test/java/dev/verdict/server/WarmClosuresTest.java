package dev.verdict.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.decision.DecisionEngine;
import dev.verdict.server.domain.Principal;
import dev.verdict.server.store.Database;
import dev.verdict.server.store.DatabaseConfig;
import dev.verdict.server.store.VariedOrganization;
import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.Target;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --warm-closures} end to end: the option reaches the configuration, and a server started with it
 * warms, in the background, the organizations that exist at start and each one it follows later, so that
 * their checks are answered from memory.
 */
class WarmClosuresTest {
    @Test
    void theOptionTurnsWarmUpsOn() throws Exception {
        Path data = Files.createTempDirectory("verdict-warm-option");
        Main on = new Main();
        new CommandLine(on).parseArgs("--warm-closures", "--data-dir", data.toString());
        assertThat(on.config().decisions().warmClosures()).isTrue();
        Main off = new Main();
        new CommandLine(off).parseArgs("--data-dir", data.toString());
        assertThat(off.config().decisions().warmClosures()).isFalse();
        assertThat(ServerConfig.Decisions.DEFAULTS.warmClosures()).isFalse();
        assertThat(new CommandLine(new Main()).getUsageMessage()).contains("--warm-closures");
    }

    @Test
    void aWarmingServerDecidesFromMemoryInOrganizationsSeenAtStartAndFollowedLater() throws Exception {
        VariedOrganization before = new VariedOrganization(300, 8, 11L);
        Database database = TestServer.server().database();
        DatabaseConfig external = new DatabaseConfig(database.jdbcUrl(), database.user(), database.password(), null,
                false, 4);
        ServerConfig.Decisions decisions = new ServerConfig.Decisions(200_000, Duration.ofMinutes(10),
                Duration.ofMillis(500), 1000, 100).withWarmClosures(true);
        ServerConfig config = new ServerConfig("127.0.0.1", 0, external, 4, 4 * 1024 * 1024, decisions, false, null,
                null);
        try (VerdictServer server = VerdictServer.start(config)) {
            DecisionEngine engine = server.engine();
            awaitEveryUserInMemory(engine, before);

            VariedOrganization later = new VariedOrganization(300, 8, 12L);
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            try {
                var access = AccessServiceGrpc.newBlockingStub(channel);
                // The first check makes the server follow the organization, which starts its warm-up.
                check(access, later, later.users.getFirst(), Consistency.getDefaultInstance());
                awaitEveryUserInMemory(engine, later);

                long misses = engine.closureStats().missCount();
                for (UUID user : later.users) {
                    var cached = check(access, later, user, Consistency.getDefaultInstance());
                    var fresh = check(access, later, user, Consistency.newBuilder().setFullyConsistent(true).build());
                    assertThat(cached.getDecision()).as("user %s", user).isEqualTo(fresh.getDecision());
                    assertThat(cached.getReason()).isEqualTo(fresh.getReason());
                }
                assertThat(engine.closureStats().missCount()).as("every cached check hit").isEqualTo(misses);
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private static dev.verdict.v1.CheckAccessResponse check(AccessServiceGrpc.AccessServiceBlockingStub access,
            VariedOrganization org, UUID user, Consistency consistency) {
        return access.checkAccess(CheckAccessRequest.newBuilder().setOrganizationId(org.id.toString())
                .setQuery(AccessQuery.newBuilder()
                        .setPrincipal(dev.verdict.v1.Principal.newBuilder().setUserId(user.toString()))
                        .setTarget(Target.newBuilder().setPermissionKey(VariedOrganization.APP_PERMISSION))
                        .setStage("production").setAppKey("sales"))
                .setConsistency(consistency)
                .build());
    }

    /** Waits (up to a minute: the start pass warms every organization of the shared database) for the warm-up. */
    private static void awaitEveryUserInMemory(DecisionEngine engine, VariedOrganization org) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!org.users.stream().allMatch(user -> engine.decidesFromMemory(org.id, Principal.user(user)))) {
            assertThat(System.nanoTime()).as("every user of %s warmed within a minute", org.id).isLessThan(deadline);
            Thread.sleep(50);
        }
        for (UUID client : org.apiClients) {
            assertThat(engine.decidesFromMemory(org.id, Principal.apiClient(client))).isTrue();
        }
    }
}
