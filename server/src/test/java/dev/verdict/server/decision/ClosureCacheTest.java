package dev.verdict.server.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.TestServer;
import dev.verdict.server.changes.ChangeFeed;
import dev.verdict.server.decision.AccessQuery.Target;
import dev.verdict.server.domain.Principal;
import dev.verdict.server.store.ChangeStore;
import dev.verdict.server.store.DecisionStore;
import dev.verdict.server.store.Store;
import dev.verdict.server.store.VariedOrganization;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The closure cache's eviction policy still learns which principals are hot although the hit path tells it of
 * only a sample of the hits ({@code DecisionEngine#cached}). In a full cache churned by more principals than it
 * holds, each loaded again on every pass, a principal asked about all the time stays cached. Were no hit told,
 * the policy would know the hot principal by its one load, the others by several, and evict it pass after pass.
 */
class ClosureCacheTest {
    private static final int CACHE_SIZE = 40;
    private static final int CHURNING = 100;
    private static final int PASSES = 5;
    private static final int HOT_HITS_PER_LOAD = 400;
    private static final VariedOrganization ORG = new VariedOrganization(CHURNING + 1, 6, 20_261_202L);

    private final Store store = new Store(TestServer.server().database().dsl());
    private final DecisionStore decisions = new DecisionStore(store);
    private final ChangeFeed feed = new ChangeFeed(new ChangeStore(store, TestServer.server().database()), 1000);

    @Test
    void aPrincipalAskedAboutAllTheTimeStaysCachedWhileOthersChurn() {
        DecisionEngine engine = new DecisionEngine(decisions, feed, CACHE_SIZE, Duration.ofMinutes(10),
                Duration.ofMillis(500));
        List<UUID> users = ORG.users;
        AccessQuery hot = query(users.getFirst());
        engine.check(ORG.id, hot, Consistency.MINIMIZE_LATENCY);
        long loadsBefore = engine.closureStats().loadSuccessCount();
        int hotLoads = 0;
        for (int pass = 0; pass < PASSES; pass++) {
            for (UUID other : users.subList(1, users.size())) {
                engine.check(ORG.id, query(other), Consistency.MINIMIZE_LATENCY);
                engine.maintainCache();
                for (int i = 0; i < HOT_HITS_PER_LOAD; i++) {
                    if (engine.checkCached(ORG.id, hot, Consistency.MINIMIZE_LATENCY) == null) {
                        hotLoads++;
                        engine.check(ORG.id, hot, Consistency.MINIMIZE_LATENCY);
                    }
                }
            }
        }
        engine.maintainCache();

        long loads = engine.closureStats().loadSuccessCount() - loadsBefore;
        assertThat(loads - hotLoads).as("the others were loaded again on every pass (all but the cache's room)")
                .isGreaterThanOrEqualTo((long) PASSES * (CHURNING - CACHE_SIZE));
        assertThat(engine.cachedClosures()).isLessThanOrEqualTo(CACHE_SIZE);
        assertThat(hotLoads).as("times the hot principal was evicted and loaded again").isLessThanOrEqualTo(1);
        assertThat(engine.decidesFromMemory(ORG.id, Principal.user(users.getFirst()))).as("the hot principal is cached")
                .isTrue();
        assertThat(engine.closureStats().hitCount()).as("every hit counted, told to the policy or not")
                .isGreaterThanOrEqualTo((long) PASSES * CHURNING * HOT_HITS_PER_LOAD - hotLoads);
    }

    private static AccessQuery query(UUID user) {
        return new AccessQuery(Principal.user(user), null, Target.permission(VariedOrganization.ORGANIZATION_PERMISSION),
                null, null);
    }
}
