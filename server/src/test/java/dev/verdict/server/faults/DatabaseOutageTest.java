package dev.verdict.server.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.VerdictServer;
import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.ActivateUserRequest;
import dev.verdict.v1.App;
import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.AssignmentServiceGrpc;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.CheckAccessResponse;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.CreateOrganizationRequest;
import dev.verdict.v1.Decision;
import dev.verdict.v1.DenyReason;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.OrganizationServiceGrpc;
import dev.verdict.v1.Principal;
import dev.verdict.v1.Target;
import dev.verdict.v1.UserServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The database stops under load and comes back: decisions on cached closures keep answering as before,
 * everything that needs the database is UNAVAILABLE within the pool's timeout (never INTERNAL, never a
 * hang), and once Postgres is back the same server writes, loads new closures and follows changes again
 * without a restart.
 */
class DatabaseOutageTest {
    /** Longer than the pool's 5 s connection timeout: an answer must come before it. */
    private static final long DEADLINE_SECONDS = 10;
    private static final int LOAD_THREADS = 4;

    private static RestartablePostgres postgres;
    private static VerdictServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() {
        postgres = RestartablePostgres.start();
        server = FaultServers.start(postgres.jdbcUrl(), 200, true);
        channel = FaultServers.channel(server);
    }

    @AfterAll
    static void stop() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    /** A user and the built-in role it holds everywhere ({@code null}: none; "inactive": invited only). */
    private record Person(String userId, String role) {}

    /** The questions asked of every person. */
    private static final List<AccessQuery.Builder> QUESTIONS = List.of(
            query("app.change", "development", "shop"),
            query("app.change", "production", "shop"),
            query("app.view", "qa", "shop"),
            query("users.manage", null, null),
            query("app.view", "qa", "ghost"));

    private static AccessQuery.Builder query(String permission, String stage, String app) {
        AccessQuery.Builder query = AccessQuery.newBuilder().setTarget(Target.newBuilder().setPermissionKey(permission));
        if (stage != null) {
            query.setStage(stage);
        }
        if (app != null) {
            query.setAppKey(app);
        }
        return query;
    }

    /** The answer DESIGN §2 gives for the built-in roles (developer changes apps in the first stage only). */
    private static String expected(Person person, int question) {
        if (question == 4) {
            return "DENIED/APP_NOT_FOUND";
        }
        if ("inactive".equals(person.role())) {
            return "DENIED/PRINCIPAL_INACTIVE";
        }
        boolean allowed = switch (person.role() == null ? "" : person.role()) {
            case "administrator" -> true;
            case "developer" -> question == 0 || question == 2;
            default -> false;
        };
        return allowed ? "ALLOWED" : "DENIED/NO_GRANT";
    }

    private static String answer(CheckAccessResponse response) {
        return response.getDecision() == Decision.DECISION_ALLOWED ? "ALLOWED"
                : response.getDecision().name().substring("DECISION_".length()) + "/"
                        + response.getReason().name().substring("DENY_REASON_".length());
    }

    private static AccessServiceGrpc.AccessServiceBlockingStub access() {
        return AccessServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    private static CheckAccessResponse check(String org, Person person, int question, Consistency consistency) {
        AccessQuery query = QUESTIONS.get(question).clone()
                .setPrincipal(Principal.newBuilder().setUserId(person.userId())).build();
        return access().checkAccess(CheckAccessRequest.newBuilder().setOrganizationId(org).setQuery(query)
                .setConsistency(consistency).build());
    }

    private static String invite(String org, String email) {
        return UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                .inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org).setEmail(email).setDisplayName(email)
                        .build())
                .getRevisionToken();
    }

    private static Person person(String org, String name, String role) {
        var users = UserServiceGrpc.newBlockingStub(channel);
        String id = users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org)
                .setEmail(name + "@example.com").setDisplayName(name).build()).getUser().getUserId();
        if (!"inactive".equals(role)) {
            users.activateUser(ActivateUserRequest.newBuilder().setOrganizationId(org).setUserId(id).build());
        }
        if (role != null && !"inactive".equals(role)) {
            grant(org, id, role);
        }
        return new Person(id, role);
    }

    private static String grant(String org, String userId, String role) {
        return AssignmentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                .grantRole(GrantRoleRequest.newBuilder().setOrganizationId(org)
                        .setPrincipal(Principal.newBuilder().setUserId(userId)).setRoleKey(role).build())
                .getRevisionToken();
    }

    /** What the load saw: every status per kind of call, and the slowest answer. */
    private static final class Observed {
        final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final AtomicLong slowestMillis = new AtomicLong();

        void count(String what) {
            counts.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
        }

        int count(String kind, Status.Code code) {
            AtomicInteger n = counts.get(kind + " " + code);
            return n == null ? 0 : n.get();
        }

        /** Runs one call, timing it; returns its status code and, when OK, its value. */
        <T> Status.Code call(String kind, Supplier<T> call, java.util.function.Consumer<T> onOk) {
            long start = System.nanoTime();
            Status.Code code;
            try {
                T value = call.get();
                code = Status.Code.OK;
                onOk.accept(value);
            } catch (StatusRuntimeException e) {
                code = e.getStatus().getCode();
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            slowestMillis.accumulateAndGet(millis, Math::max);
            count(kind + " " + code);
            if (code != Status.Code.OK && code != Status.Code.UNAVAILABLE) {
                violations.add(kind + " answered " + code + " after " + millis + " ms");
            }
            return code;
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void cachedDecisionsSurviveAnOutageAndTheServerRecoversWithoutARestart() throws Exception {
        String org = OrganizationServiceGrpc.newBlockingStub(channel).createOrganization(
                CreateOrganizationRequest.newBuilder().setName("outage").build()).getOrganization().getOrganizationId();
        AppServiceGrpc.newBlockingStub(channel).createApp(CreateAppRequest.newBuilder().setOrganizationId(org)
                .setApp(App.newBuilder().setKey("shop").setDisplayName("Shop")).build());
        List<Person> warm = List.of(person(org, "ada", "administrator"), person(org, "dev", "developer"),
                person(org, "nobody", null), person(org, "ivy", "inactive"), person(org, "dan", "developer"));
        List<Person> cold = List.of(person(org, "cold-admin", "administrator"), person(org, "cold-dev", "developer"),
                person(org, "cold-nobody", null));
        String lastToken = invite(org, "before@example.com");

        // Warm the cache: every question of every warm person, read-your-writes, answered as DESIGN §2 says.
        Consistency fresh = Consistency.newBuilder().setAtLeastAsFresh(lastToken).build();
        Consistency cached = Consistency.getDefaultInstance();
        for (Person person : warm) {
            for (int q = 0; q < QUESTIONS.size(); q++) {
                assertThat(answer(check(org, person, q, fresh))).as("%s q%d", person, q).isEqualTo(expected(person, q));
                assertThat(answer(check(org, person, q, cached))).as("%s q%d", person, q).isEqualTo(expected(person, q));
            }
        }

        Observed observed = new Observed();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicBoolean databaseDown = new AtomicBoolean(false);
        AtomicInteger invites = new AtomicInteger();
        ExecutorService load = Executors.newFixedThreadPool(LOAD_THREADS + 1);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < LOAD_THREADS; t++) {
            int thread = t;
            workers.add(load.submit(() -> {
                int i = 0;
                while (running.get()) {
                    i++;
                    if (thread == 0 && i % 4 == 0) {
                        // Writes: during the outage only UNAVAILABLE is right.
                        boolean down = databaseDown.get();
                        Status.Code code = observed.call("write",
                                () -> invite(org, "load-" + invites.incrementAndGet() + "@example.com"), token -> {});
                        if (down && databaseDown.get() && code != Status.Code.UNAVAILABLE) {
                            observed.violations.add("a write during the outage answered " + code);
                        }
                        continue;
                    }
                    Person person = warm.get((thread + i) % warm.size());
                    int q = i % QUESTIONS.size();
                    Status.Code code = observed.call("cached check", () -> check(org, person, q, cached), response -> {
                        if (!answer(response).equals(expected(person, q))) {
                            observed.violations.add(person + " q" + q + " answered " + answer(response));
                        }
                    });
                    if (code != Status.Code.OK) {
                        observed.violations.add("a check on a cached closure answered " + code);
                    }
                }
            }));
        }
        Thread.sleep(1_000);
        postgres.stop();
        databaseDown.set(true);
        long outageStart = System.nanoTime();
        // Misses need the database: each uncached person, each question, UNAVAILABLE.
        workers.add(load.submit(() -> {
            for (int i = 0; databaseDown.get() && i < 6; i++) {
                Person person = cold.get(i % cold.size());
                int q = i % 4;
                Status.Code code = observed.call("uncached check", () -> check(org, person, q, cached), r -> {});
                if (databaseDown.get() && code != Status.Code.UNAVAILABLE) {
                    observed.violations.add("an uncached check during the outage answered " + code);
                }
            }
        }));
        while (System.nanoTime() - outageStart < TimeUnit.SECONDS.toNanos(7)) {
            Thread.sleep(100);
        }
        databaseDown.set(false);
        postgres.startAgain();
        Thread.sleep(1_000);
        running.set(false);
        for (Future<?> worker : workers) {
            worker.get(DEADLINE_SECONDS * 3, TimeUnit.SECONDS);
        }
        load.shutdown();
        System.out.printf("Outage load: %s, slowest answer %d ms%n", new java.util.TreeMap<>(observed.counts),
                observed.slowestMillis.get());

        assertThat(observed.violations).isEmpty();
        assertThat(observed.count("cached check", Status.Code.OK)).isGreaterThan(50);
        assertThat(observed.count("uncached check", Status.Code.UNAVAILABLE)).isPositive();
        assertThat(observed.count("write", Status.Code.UNAVAILABLE)).isPositive();
        assertThat(observed.slowestMillis.get()).isLessThan(TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));

        // Recovery, same server: writes succeed again (the pool reconnects by itself).
        String token = eventually(() -> invite(org, "after@example.com"));
        // New closures load: the people never asked about before the outage are answered correctly.
        Consistency afterRecovery = Consistency.newBuilder().setAtLeastAsFresh(token).build();
        for (Person person : cold) {
            for (int q = 0; q < QUESTIONS.size(); q++) {
                assertThat(answer(check(org, person, q, afterRecovery))).as("%s q%d", person, q)
                        .isEqualTo(expected(person, q));
            }
        }
        // The change feed follows again: a grant to a cached person reaches a check that carries no token.
        Person nobody = warm.get(2);
        String granted = grant(org, nobody.userId(), "administrator");
        long grantedRevision = Long.parseLong(granted);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!answer(check(org, nobody, 3, cached)).equals("ALLOWED") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(answer(check(org, nobody, 3, cached))).isEqualTo("ALLOWED");
        assertThat(server.changeFeed().appliedRevision(java.util.UUID.fromString(org)))
                .isGreaterThanOrEqualTo(grantedRevision);
        assertThat(answer(check(org, nobody, 1, Consistency.newBuilder().setAtLeastAsFresh(granted).build())))
                .isEqualTo("ALLOWED");
        assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus().name())
                .isEqualTo("SERVING");
    }

    /** Retries {@code call} while it is UNAVAILABLE, for at most 30 s. */
    private static <T> T eventually(Supplier<T> call) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return call.get();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
