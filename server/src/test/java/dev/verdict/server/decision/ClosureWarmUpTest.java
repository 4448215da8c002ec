package dev.verdict.server.decision;

import static dev.verdict.server.store.schema.Tables.ASSIGNMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdict.server.TestServer;
import dev.verdict.server.changes.ChangeFeed;
import dev.verdict.server.decision.AccessQuery.Target;
import dev.verdict.server.decision.DecisionEngine.WarmUp;
import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.Principal;
import dev.verdict.server.domain.PrincipalGrants.Standing;
import dev.verdict.server.store.ChangeStore;
import dev.verdict.server.store.DecisionStore;
import dev.verdict.server.store.Store;
import dev.verdict.server.store.VariedOrganization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@link DecisionEngine#warm}: after it every principal of the organization is decided from memory, exactly as
 * a fully consistent check decides; a change applied while a page is being read never leaves a stale closure;
 * a change after it reaches the decision; and it stops before the cache would evict.
 *
 * <p>Each test has an engine of its own over a change feed that is not started, so that changes are applied
 * exactly when the test catches up (as a check at {@code at_least_as_fresh} or {@code fully_consistent} would).
 */
class ClosureWarmUpTest {
    private static final int USERS = 400;
    private static final int PAGE = 64;
    private static final VariedOrganization ORG = new VariedOrganization(USERS, 12, 20_260_502L);

    private final Store store = new Store(TestServer.server().database().dsl());
    private final DecisionStore decisions = new DecisionStore(store);
    private final ChangeFeed feed = new ChangeFeed(new ChangeStore(store, TestServer.server().database()), 1000);

    private DecisionEngine engine(long cacheSize) {
        return new DecisionEngine(decisions, feed, cacheSize, Duration.ofMinutes(10), Duration.ofMillis(500));
    }

    @Test
    void afterAWarmUpEveryPrincipalIsDecidedFromMemoryAsAFullyConsistentCheckDecides() {
        DecisionEngine engine = engine(100_000);
        WarmUp warmUp = engine.warm(ORG.id, PAGE, () -> {});

        int clients = decisions.apiClientGrants(ORG.id).size();
        assertThat(warmUp.cached()).isEqualTo(USERS + clients);
        assertThat(warmUp.read()).isEqualTo(USERS + clients);
        assertThat(warmUp.cacheFull()).isFalse();
        assertThat(engine.closureStats().missCount()).as("nothing loaded one by one").isZero();
        List<UUID> users = ORG.users;
        int allowed = 0;
        for (int u = 0; u < users.size(); u++) {
            Principal user = Principal.user(users.get(u));
            assertThat(engine.decidesFromMemory(ORG.id, user)).as("user %s", user).isTrue();
            DecisionEngine.Session fresh = engine.session(ORG.id, Consistency.FULLY_CONSISTENT);
            List<AccessQuery> queries = queries(user);
            for (AccessQuery query : queries) {
                Decision cached = engine.checkCached(ORG.id, query, Consistency.MINIMIZE_LATENCY);
                assertThat(cached).as("%s from memory", query).isNotNull();
                assertThat(cached.outcome()).as("%s", query).isEqualTo(fresh.check(query));
                allowed += cached.outcome().allowed() ? 1 : 0;
            }
            assertThat(engine.check(ORG.id, queries.getFirst(), Consistency.FULLY_CONSISTENT).outcome())
                    .isEqualTo(engine.checkCached(ORG.id, queries.getFirst(), Consistency.MINIMIZE_LATENCY).outcome());
            // The users' emails are remembered too: a check by email is decided from memory.
            AccessQuery byEmail = new AccessQuery(null, "user-" + u + "@varied.EXAMPLE", queries.getFirst().target(),
                    null, null);
            assertThat(engine.checkCached(ORG.id, byEmail, Consistency.MINIMIZE_LATENCY)).as("by email").isNotNull()
                    .extracting(Decision::outcome).isEqualTo(fresh.check(byEmail));
        }
        assertThat(allowed).as("some checks allow").isPositive();
        for (UUID client : decisions.apiClientGrants(ORG.id).keySet()) {
            assertThat(engine.decidesFromMemory(ORG.id, Principal.apiClient(client))).isTrue();
        }
    }

    @Test
    void aChangeAppliedWhileAPageIsReadLeavesNoStaleClosure() {
        DecisionEngine engine = engine(100_000);
        // An active user of the first page who may not manage users yet.
        Principal user = firstPageUserWithout("users.manage");
        AccessQuery manage = new AccessQuery(user, null, Target.permission("users.manage"), null, null);
        AtomicBoolean raced = new AtomicBoolean();

        WarmUp warmUp = engine.warm(ORG.id, PAGE, () -> {
            if (raced.compareAndSet(false, true)) {
                // Between the page's read and its closures' keeping: the user becomes an administrator, and the
                // change is applied (invalidating) before the warm-up keeps what it read before the change.
                grantAdministratorAndApply(user);
            }
        });

        Decision cached = engine.checkCached(ORG.id, manage, Consistency.MINIMIZE_LATENCY);
        assertThat(cached).as("the raced page was read again and kept").isNotNull();
        assertThat(cached.outcome()).as("the closure read before the change was not kept").isEqualTo(Outcome.ALLOWED);
        int clients = decisions.apiClientGrants(ORG.id).size();
        assertThat(warmUp.read()).as("the first page read twice").isEqualTo(USERS + clients + PAGE);
        assertThat(warmUp.cached()).isEqualTo(USERS + clients);
        for (UUID id : ORG.users) {
            assertThat(engine.decidesFromMemory(ORG.id, Principal.user(id))).isTrue();
        }
        revokeAdministrator(user);
    }

    @Test
    void aChangeAfterAWarmUpReachesTheDecision() {
        DecisionEngine engine = engine(100_000);
        Principal user = firstPageUserWithout("users.manage");
        AccessQuery manage = new AccessQuery(user, null, Target.permission("users.manage"), null, null);
        engine.warm(ORG.id, PAGE, () -> {});
        assertThat(engine.checkCached(ORG.id, manage, Consistency.MINIMIZE_LATENCY).outcome()).isEqualTo(Outcome.NO_GRANT);

        grantAdministratorAndApply(user);
        assertThat(engine.decidesFromMemory(ORG.id, user)).as("the change dropped the warm closure").isFalse();
        assertThat(engine.check(ORG.id, manage, Consistency.MINIMIZE_LATENCY).outcome()).isEqualTo(Outcome.ALLOWED);
        revokeAdministrator(user);
    }

    @Test
    void aWarmUpStopsWhenTheCacheIsFull() {
        DecisionEngine engine = engine(50);
        WarmUp warmUp = engine.warm(ORG.id, PAGE, () -> {});
        assertThat(warmUp.cacheFull()).isTrue();
        assertThat(warmUp.cached()).isEqualTo(50);
        assertThat(warmUp.read()).as("read no further than there was room for").isLessThanOrEqualTo(50);
        assertThat(engine.cachedClosures()).isLessThanOrEqualTo(50);
        assertThat(engine.closureStats().evictionCount()).isZero();
    }

    @Test
    void aMissingOrganizationIsNotFound() {
        assertThatThrownBy(() -> engine(100).warm(UUID.randomUUID())).isInstanceOf(DomainException.NotFound.class);
    }

    /** Checks of every shape and kind of target for {@code user}, in every stage and app of the organization. */
    private static List<AccessQuery> queries(Principal user) {
        List<AccessQuery> queries = new ArrayList<>();
        for (String permission : List.of(VariedOrganization.ORGANIZATION_PERMISSION, "users.manage", "apps.manage")) {
            queries.add(new AccessQuery(user, null, Target.permission(permission), null, null));
        }
        for (String role : List.of("developer", "administrator", "release")) {
            queries.add(new AccessQuery(user, null, Target.role(role), null, null));
        }
        for (String stage : VariedOrganization.STAGES) {
            queries.add(new AccessQuery(user, null, Target.permission(VariedOrganization.STAGE_PERMISSION), stage, null));
            queries.add(new AccessQuery(user, null, Target.permission("deployment.promote"), stage, null));
            queries.add(new AccessQuery(user, null, Target.role("developer"), stage, null));
            for (String app : VariedOrganization.APPS) {
                queries.add(new AccessQuery(user, null, Target.permission(VariedOrganization.APP_PERMISSION), stage, app));
                queries.add(new AccessQuery(user, null, Target.permission("app.deploy"), stage, app));
                queries.add(new AccessQuery(user, null, Target.role("administrator"), stage, app));
                for (String role : VariedOrganization.END_USER_ROLES) {
                    queries.add(new AccessQuery(user, null, Target.role(role), stage, app));
                }
            }
        }
        return queries;
    }

    private Principal firstPageUserWithout(String permission) {
        for (var user : decisions.userGrantsPage(ORG.id, null, PAGE).grants().entrySet()) {
            Principal principal = Principal.user(user.getKey());
            if (user.getValue().standing() == Standing.ACTIVE && !engine(10).session(ORG.id, Consistency.FULLY_CONSISTENT)
                    .check(new AccessQuery(principal, null, Target.permission(permission), null, null)).allowed()) {
                return principal;
            }
        }
        throw new AssertionError("no active user of the first page lacks " + permission);
    }

    /** Makes {@code user} an administrator organization-wide, and waits until the feed has applied it here. */
    private void grantAdministratorAndApply(Principal user) {
        long revision = store.write(ORG.id, w -> {
            w.dsl().insertInto(ASSIGNMENT).set(ASSIGNMENT.ORGANIZATION_ID, ORG.id)
                    .set(ASSIGNMENT.ASSIGNMENT_ID, UUID.randomUUID()).set(ASSIGNMENT.USER_ID, user.id())
                    .set(ASSIGNMENT.ROLE_KEY, "administrator").execute();
            return w.change("assignment", user.id(), "granted").affects(user.id());
        }).revision();
        assertThat(feed.awaitRevision(ORG.id, revision, Duration.ofSeconds(5))).isTrue();
    }

    private void revokeAdministrator(Principal user) {
        store.write(ORG.id, w -> {
            w.dsl().deleteFrom(ASSIGNMENT).where(ASSIGNMENT.ORGANIZATION_ID.eq(ORG.id), ASSIGNMENT.USER_ID.eq(user.id()),
                    ASSIGNMENT.ROLE_KEY.eq("administrator"), ASSIGNMENT.STAGE.isNull(), ASSIGNMENT.APP_KEY.isNull()).execute();
            return w.change("assignment", user.id(), "revoked").affects(user.id());
        });
    }
}
