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
import org.junit.jupiter.api.Test;

/**
 * The engine remembers the organization asked about last, to skip a map look-up when the next call names it
 * again. That memory must never outlive the organization, nor answer for another one.
 */
class LastAskedOrganizationTest {
    private static final VariedOrganization FIRST = new VariedOrganization(20, 3, 20_261_202L);
    private static final VariedOrganization SECOND = new VariedOrganization(20, 3, 20_261_203L);

    private final Store store = new Store(TestServer.server().database().dsl());
    private final ChangeFeed feed = new ChangeFeed(new ChangeStore(store, TestServer.server().database()), 1000);
    private final DecisionEngine engine = new DecisionEngine(new DecisionStore(store), feed, 10_000,
            Duration.ofMinutes(10), Duration.ofMillis(500));

    private static AccessQuery query(VariedOrganization org) {
        return new AccessQuery(Principal.user(org.users.getFirst()), null,
                Target.permission(VariedOrganization.ORGANIZATION_PERMISSION), null, null);
    }

    @Test
    void aDeletedOrganizationIsNoLongerAnsweredFromMemoryEvenIfItWasAskedAboutLast() {
        engine.check(FIRST.id, query(FIRST), Consistency.MINIMIZE_LATENCY);
        assertThat(engine.checkCached(FIRST.id, query(FIRST), Consistency.MINIMIZE_LATENCY)).isNotNull();

        engine.onOrganizationDeleted(FIRST.id);

        assertThat(engine.checkCached(FIRST.id, query(FIRST), Consistency.MINIMIZE_LATENCY)).isNull();
        assertThat(engine.cachedSession(FIRST.id, Consistency.MINIMIZE_LATENCY)).isNull();
    }

    @Test
    void callsAlternatingBetweenOrganizationsAnswerEachForItself() {
        Decision first = engine.check(FIRST.id, query(FIRST), Consistency.MINIMIZE_LATENCY);
        Decision second = engine.check(SECOND.id, query(SECOND), Consistency.MINIMIZE_LATENCY);
        for (int i = 0; i < 3; i++) {
            assertThat(engine.checkCached(FIRST.id, query(FIRST), Consistency.MINIMIZE_LATENCY).outcome())
                    .isEqualTo(first.outcome());
            assertThat(engine.checkCached(SECOND.id, query(SECOND), Consistency.MINIMIZE_LATENCY).outcome())
                    .isEqualTo(second.outcome());
            // One organization's user named in the other is not found there, whichever was asked last.
            assertThat(engine.checkCached(SECOND.id, query(FIRST), Consistency.MINIMIZE_LATENCY)).isNull();
            assertThat(engine.check(SECOND.id, query(FIRST), Consistency.MINIMIZE_LATENCY).outcome())
                    .isEqualTo(Outcome.PRINCIPAL_NOT_FOUND);
        }
    }
}
