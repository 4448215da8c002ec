package dev.verdict.server.decision;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.FieldMask;
import com.google.rpc.BadRequest;
import dev.verdict.server.TestServer;
import dev.verdict.server.changes.ChangeFeed;
import dev.verdict.server.decision.ReferenceEvaluator.Holdings;
import dev.verdict.server.decision.ReferenceEvaluator.Outcome;
import dev.verdict.server.decision.ReferenceEvaluator.Question;
import dev.verdict.server.decision.ReferenceEvaluator.RolePermission;
import dev.verdict.server.decision.ReferenceEvaluator.Snapshot;
import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.ActivateUserRequest;
import dev.verdict.v1.AddGroupMembersRequest;
import dev.verdict.v1.AddIdpMappingRequest;
import dev.verdict.v1.ApiClientServiceGrpc;
import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.AssignmentServiceGrpc;
import dev.verdict.v1.BatchCheckAccessItem;
import dev.verdict.v1.BatchCheckAccessRequest;
import dev.verdict.v1.BatchCheckAccessResponse;
import dev.verdict.v1.BatchCheckAccessResult;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.CheckAccessResponse;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.CreateApiClientRequest;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.CreateGroupRequest;
import dev.verdict.v1.CreateOrganizationRequest;
import dev.verdict.v1.CreatePermissionRequest;
import dev.verdict.v1.CreateRoleRequest;
import dev.verdict.v1.DeactivateUserRequest;
import dev.verdict.v1.DeleteAppRequest;
import dev.verdict.v1.DeleteGroupRequest;
import dev.verdict.v1.DeletePermissionRequest;
import dev.verdict.v1.DeleteRoleRequest;
import dev.verdict.v1.DeleteUserRequest;
import dev.verdict.v1.DisableApiClientRequest;
import dev.verdict.v1.EnableApiClientRequest;
import dev.verdict.v1.GrantGroupRoleRequest;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.GroupRoleGrant;
import dev.verdict.v1.GroupServiceGrpc;
import dev.verdict.v1.IdpMapping;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.ListAccessibleAppsRequest;
import dev.verdict.v1.ListUserPermissionsRequest;
import dev.verdict.v1.ListUserPermissionsResponse;
import dev.verdict.v1.ListUsersWithAccessRequest;
import dev.verdict.v1.ListUsersWithAccessResponse;
import dev.verdict.v1.Organization;
import dev.verdict.v1.OrganizationServiceGrpc;
import dev.verdict.v1.Permission;
import dev.verdict.v1.PermissionGrant;
import dev.verdict.v1.PermissionLevel;
import dev.verdict.v1.PermissionServiceGrpc;
import dev.verdict.v1.Principal;
import dev.verdict.v1.RemoveGroupMembersRequest;
import dev.verdict.v1.RemoveIdpMappingRequest;
import dev.verdict.v1.RevokeGroupRoleRequest;
import dev.verdict.v1.RevokeRoleRequest;
import dev.verdict.v1.Role;
import dev.verdict.v1.RoleKind;
import dev.verdict.v1.RoleServiceGrpc;
import dev.verdict.v1.Scope;
import dev.verdict.v1.SyncExternalGroupsRequest;
import dev.verdict.v1.Target;
import dev.verdict.v1.UpdateOrganizationRequest;
import dev.verdict.v1.UpdatePermissionRequest;
import dev.verdict.v1.UpdateRoleRequest;
import dev.verdict.v1.UpdateUserRequest;
import dev.verdict.v1.User;
import dev.verdict.v1.UserServiceGrpc;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Random organizations, random mutation sequences through the gRPC API, and after every step random checks
 * and reverse queries compared with {@link ReferenceEvaluator} on a fresh copy of the tables.
 *
 * <p>After each step the test waits until the server's change feed has applied the step's revision, then
 * asks first with {@code minimize_latency} (served from closures cached before the step, so an invalidation
 * that the change feed missed shows up as a mismatch), then with {@code at_least_as_fresh} and
 * {@code fully_consistent}; in each mode most checks go through BatchCheckAccess and some through unary
 * CheckAccess. Then a sample of ListUserPermissions, ListAccessibleApps and ListUsersWithAccess (every page)
 * is compared with answers derived from the reference's checks.
 *
 * <p>Reproduce a failure with {@code -Dverdict.seed=<the printed seed>}; {@code -Dverdict.differential.checks=N}
 * sets the volume. A mismatch report names the world, the step, the mode and the mutations so far.
 */
class DifferentialTest {
    private static final int CHECKS_PER_STEP = 1000;
    private static final int STEPS_PER_WORLD = 50;
    /**
     * Checks per mode and step that go through unary CheckAccess (all in flight together), the rest through
     * BatchCheckAccess; fewer for fully_consistent, where each unary call reads its principal afresh.
     */
    private static final int UNARY_PER_CALL = 16;
    private static final long FEED_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int MAX_REPORTED = 10;
    private static final String[] IDPS = {"azure", "okta"};
    private static final String[] EXTERNAL_GROUPS = {"Sales", "sales", "Finance", "Marketing", "Ops"};
    private static final PermissionLevel[] LEVELS = {PermissionLevel.PERMISSION_LEVEL_ORGANIZATION,
            PermissionLevel.PERMISSION_LEVEL_STAGE, PermissionLevel.PERMISSION_LEVEL_APP,
            PermissionLevel.PERMISSION_LEVEL_APP};

    private final OrganizationServiceGrpc.OrganizationServiceBlockingStub organizations =
            OrganizationServiceGrpc.newBlockingStub(TestServer.channel());
    private final PermissionServiceGrpc.PermissionServiceBlockingStub permissions =
            PermissionServiceGrpc.newBlockingStub(TestServer.channel());
    private final RoleServiceGrpc.RoleServiceBlockingStub roles = RoleServiceGrpc.newBlockingStub(TestServer.channel());
    private final AppServiceGrpc.AppServiceBlockingStub apps = AppServiceGrpc.newBlockingStub(TestServer.channel());
    private final UserServiceGrpc.UserServiceBlockingStub users = UserServiceGrpc.newBlockingStub(TestServer.channel());
    private final ApiClientServiceGrpc.ApiClientServiceBlockingStub clients =
            ApiClientServiceGrpc.newBlockingStub(TestServer.channel());
    private final AssignmentServiceGrpc.AssignmentServiceBlockingStub assignments =
            AssignmentServiceGrpc.newBlockingStub(TestServer.channel());
    private final GroupServiceGrpc.GroupServiceBlockingStub groups = GroupServiceGrpc.newBlockingStub(TestServer.channel());
    private final AccessServiceGrpc.AccessServiceBlockingStub access =
            AccessServiceGrpc.newBlockingStub(TestServer.channel());
    private final AccessServiceGrpc.AccessServiceFutureStub accessFutures =
            AccessServiceGrpc.newFutureStub(TestServer.channel());

    /** The three consistency modes of DESIGN §4. */
    private enum Mode {
        MINIMIZE_LATENCY, AT_LEAST_AS_FRESH, FULLY_CONSISTENT;

        Consistency consistency(String token) {
            return switch (this) {
                case MINIMIZE_LATENCY -> Consistency.newBuilder().setMinimizeLatency(true).build();
                case AT_LEAST_AS_FRESH -> Consistency.newBuilder().setAtLeastAsFresh(token).build();
                case FULLY_CONSISTENT -> Consistency.newBuilder().setFullyConsistent(true).build();
            };
        }
    }

    /**
     * What the generator knows exists (live lists) and what existed once (gone lists, still asked about:
     * a deleted user must be PRINCIPAL_NOT_FOUND, a deleted key or stage INVALID_ARGUMENT, a deleted app
     * APP_NOT_FOUND), to pick mostly meaningful operations and questions.
     */
    private static final class World {
        int number;
        String org;
        String token = "0";
        int serial;
        Snapshot last;
        final List<String> log = new ArrayList<>();
        final List<String> stages = new ArrayList<>();
        final List<String> goneStages = new ArrayList<>();
        /** Added stages that no new grant, group or assignment uses, so that they can be removed again. */
        final Set<String> spareStages = new HashSet<>();
        final List<String> permissionKeys = new ArrayList<>();
        final List<String> customPermissions = new ArrayList<>();
        final List<String> gonePermissions = new ArrayList<>();
        final Map<String, PermissionLevel> levels = new HashMap<>();
        final List<String> orgRoles = new ArrayList<>(List.of("administrator", "developer"));
        final List<String> endUserRoles = new ArrayList<>();
        final List<String> goneRoles = new ArrayList<>();
        final List<String> appKeys = new ArrayList<>();
        final List<String> goneApps = new ArrayList<>();
        final List<String> userIds = new ArrayList<>();
        final List<String> goneUserIds = new ArrayList<>();
        /** Every user ever invited, in order: sets of users are listed in this order, for reproducible runs. */
        final List<String> allUserIds = new ArrayList<>();
        /** Every user's current email (deleted users: their last one). */
        final Map<String, String> emails = new HashMap<>();
        /** Every email ever given to a user, current or not. */
        final List<String> allEmails = new ArrayList<>();
        final List<String> clientIds = new ArrayList<>();
        final List<String> assignmentIds = new ArrayList<>();
        final List<String> groupIds = new ArrayList<>();
        /** Principals the last mutation touched: asked about more often right after it. */
        final List<String> focusUsers = new ArrayList<>();
        final List<String> focusEmails = new ArrayList<>();

        String next(String prefix) {
            return prefix + (serial++);
        }

        /** A stage for a new grant, group or assignment: any but the spare ones. */
        String grantStage(Random random) {
            List<String> usable = stages.stream().filter(s -> !spareStages.contains(s)).toList();
            return usable.get(random.nextInt(usable.size()));
        }

        boolean isCustomRole(String key) {
            return !key.equals("administrator") && !key.equals("developer");
        }
    }

    /** Counts and the first mismatches of one run. */
    private static final class Tally {
        final long seed;
        int checks;
        final Map<Mode, Integer> checksByMode = new EnumMap<>(Mode.class);
        int unaryChecks;
        int reverseQueries;
        int mismatches;
        final List<String> reports = new ArrayList<>();
        int staleRevisions;
        final List<String> revisionReports = new ArrayList<>();
        String firstWorldLog;
        final Map<String, Long> nanos = new HashMap<>();
        final Map<String, int[]> mutations = new TreeMap<>();

        Tally(long seed) {
            this.seed = seed;
        }

        void mismatch(World w, int step, String what) {
            mismatches++;
            if (reports.size() < MAX_REPORTED) {
                reports.add("world " + w.number + " step " + step + ": " + what);
            }
            log(w, step);
        }

        /** An answer that reports a revision older than one the server had already applied. */
        void staleRevision(World w, int step, String what) {
            staleRevisions++;
            if (revisionReports.size() < MAX_REPORTED) {
                revisionReports.add("world " + w.number + " step " + step + ": " + what);
            }
            log(w, step);
        }

        private void log(World w, int step) {
            if (firstWorldLog == null) {
                firstWorldLog = "mutations of world " + w.number + " up to step " + step + " (seed " + seed + "):\n  "
                        + String.join("\n  ", w.log);
            }
        }

        /** Counts a step's mutations by kind (their first two words), done and refused. */
        void mutation(String description) {
            for (String part : description.split("; ")) {
                String[] words = part.split(" ");
                String kind = words.length > 1 && !words[1].contains("-") && !words[1].contains("@")
                        ? words[0] + " " + words[1] : words[0];
                mutations.computeIfAbsent(kind, k -> new int[2])[part.contains("(refused)") ? 1 : 0]++;
            }
        }

        void time(String phase, long startNanos) {
            nanos.merge(phase, System.nanoTime() - startNanos, Long::sum);
        }
    }

    @Test
    void engineAgreesWithTheReferenceEvaluator() {
        long seed = Long.getLong("verdict.seed", System.nanoTime());
        int totalChecks = Integer.getInteger("verdict.differential.checks", 200_000);
        System.out.println("DifferentialTest seed=" + seed + " (rerun with -Dverdict.seed=" + seed + ")");
        Random random = new Random(seed);
        Tally tally = new Tally(seed);
        long started = System.nanoTime();
        int worlds = 0;
        while (tally.checks < totalChecks) {
            long t = System.nanoTime();
            World world = newWorld(random, ++worlds);
            tally.time("setup", t);
            // Step 0 asks about the world as created (and makes the engine follow it); every later step first
            // changes something.
            for (int step = 0; step <= STEPS_PER_WORLD && tally.checks < totalChecks; step++) {
                t = System.nanoTime();
                if (step > 0) {
                    String mutation = mutate(world, random);
                    world.log.add(step + ": " + mutation);
                    tally.mutation(mutation);
                    tally.time("mutate", t);
                    t = System.nanoTime();
                    awaitFeed(world);
                    tally.time("await feed", t);
                } else {
                    world.log.add("0: created " + describe(world));
                    // A check with the token makes this server follow the organization from that revision on.
                    check(world.org, question(world, random), Mode.AT_LEAST_AS_FRESH.consistency(world.token));
                    awaitFeed(world);
                }
                t = System.nanoTime();
                Snapshot snapshot = ReferenceEvaluator.snapshot(TestServer.server().database().dsl(),
                        UUID.fromString(world.org));
                world.last = snapshot;
                tally.time("snapshot", t);
                // minimize_latency first: nothing of this step has reloaded a closure yet. A fully_consistent
                // call reads every principal it asks about from the database, so every other step makes one
                // twice the size: 40% minimize_latency, 40% at_least_as_fresh, 20% fully_consistent overall.
                for (Mode mode : Mode.values()) {
                    t = System.nanoTime();
                    int share = switch (mode) {
                        case MINIMIZE_LATENCY -> CHECKS_PER_STEP * 2 / 5;
                        case AT_LEAST_AS_FRESH -> step % 2 == 0 ? CHECKS_PER_STEP / 5 : CHECKS_PER_STEP * 3 / 5;
                        case FULLY_CONSISTENT -> step % 2 == 0 ? CHECKS_PER_STEP * 2 / 5 : 0;
                    };
                    compareChecks(world, step, random, snapshot, mode, share, tally);
                    tally.time("checks " + mode, t);
                }
                t = System.nanoTime();
                compareReverseQueries(world, step, random, snapshot, tally);
                tally.time("reverse queries", t);
            }
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        System.out.println("DifferentialTest compared " + tally.checks + " checks " + tally.checksByMode + " ("
                + tally.unaryChecks + " unary) and " + tally.reverseQueries + " reverse queries over " + worlds
                + " organizations in " + seconds + " s, " + tally.mismatches + " mismatches, " + tally.staleRevisions
                + " answers at a stale revision (seed=" + seed + ")");
        System.out.println("DifferentialTest time by phase (ms): " + tally.nanos.entrySet().stream()
                .map(e -> e.getKey() + "=" + TimeUnit.NANOSECONDS.toMillis(e.getValue())).sorted().toList());
        System.out.println("DifferentialTest mutations (done/refused): " + tally.mutations.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()[0] + "/" + e.getValue()[1]).toList());
        if (tally.firstWorldLog != null) {
            System.out.println(tally.firstWorldLog);
        }
        assertThat(tally.reports).as("mismatches with seed " + seed).isEmpty();
        assertThat(tally.revisionReports).as("answers at a stale revision with seed " + seed).isEmpty();
        assertThat(tally.checks).isGreaterThanOrEqualTo(totalChecks);
        for (Mode mode : Mode.values()) {
            assertThat(tally.checksByMode.getOrDefault(mode, 0)).as("checks in " + mode).isGreaterThan(totalChecks / 10);
        }
        assertThat(tally.unaryChecks).isGreaterThan(totalChecks / 100);
    }

    /** Waits until this server's change feed has applied the world's latest revision. */
    private static void awaitFeed(World w) {
        long revision = Long.parseLong(w.token);
        UUID org = UUID.fromString(w.org);
        ChangeFeed feed = TestServer.server().changeFeed();
        long deadline = System.nanoTime() + FEED_TIMEOUT_NANOS;
        while (feed.appliedRevision(org) < revision) {
            assertThat(System.nanoTime()).as("the change feed applies revision %d of %s within 10 s (applied %d)",
                    revision, org, feed.appliedRevision(org)).isLessThan(deadline);
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    // ---- checks -----------------------------------------------------------------------------------------

    private void compareChecks(World w, int step, Random random, Snapshot snapshot, Mode mode, int count, Tally tally) {
        List<Question> batched = new ArrayList<>();
        List<Question> unary = new ArrayList<>();
        int unaryCount = Math.min(count, mode == Mode.FULLY_CONSISTENT ? UNARY_PER_CALL / 2 : UNARY_PER_CALL);
        for (int i = 0; i < count; i++) {
            (i < unaryCount ? unary : batched).add(question(w, random));
        }
        Consistency consistency = mode.consistency(w.token);
        long minimum = Long.parseLong(w.token);
        List<Outcome> actual = new ArrayList<>();
        if (!batched.isEmpty()) {
            BatchCheckAccessResponse response = batch(w.org, batched, consistency);
            if (Long.parseLong(response.getRevisionToken()) < minimum) {
                tally.staleRevision(w, step, mode + " BatchCheckAccess answered at revision " + response.getRevisionToken()
                        + ", before the applied revision " + minimum);
            }
            response.getResultsList().forEach(r -> actual.add(outcome(r)));
        }
        // Unary calls in flight together, answers read in order.
        List<ListenableFuture<CheckAccessResponse>> futures = new ArrayList<>();
        for (Question q : unary) {
            futures.add(accessFutures.checkAccess(CheckAccessRequest.newBuilder().setOrganizationId(w.org)
                    .setQuery(query(q)).setConsistency(consistency).build()));
        }
        for (int i = 0; i < futures.size(); i++) {
            ListenableFuture<CheckAccessResponse> future = futures.get(i);
            Question q = unary.get(i);
            Outcome outcome;
            try {
                CheckAccessResponse response = future.get();
                outcome = outcome(response);
                if (Long.parseLong(response.getRevisionToken()) < minimum) {
                    tally.staleRevision(w, step, mode + " CheckAccess " + q + " answered " + outcome
                            + " at revision " + response.getRevisionToken() + ", before the applied revision " + minimum);
                }
            } catch (ExecutionException e) {
                outcome = outcome(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            actual.add(outcome);
        }
        List<Question> asked = new ArrayList<>(batched);
        asked.addAll(unary);
        for (int i = 0; i < asked.size(); i++) {
            Outcome expected = ReferenceEvaluator.check(snapshot, asked.get(i));
            tally.checks++;
            tally.checksByMode.merge(mode, 1, Integer::sum);
            boolean viaUnary = i >= batched.size();
            if (viaUnary) {
                tally.unaryChecks++;
            }
            if (!agrees(expected, actual.get(i))) {
                tally.mismatch(w, step, mode + (viaUnary ? " CheckAccess " : " BatchCheckAccess ") + asked.get(i)
                        + " expected " + expected + " got " + actual.get(i));
            }
        }
    }

    private static boolean agrees(Outcome expected, Outcome actual) {
        if (!expected.decision().equals(actual.decision())) {
            return false;
        }
        if (expected.decision().equals("INVALID_ARGUMENT")) {
            return actual.reasonOrField().endsWith(expected.reasonOrField());
        }
        return expected.reasonOrField().equals(actual.reasonOrField());
    }

    private void check(String org, Question q, Consistency consistency) {
        try {
            access.checkAccess(CheckAccessRequest.newBuilder().setOrganizationId(org).setQuery(query(q))
                    .setConsistency(consistency).build());
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
        }
    }

    private BatchCheckAccessResponse batch(String org, List<Question> questions, Consistency consistency) {
        BatchCheckAccessRequest.Builder request = BatchCheckAccessRequest.newBuilder()
                .setOrganizationId(org).setConsistency(consistency);
        for (int i = 0; i < questions.size(); i++) {
            request.addItems(BatchCheckAccessItem.newBuilder().setCorrelationId(Integer.toString(i)).setQuery(query(questions.get(i))));
        }
        BatchCheckAccessResponse response = access.batchCheckAccess(request.build());
        List<BatchCheckAccessResult> results = response.getResultsList();
        assertThat(results).hasSize(questions.size());
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).getCorrelationId()).isEqualTo(Integer.toString(i));
        }
        return response;
    }

    private static AccessQuery query(Question q) {
        AccessQuery.Builder query = AccessQuery.newBuilder().setPrincipal(principal(q)).setTarget(target(q));
        if (q.stage() != null) {
            query.setStage(q.stage());
        }
        if (q.appKey() != null) {
            query.setAppKey(q.appKey());
        }
        return query.build();
    }

    private static Principal principal(Question q) {
        Principal.Builder principal = Principal.newBuilder();
        if (q.userId() != null) {
            principal.setUserId(q.userId());
        } else if (q.userEmail() != null) {
            principal.setUserEmail(q.userEmail());
        } else {
            principal.setApiClientId(q.apiClientId());
        }
        return principal.build();
    }

    private static Target target(Question q) {
        return q.permissionKey() != null
                ? Target.newBuilder().setPermissionKey(q.permissionKey()).build()
                : Target.newBuilder().setRoleKey(q.roleKey()).build();
    }

    private static Outcome outcome(BatchCheckAccessResult result) {
        return result.hasError() ? outcome(result.getError()) : outcome(result.getResponse());
    }

    private static Outcome outcome(CheckAccessResponse response) {
        return switch (response.getDecision()) {
            case DECISION_ALLOWED -> Outcome.allowed();
            case DECISION_DENIED -> Outcome.denied(response.getReason().name().replace("DENY_REASON_", ""));
            default -> new Outcome(response.getDecision().name(), "");
        };
    }

    /** A failed unary call as an outcome: its code and the first field violation. */
    private static Outcome outcome(Throwable failure) {
        com.google.rpc.Status status = StatusProto.fromThrowable(failure);
        if (status == null) {
            return new Outcome(io.grpc.Status.fromThrowable(failure).getCode().name(), "?");
        }
        return outcome(status);
    }

    private static Outcome outcome(com.google.rpc.Status status) {
        String field = status.getDetailsList().stream().filter(a -> a.is(BadRequest.class)).findFirst()
                .map(a -> {
                    try {
                        return a.unpack(BadRequest.class).getFieldViolations(0).getField();
                    } catch (Exception e) {
                        return "?";
                    }
                }).orElse("?");
        return new Outcome(io.grpc.Status.fromCodeValue(status.getCode()).getCode().name(), field);
    }

    // ---- reverse queries --------------------------------------------------------------------------------

    /** A sample of each reverse query, in random modes (the feed has applied the step, so all must agree). */
    private void compareReverseQueries(World w, int step, Random random, Snapshot snapshot, Tally tally) {
        for (int i = 0; i < 2; i++) {
            compareUserPermissions(w, step, random, snapshot, tally);
            compareAccessibleApps(w, step, random, snapshot, tally);
        }
        compareUsersWithAccess(w, step, random, snapshot, tally);
    }

    private void compareUserPermissions(World w, int step, Random random, Snapshot snapshot, Tally tally) {
        Question who = principalQuestion(w, random);
        String stage = null;
        String app = null;
        int shape = random.nextInt(3);
        if (shape > 0) {
            stage = pick(random, w.stages);
        }
        if (shape > 1) {
            app = pick(random, w.appKeys);
        }
        Mode mode = pick(random, Mode.values());
        ListUserPermissionsRequest.Builder request = ListUserPermissionsRequest.newBuilder().setOrganizationId(w.org)
                .setPrincipal(principal(who)).setConsistency(mode.consistency(w.token));
        if (stage != null) {
            request.setStage(stage);
        }
        if (app != null) {
            request.setAppKey(app);
        }
        Holdings expected = ReferenceEvaluator.holdings(snapshot, who, stage, app);
        String got;
        try {
            ListUserPermissionsResponse response = access.listUserPermissions(request.build());
            got = new Holdings(response.getPermissionKeysList(), response.getRoleKeysList()).toString();
        } catch (StatusRuntimeException e) {
            got = e.getStatus().getCode().name();
        }
        compare(w, step, tally, mode + " ListUserPermissions " + who + " stage=" + stage + " app=" + app,
                expected == null ? "NOT_FOUND" : expected.toString(), got);
    }

    private void compareAccessibleApps(World w, int step, Random random, Snapshot snapshot, Tally tally) {
        Question who = principalQuestion(w, random);
        List<String> appPermissions = w.permissionKeys.stream()
                .filter(p -> w.levels.get(p) == PermissionLevel.PERMISSION_LEVEL_APP).toList();
        boolean byRole = appPermissions.isEmpty() || random.nextInt(3) == 0;
        String permission = byRole ? null : pick(random, appPermissions);
        String role = byRole ? pick(random, w.endUserRoles) : null;
        Question asked = new Question(who.userId(), who.userEmail(), who.apiClientId(), permission, role, null, null);
        String stage = pick(random, w.stages);
        Mode mode = pick(random, Mode.values());
        List<String> expected = ReferenceEvaluator.accessibleApps(snapshot, asked, stage);
        String got;
        try {
            got = access.listAccessibleApps(ListAccessibleAppsRequest.newBuilder().setOrganizationId(w.org)
                    .setPrincipal(principal(asked)).setTarget(target(asked)).setStage(stage)
                    .setConsistency(mode.consistency(w.token)).build()).getAppKeysList().toString();
        } catch (StatusRuntimeException e) {
            got = e.getStatus().getCode().name();
        }
        compare(w, step, tally, mode + " ListAccessibleApps " + asked + " stage=" + stage,
                expected == null ? "NOT_FOUND" : expected.toString(), got);
    }

    private void compareUsersWithAccess(World w, int step, Random random, Snapshot snapshot, Tally tally) {
        // A well-shaped question for its target, now and then about an app that is gone (nobody has access).
        String permission = null;
        String role = null;
        boolean wantStage;
        boolean wantApp;
        if (random.nextInt(3) > 0) {
            permission = pick(random, w.permissionKeys);
            PermissionLevel level = w.levels.get(permission);
            wantStage = level != PermissionLevel.PERMISSION_LEVEL_ORGANIZATION;
            wantApp = level == PermissionLevel.PERMISSION_LEVEL_APP;
        } else if (random.nextBoolean()) {
            role = pick(random, w.endUserRoles);
            wantStage = true;
            wantApp = true;
        } else {
            role = pick(random, w.orgRoles);
            wantStage = random.nextBoolean();
            wantApp = random.nextBoolean();
        }
        String stage = wantStage ? pick(random, w.stages) : null;
        String app = wantApp ? (!w.goneApps.isEmpty() && random.nextInt(10) == 0 ? pick(random, w.goneApps)
                : pick(random, w.appKeys)) : null;
        Question asked = new Question(null, null, null, permission, role, stage, app);
        Mode mode = pick(random, Mode.values());
        int pageSize = 1 + random.nextInt(5);
        List<String> expected = ReferenceEvaluator.usersWithAccess(snapshot, asked);
        String got;
        try {
            List<String> all = new ArrayList<>();
            String pageToken = "";
            int pages = 0;
            do {
                ListUsersWithAccessRequest.Builder request = ListUsersWithAccessRequest.newBuilder()
                        .setOrganizationId(w.org).setTarget(target(asked)).setPageSize(pageSize)
                        .setPageToken(pageToken).setConsistency(mode.consistency(w.token));
                if (stage != null) {
                    request.setStage(stage);
                }
                if (app != null) {
                    request.setAppKey(app);
                }
                ListUsersWithAccessResponse response = access.listUsersWithAccess(request.build());
                assertThat(response.getUserIdsCount()).as("page size").isLessThanOrEqualTo(pageSize);
                all.addAll(response.getUserIdsList());
                pageToken = response.getNextPageToken();
                assertThat(++pages).as("pages of ListUsersWithAccess").isLessThan(1000);
            } while (!pageToken.isEmpty());
            got = all.toString();
        } catch (StatusRuntimeException e) {
            got = e.getStatus().getCode().name();
        }
        compare(w, step, tally, mode + " ListUsersWithAccess " + asked + " page_size=" + pageSize,
                expected.toString(), got);
    }

    private static void compare(World w, int step, Tally tally, String what, String expected, String got) {
        tally.reverseQueries++;
        if (!expected.equals(got)) {
            tally.mismatch(w, step, what + " expected " + expected + " got " + got);
        }
    }

    // ---- generation -------------------------------------------------------------------------------------

    private World newWorld(Random random, int number) {
        World w = new World();
        w.number = number;
        int stageCount = 2 + random.nextInt(3);
        List<String> stages = List.of("dev", "test", "acc", "prod").subList(0, stageCount);
        var created = organizations.createOrganization(CreateOrganizationRequest.newBuilder()
                .setName("diff-" + UUID.randomUUID()).addAllStages(stages).build());
        w.org = created.getOrganization().getOrganizationId();
        w.token = created.getRevisionToken();
        w.stages.addAll(stages);
        for (int i = 0; i < 3 + random.nextInt(3); i++) {
            createApp(w, w.next("app"));
        }
        w.permissionKeys.addAll(List.of("app.view", "app.change", "app.debug", "app.deploy", "users.manage", "stage.view"));
        w.levels.putAll(Map.of("app.view", LEVELS[2], "app.change", LEVELS[2], "app.debug", LEVELS[2],
                "app.deploy", LEVELS[2], "users.manage", LEVELS[0], "stage.view", LEVELS[1]));
        for (int i = 0; i < 6 + random.nextInt(6); i++) {
            createPermission(w, random, w.next("p") + ".act");
        }
        for (int i = 0; i < 3; i++) {
            createRole(w, random, w.next("orole"), RoleKind.ROLE_KIND_ORGANIZATION);
            createRole(w, random, w.next("erole"), RoleKind.ROLE_KIND_END_USER);
        }
        for (int i = 0; i < 8 + random.nextInt(8); i++) {
            invite(w, random);
        }
        for (int i = 0; i < 2; i++) {
            var client = clients.createApiClient(CreateApiClientRequest.newBuilder().setOrganizationId(w.org)
                    .setName("client" + i).build());
            w.clientIds.add(client.getApiClient().getApiClientId());
            w.token = client.getRevisionToken();
        }
        for (int i = 0; i < 3 + random.nextInt(3); i++) {
            createGroup(w, random);
        }
        for (int i = 0; i < 15; i++) {
            grantRole(w, random);
        }
        return w;
    }

    private static String describe(World w) {
        return "stages " + w.stages + ", apps " + w.appKeys + ", " + w.permissionKeys.size() + " permissions, roles "
                + w.orgRoles + " " + w.endUserRoles + ", " + w.userIds.size() + " users, " + w.groupIds.size()
                + " groups, " + w.assignmentIds.size() + " assignments";
    }

    private void createApp(World w, String key) {
        var response = apps.createApp(CreateAppRequest.newBuilder().setOrganizationId(w.org)
                .setApp(dev.verdict.v1.App.newBuilder().setKey(key)).build());
        w.appKeys.add(key);
        w.goneApps.remove(key);
        w.token = response.getRevisionToken();
    }

    /** A permission implying only existing ones: nothing implies a new key, so no cycle can form. */
    private String createPermission(World w, Random random, String key) {
        PermissionLevel level = pick(random, LEVELS);
        Permission.Builder p = Permission.newBuilder().setKey(key).setLevel(level).setSection("Random");
        for (int j = 0; j < random.nextInt(3); j++) {
            String implied = pick(random, w.permissionKeys);
            if (!p.getImpliesList().contains(implied)) {
                p.addImplies(implied);
            }
        }
        var response = permissions.createPermission(CreatePermissionRequest.newBuilder().setOrganizationId(w.org)
                .setPermission(p).build());
        w.permissionKeys.add(key);
        w.customPermissions.add(key);
        w.gonePermissions.remove(key);
        w.levels.put(key, level);
        w.token = response.getRevisionToken();
        return key + " " + level.name().replace("PERMISSION_LEVEL_", "") + " implies " + p.getImpliesList();
    }

    private String createRole(World w, Random random, String key, RoleKind kind) {
        Role.Builder role = Role.newBuilder().setKey(key).setKind(kind);
        role.addAllGrants(grants(w, random, kind == RoleKind.ROLE_KIND_END_USER));
        var response = roles.createRole(CreateRoleRequest.newBuilder().setOrganizationId(w.org).setRole(role).build());
        (kind == RoleKind.ROLE_KIND_END_USER ? w.endUserRoles : w.orgRoles).add(key);
        w.goneRoles.remove(key);
        w.token = response.getRevisionToken();
        return key + " " + kind.name().replace("ROLE_KIND_", "") + " " + describe(role.getGrantsList());
    }

    /** Up to three grants; an end-user role's only of APP-level permissions. */
    private static List<PermissionGrant> grants(World w, Random random, boolean endUser) {
        List<PermissionGrant> grants = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (int i = 0; i < random.nextInt(4); i++) {
            String permission = pick(random, w.permissionKeys);
            PermissionLevel level = w.levels.get(permission);
            if (!used.add(permission) || (endUser && level != PermissionLevel.PERMISSION_LEVEL_APP)) {
                continue;
            }
            grants.add(grant(w, random, permission, level));
        }
        return grants;
    }

    private static PermissionGrant grant(World w, Random random, String permission, PermissionLevel level) {
        PermissionGrant.Builder grant = PermissionGrant.newBuilder().setPermissionKey(permission);
        if (level != PermissionLevel.PERMISSION_LEVEL_ORGANIZATION && random.nextBoolean()) {
            for (String stage : w.stages) {
                if (!w.spareStages.contains(stage) && random.nextBoolean()) {
                    grant.addStages(stage);
                }
            }
        }
        return grant.build();
    }

    private static String describe(List<PermissionGrant> grants) {
        return grants.stream().map(g -> g.getPermissionKey() + (g.getStagesCount() == 0 ? "" : g.getStagesList()))
                .toList().toString();
    }

    /** Invites a user, sometimes with the email a deleted or renamed user left free; usually activates it. */
    private String invite(World w, Random random) {
        // Emails are unique regardless of letter case: one renamed to its own address in capitals still holds it.
        Set<String> taken = new HashSet<>();
        w.userIds.forEach(id -> taken.add(w.emails.get(id).toLowerCase(Locale.ROOT)));
        List<String> free = w.allEmails.stream().filter(e -> !taken.contains(e.toLowerCase(Locale.ROOT))).toList();
        String email = !free.isEmpty() && random.nextInt(3) == 0 ? pick(random, free) : freshEmail(w, random);
        var response = users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(w.org).setEmail(email).build());
        String id = response.getUser().getUserId();
        w.userIds.add(id);
        w.allUserIds.add(id);
        w.emails.put(id, email);
        if (!w.allEmails.contains(email)) {
            w.allEmails.add(email);
        }
        w.token = response.getRevisionToken();
        w.focusUsers.add(id);
        w.focusEmails.add(email);
        boolean activate = random.nextInt(5) > 0;
        if (activate) {
            w.token = users.activateUser(ActivateUserRequest.newBuilder().setOrganizationId(w.org).setUserId(id).build())
                    .getRevisionToken();
        }
        return "invite " + id + " " + email + (activate ? " and activate" : "");
    }

    private static String freshEmail(World w, Random random) {
        return w.next("user") + "-" + random.nextInt(1_000_000) + "@example.com";
    }

    private String createGroup(World w, Random random) {
        CreateGroupRequest.Builder group = CreateGroupRequest.newBuilder().setOrganizationId(w.org)
                .setName(w.next("group")).setStage(w.grantStage(random));
        Set<String> seen = new HashSet<>();
        for (int j = 0; j < 1 + random.nextInt(3); j++) {
            String role = pick(random, w.endUserRoles);
            String app = pick(random, w.appKeys);
            if (seen.add(role + "/" + app)) {
                group.addRoleGrants(GroupRoleGrant.newBuilder().setRoleKey(role).setAppKey(app));
            }
        }
        if (random.nextBoolean()) {
            group.addIdpMappings(IdpMapping.newBuilder().setIdp(pick(random, IDPS)).setExternalGroup(pick(random, EXTERNAL_GROUPS)));
        }
        Set<String> members = new LinkedHashSet<>();
        for (int j = 0; j < random.nextInt(4); j++) {
            members.add(pick(random, w.userIds));
        }
        group.addAllUserIds(members);
        var response = groups.createGroup(group.build());
        String id = response.getGroup().getGroupId();
        w.groupIds.add(id);
        w.token = response.getRevisionToken();
        w.focusUsers.addAll(members);
        w.focusUsers.addAll(mappedUsers(w, group.getIdpMappingsList()));
        return "create group " + id + " in " + group.getStage() + " grants "
                + group.getRoleGrantsList().stream().map(g -> g.getRoleKey() + "@" + g.getAppKey()).toList()
                + " mappings " + group.getIdpMappingsList().stream().map(m -> m.getIdp() + ":" + m.getExternalGroup()).toList()
                + " members " + members;
    }

    private String grantRole(World w, Random random) {
        boolean endUser = random.nextBoolean();
        GrantRoleRequest.Builder request = GrantRoleRequest.newBuilder().setOrganizationId(w.org);
        Scope.Builder scope = Scope.newBuilder();
        if (endUser) {
            request.setPrincipal(Principal.newBuilder().setUserId(pick(random, w.userIds)))
                    .setRoleKey(pick(random, w.endUserRoles));
            scope.setStage(w.grantStage(random)).setAppKey(pick(random, w.appKeys));
        } else {
            request.setPrincipal(random.nextInt(4) == 0
                            ? Principal.newBuilder().setApiClientId(pick(random, w.clientIds))
                            : Principal.newBuilder().setUserId(pick(random, w.userIds)))
                    .setRoleKey(pick(random, w.orgRoles));
            if (random.nextBoolean()) {
                scope.setStage(w.grantStage(random));
            }
            if (random.nextBoolean()) {
                scope.setAppKey(pick(random, w.appKeys));
            }
        }
        request.setScope(scope);
        if (request.getPrincipal().hasUserId()) {
            w.focusUsers.add(request.getPrincipal().getUserId());
        }
        String what = "grant role " + request.getRoleKey() + " to " + request.getPrincipal().toString().strip()
                + " at " + scope.getStage() + "/" + scope.getAppKey();
        return write(w, what, () -> {
            var response = assignments.grantRole(request.build());
            w.assignmentIds.add(response.getAssignment().getAssignmentId());
            return response.getRevisionToken();
        });
    }

    /**
     * One random change through the API, described for the mismatch report. Refused ones (duplicates, keys
     * or stages still in use, races with deletes) change nothing.
     */
    private String mutate(World w, Random random) {
        w.focusUsers.clear();
        w.focusEmails.clear();
        String org = w.org;
        switch (random.nextInt(30)) {
            case 0, 1 -> {
                return grantRole(w, random);
            }
            case 2 -> {
                if (w.assignmentIds.isEmpty()) {
                    return grantRole(w, random);
                }
                String id = w.assignmentIds.remove(random.nextInt(w.assignmentIds.size()));
                focusAll(w);
                return write(w, "revoke assignment " + id, () -> assignments.revokeRole(RevokeRoleRequest.newBuilder()
                        .setOrganizationId(org).setAssignmentId(id).build()).getRevisionToken());
            }
            case 3, 4 -> {
                String group = pick(random, w.groupIds);
                String user = pickUser(w, random);
                w.focusUsers.add(user);
                boolean add = random.nextBoolean();
                return write(w, (add ? "add member " : "remove member ") + user + " of group " + group, () -> add
                        ? groups.addGroupMembers(AddGroupMembersRequest.newBuilder().setOrganizationId(org)
                                .setGroupId(group).addUserIds(user).build()).getRevisionToken()
                        : groups.removeGroupMembers(RemoveGroupMembersRequest.newBuilder().setOrganizationId(org)
                                .setGroupId(group).addUserIds(user).build()).getRevisionToken());
            }
            case 5, 6 -> {
                List<String> external = new ArrayList<>();
                for (String g : EXTERNAL_GROUPS) {
                    if (random.nextInt(3) == 0) {
                        external.add(g);
                    }
                }
                String user = pickUser(w, random);
                String idp = pick(random, IDPS);
                focusUser(w, user);
                return write(w, "sync external groups of " + user + " from " + idp + ": " + external, () ->
                        users.syncExternalGroups(SyncExternalGroupsRequest.newBuilder().setOrganizationId(org)
                                .setUserId(user).setIdp(idp).addAllExternalGroups(external).build()).getRevisionToken());
            }
            case 7, 8 -> {
                String user = pickUser(w, random);
                focusUser(w, user);
                return write(w, "deactivate " + user, () -> users.deactivateUser(DeactivateUserRequest.newBuilder()
                        .setOrganizationId(org).setUserId(user).build()).getRevisionToken());
            }
            case 9, 10 -> {
                String user = pickUser(w, random);
                focusUser(w, user);
                return write(w, "activate " + user, () -> users.activateUser(ActivateUserRequest.newBuilder()
                        .setOrganizationId(org).setUserId(user).build()).getRevisionToken());
            }
            case 11 -> {
                if (w.userIds.size() <= 4) {
                    return invite(w, random);
                }
                // Deleted users stay in the question pool, by id and by email: PRINCIPAL_NOT_FOUND from now on.
                String id = w.userIds.remove(random.nextInt(w.userIds.size()));
                w.goneUserIds.add(id);
                focusUser(w, id);
                String deleted = write(w, "delete user " + id + " " + w.emails.get(id), () -> users.deleteUser(
                        DeleteUserRequest.newBuilder().setOrganizationId(org).setUserId(id).build()).getRevisionToken());
                return deleted + "; " + invite(w, random);
            }
            case 12 -> {
                return updateEmail(w, random);
            }
            case 13 -> {
                return updateRole(w, random);
            }
            case 14 -> {
                return updateImplications(w, random);
            }
            case 15, 16 -> {
                boolean add = random.nextBoolean();
                String group = add ? pick(random, w.groupIds) : groupWith(w, random, w.last.groupRoleGrants().keySet());
                // A revoke mostly of a grant the group has (by the last snapshot), else of a random one.
                List<String[]> existing = w.last.groupRoleGrants().getOrDefault(UUID.fromString(group), List.of())
                        .stream().sorted(Comparator.comparing(g -> g[0] + "@" + g[1])).toList();
                String[] chosen = !add && !existing.isEmpty() && random.nextInt(5) > 0 ? pick(random, existing)
                        : new String[] {pick(random, w.endUserRoles), pick(random, w.appKeys)};
                GroupRoleGrant grant = GroupRoleGrant.newBuilder().setRoleKey(chosen[0]).setAppKey(chosen[1]).build();
                w.focusUsers.addAll(groupUsers(w, group));
                return write(w, (add ? "grant group " : "revoke group ") + group + " " + grant.getRoleKey() + "@"
                        + grant.getAppKey(), () -> add
                        ? groups.grantGroupRole(GrantGroupRoleRequest.newBuilder().setOrganizationId(org)
                                .setGroupId(group).setGrant(grant).build()).getRevisionToken()
                        : groups.revokeGroupRole(RevokeGroupRoleRequest.newBuilder().setOrganizationId(org)
                                .setGroupId(group).setGrant(grant).build()).getRevisionToken());
            }
            case 17, 18 -> {
                boolean add = random.nextBoolean();
                String group = add ? pick(random, w.groupIds) : groupWith(w, random, w.last.groupMappings().keySet());
                // A removal mostly of a mapping the group has (by the last snapshot), else of a random one.
                List<List<String>> existing = w.last.groupMappings().getOrDefault(UUID.fromString(group), Set.of())
                        .stream().sorted(Comparator.comparing(List::toString)).toList();
                List<String> chosen = !add && !existing.isEmpty() && random.nextInt(5) > 0 ? pick(random, existing)
                        : List.of(pick(random, IDPS), pick(random, EXTERNAL_GROUPS));
                IdpMapping mapping = IdpMapping.newBuilder().setIdp(chosen.get(0)).setExternalGroup(chosen.get(1)).build();
                w.focusUsers.addAll(mappedUsers(w, List.of(mapping)));
                w.focusUsers.addAll(groupUsers(w, group));
                return write(w, (add ? "add mapping " : "remove mapping ") + mapping.getIdp() + ":"
                        + mapping.getExternalGroup() + " of group " + group, () -> add
                        ? groups.addIdpMapping(AddIdpMappingRequest.newBuilder().setOrganizationId(org)
                                .setGroupId(group).setMapping(mapping).build()).getRevisionToken()
                        : groups.removeIdpMapping(RemoveIdpMappingRequest.newBuilder().setOrganizationId(org)
                                .setGroupId(group).setMapping(mapping).build()).getRevisionToken());
            }
            case 19 -> {
                if (w.groupIds.size() <= 2) {
                    return createGroup(w, random);
                }
                String id = w.groupIds.remove(random.nextInt(w.groupIds.size()));
                w.focusUsers.addAll(groupUsers(w, id));
                String deleted = write(w, "delete group " + id + " (force)", () -> groups.deleteGroup(
                        DeleteGroupRequest.newBuilder().setOrganizationId(org).setGroupId(id).setForce(true).build())
                        .getRevisionToken());
                return deleted + "; " + createGroup(w, random);
            }
            case 20 -> {
                String client = pick(random, w.clientIds);
                boolean disable = random.nextBoolean();
                return write(w, (disable ? "disable client " : "enable client ") + client, () -> disable
                        ? clients.disableApiClient(DisableApiClientRequest.newBuilder().setOrganizationId(org)
                                .setApiClientId(client).build()).getRevisionToken()
                        : clients.enableApiClient(EnableApiClientRequest.newBuilder().setOrganizationId(org)
                                .setApiClientId(client).build()).getRevisionToken());
            }
            case 21, 22 -> {
                return updateStages(w, random);
            }
            case 23 -> {
                return createAppMutation(w, random);
            }
            case 24 -> {
                return deleteApp(w, random);
            }
            case 25 -> {
                return createRoleMutation(w, random);
            }
            case 26 -> {
                return deleteRole(w, random);
            }
            case 27 -> {
                return createPermissionMutation(w, random);
            }
            case 28 -> {
                return deletePermission(w, random);
            }
            default -> {
                return invite(w, random);
            }
        }
    }

    private String updateEmail(World w, Random random) {
        String id = pickUser(w, random);
        String old = w.emails.get(id);
        int how = random.nextInt(6);
        // Mostly a new address; sometimes another user's (refused: emails are unique), sometimes its own in
        // other letters (the same address, compared case-insensitively).
        String email = how == 0 ? w.emails.get(pick(random, w.userIds))
                : how == 1 ? old.toUpperCase(Locale.ROOT)
                : freshEmail(w, random);
        focusUser(w, id);
        w.focusEmails.add(email);
        boolean done = writeOk(w, () -> users.updateUser(UpdateUserRequest.newBuilder().setOrganizationId(w.org)
                .setUser(User.newBuilder().setUserId(id).setEmail(email))
                .setUpdateMask(FieldMask.newBuilder().addPaths("email")).build()).getRevisionToken());
        if (done) {
            w.emails.put(id, email);
            if (!w.allEmails.contains(email)) {
                w.allEmails.add(email);
            }
        }
        return "change email of " + id + " from " + old + " to " + email + (done ? "" : " (refused)");
    }

    private String updateRole(World w, Random random) {
        String role = pick(random, random.nextBoolean() ? w.endUserRoles : w.orgRoles);
        if (!w.isCustomRole(role)) {
            return "nothing";
        }
        Role.Builder changed = Role.newBuilder().setKey(role);
        changed.addAllGrants(grants(w, random, w.endUserRoles.contains(role)));
        focusAll(w);
        return write(w, "set grants of " + role + " to " + describe(changed.getGrantsList()), () ->
                roles.updateRole(UpdateRoleRequest.newBuilder().setOrganizationId(w.org).setRole(changed)
                        .setUpdateMask(FieldMask.newBuilder().addPaths("grants")).build()).getRevisionToken());
    }

    /** New implications of a custom permission; a cycle is refused and changes nothing. */
    private String updateImplications(World w, Random random) {
        if (w.customPermissions.isEmpty()) {
            return createPermissionMutation(w, random);
        }
        String key = pick(random, w.customPermissions);
        Permission.Builder changed = Permission.newBuilder().setKey(key);
        for (int i = 0; i < random.nextInt(3); i++) {
            String implied = pick(random, w.permissionKeys);
            if (!changed.getImpliesList().contains(implied)) {
                changed.addImplies(implied);
            }
        }
        return write(w, "set implications of " + key + " to " + changed.getImpliesList(), () ->
                permissions.updatePermission(UpdatePermissionRequest.newBuilder().setOrganizationId(w.org)
                        .setPermission(changed).setUpdateMask(FieldMask.newBuilder().addPaths("implies")).build())
                        .getRevisionToken());
    }

    /**
     * UpdateOrganization's stages: adds one (new, or one removed earlier) at a random position, half of them
     * spare (no new grant uses them, though grants for all stages cover them), or removes one that nothing
     * uses (by the last snapshot); now and then tries to remove a used one, which is refused.
     */
    private String updateStages(World w, Random random) {
        Set<String> used = stagesInUse(w.last);
        List<String> unused = w.stages.stream().filter(s -> !used.contains(s)).toList();
        List<String> stages = new ArrayList<>(w.stages);
        String what;
        boolean tryUsed = random.nextInt(6) == 0;
        if (w.stages.size() > 1 && (tryUsed || (!unused.isEmpty() && (w.stages.size() >= 6 || random.nextInt(4) > 0)))) {
            String stage = tryUsed || unused.isEmpty() ? pick(random, w.stages) : pick(random, unused);
            stages.remove(stage);
            what = "remove stage " + stage + (unused.contains(stage) ? "" : " (in use)");
        } else if (w.stages.size() < 6) {
            String stage = !w.goneStages.isEmpty() && random.nextBoolean() ? pick(random, w.goneStages) : w.next("stage");
            stages.add(random.nextInt(stages.size() + 1), stage);
            if (random.nextBoolean()) {
                w.spareStages.add(stage);
            }
            what = "add stage " + stage + (w.spareStages.contains(stage) ? " (spare)" : "");
        } else {
            return "nothing";
        }
        boolean done = writeOk(w, () -> organizations.updateOrganization(UpdateOrganizationRequest.newBuilder()
                .setOrganization(Organization.newBuilder().setOrganizationId(w.org).addAllStages(stages))
                .setUpdateMask(FieldMask.newBuilder().addPaths("stages")).build()).getRevisionToken());
        if (done) {
            Set<String> gone = new HashSet<>(w.stages);
            gone.removeAll(stages);
            w.goneStages.removeAll(stages);
            w.goneStages.addAll(gone);
            w.spareStages.removeAll(gone);
            w.stages.clear();
            w.stages.addAll(stages);
        }
        if (!done) {
            w.spareStages.retainAll(w.stages);
        }
        return what + " → " + stages + (done ? "" : " (refused)");
    }

    private static Set<String> stagesInUse(Snapshot s) {
        Set<String> used = new HashSet<>(s.groupStage().values());
        s.directGrants().values().forEach(grants -> grants.forEach(g -> used.add(g.stage())));
        for (List<RolePermission> grants : s.rolePermissions().values()) {
            for (RolePermission grant : grants) {
                if (grant.stages() != null) {
                    used.addAll(grant.stages());
                }
            }
        }
        return used;
    }

    /** CreateApp: a new key, or one deleted earlier (its old grants are gone with it). */
    private String createAppMutation(World w, Random random) {
        String key = !w.goneApps.isEmpty() && random.nextBoolean() ? pick(random, w.goneApps) : w.next("app");
        createApp(w, key);
        return "create app " + key;
    }

    /** DeleteApp, mostly with force (revoking what is scoped to it); without, it is refused while in use. */
    private String deleteApp(World w, Random random) {
        if (w.appKeys.size() <= 2) {
            return createAppMutation(w, random);
        }
        String key = pick(random, w.appKeys);
        boolean force = random.nextInt(5) > 0;
        focusAll(w);
        boolean done = writeOk(w, () -> apps.deleteApp(DeleteAppRequest.newBuilder().setOrganizationId(w.org)
                .setKey(key).setForce(force).build()).getRevisionToken());
        if (done) {
            w.appKeys.remove(key);
            w.goneApps.add(key);
        }
        return "delete app " + key + (force ? " (force)" : "") + (done ? "" : " (refused)");
    }

    /** CreateRole: a new key, or one deleted earlier, perhaps now of the other kind. */
    private String createRoleMutation(World w, Random random) {
        RoleKind kind = random.nextBoolean() ? RoleKind.ROLE_KIND_END_USER : RoleKind.ROLE_KIND_ORGANIZATION;
        String key = !w.goneRoles.isEmpty() && random.nextBoolean() ? pick(random, w.goneRoles)
                : w.next(kind == RoleKind.ROLE_KIND_END_USER ? "erole" : "orole");
        return "create role " + createRole(w, random, key, kind);
    }

    /** DeleteRole of a custom role, mostly with force; without, it is refused while assigned or granted. */
    private String deleteRole(World w, Random random) {
        boolean endUser = random.nextBoolean() && w.endUserRoles.size() > 1;
        List<String> candidates = endUser ? w.endUserRoles : w.orgRoles.stream().filter(w::isCustomRole).toList();
        if (candidates.isEmpty()) {
            return createRoleMutation(w, random);
        }
        String key = pick(random, candidates);
        boolean force = random.nextInt(5) > 0;
        focusAll(w);
        boolean done = writeOk(w, () -> roles.deleteRole(DeleteRoleRequest.newBuilder().setOrganizationId(w.org)
                .setKey(key).setForce(force).build()).getRevisionToken());
        if (done) {
            w.endUserRoles.remove(key);
            w.orgRoles.remove(key);
            w.goneRoles.add(key);
        }
        return "delete role " + key + (force ? " (force)" : "") + (done ? "" : " (refused)");
    }

    /** CreatePermission: a new key, or one deleted earlier, perhaps now of another level. */
    private String createPermissionMutation(World w, Random random) {
        String key = !w.gonePermissions.isEmpty() && random.nextBoolean() ? pick(random, w.gonePermissions)
                : w.next("p") + ".act";
        return "create permission " + createPermission(w, random, key);
    }

    /** DeletePermission of a custom permission, mostly with force; without, refused while granted or implied. */
    private String deletePermission(World w, Random random) {
        if (w.customPermissions.size() <= 2) {
            return createPermissionMutation(w, random);
        }
        String key = pick(random, w.customPermissions);
        boolean force = random.nextInt(5) > 0;
        focusAll(w);
        boolean done = writeOk(w, () -> permissions.deletePermission(DeletePermissionRequest.newBuilder()
                .setOrganizationId(w.org).setKey(key).setForce(force).build()).getRevisionToken());
        if (done) {
            w.permissionKeys.remove(key);
            w.customPermissions.remove(key);
            w.levels.remove(key);
            w.gonePermissions.add(key);
        }
        return "delete permission " + key + (force ? " (force)" : "") + (done ? "" : " (refused)");
    }

    /** The users who are effective members of {@code group} in the last snapshot. */
    private static List<String> groupUsers(World w, String group) {
        Set<String> found = new HashSet<>();
        UUID id = UUID.fromString(group);
        w.last.groupMembers().getOrDefault(id, Set.of()).forEach(u -> found.add(u.toString()));
        Set<List<String>> mappings = w.last.groupMappings().getOrDefault(id, Set.of());
        w.last.externalGroups().forEach((user, external) -> {
            if (external.stream().anyMatch(mappings::contains)) {
                found.add(user.toString());
            }
        });
        return inOrder(w, found);
    }

    /** The users whose external groups (in the last snapshot) match one of {@code mappings}. */
    private static List<String> mappedUsers(World w, Collection<IdpMapping> mappings) {
        Set<String> found = new HashSet<>();
        if (w.last == null) {
            return List.of();
        }
        Set<List<String>> pairs = new HashSet<>();
        mappings.forEach(m -> pairs.add(List.of(m.getIdp(), m.getExternalGroup())));
        w.last.externalGroups().forEach((user, external) -> {
            if (external.stream().anyMatch(pairs::contains)) {
                found.add(user.toString());
            }
        });
        return inOrder(w, found);
    }

    /** Mostly a group among {@code having} (by the last snapshot), else any. */
    private static String groupWith(World w, Random random, Set<UUID> having) {
        List<String> candidates = w.groupIds.stream().filter(g -> having.contains(UUID.fromString(g))).toList();
        return candidates.isEmpty() || random.nextInt(5) == 0 ? pick(random, w.groupIds) : pick(random, candidates);
    }

    private static List<String> inOrder(World w, Set<String> users) {
        return w.allUserIds.stream().filter(users::contains).toList();
    }

    private static void focusUser(World w, String id) {
        w.focusUsers.add(id);
        w.focusEmails.add(w.emails.get(id));
    }

    /** A catalogue change concerns everyone: no principal is asked about more than the others. */
    private static void focusAll(World w) {
        w.focusUsers.clear();
        w.focusEmails.clear();
    }

    /** Runs a write; a refusal (duplicate, cycle, missing, in use) is part of the game and changes nothing. */
    private static String write(World w, String what, Supplier<String> call) {
        return writeOk(w, call) ? what : what + " (refused)";
    }

    private static boolean writeOk(World w, Supplier<String> call) {
        try {
            w.token = call.get();
            return true;
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).as("a random write may be refused, never fail internally: %s", e)
                    .isIn(io.grpc.Status.Code.ALREADY_EXISTS, io.grpc.Status.Code.NOT_FOUND,
                            io.grpc.Status.Code.INVALID_ARGUMENT, io.grpc.Status.Code.FAILED_PRECONDITION);
            return false;
        }
    }

    /** Mostly a live user; now and then a deleted one (the write is then refused). */
    private static String pickUser(World w, Random random) {
        return !w.goneUserIds.isEmpty() && random.nextInt(15) == 0 ? pick(random, w.goneUserIds) : pick(random, w.userIds);
    }

    /** A principal, by id, email or API client id; live, deleted or unknown; often one the last step touched. */
    private static Question principalQuestion(World w, Random random) {
        String userId = null;
        String email = null;
        String client = null;
        int who = random.nextInt(20);
        if (!w.focusUsers.isEmpty() && who < 3) {
            userId = pick(random, w.focusUsers);
        } else if (!w.focusEmails.isEmpty() && who < 5) {
            email = emailVariant(random, pick(random, w.focusEmails));
        } else if (who < 11) {
            userId = pick(random, w.userIds);
        } else if (who < 12) {
            userId = w.goneUserIds.isEmpty() ? pick(random, w.userIds) : pick(random, w.goneUserIds);
        } else if (who < 16) {
            email = emailVariant(random, random.nextInt(4) == 0 ? pick(random, w.allEmails)
                    : w.emails.get(pick(random, w.userIds)));
        } else if (who < 19) {
            client = random.nextInt(10) == 0 ? new UUID(random.nextLong(), random.nextLong()).toString()
                    : pick(random, w.clientIds);
        } else {
            userId = new UUID(random.nextLong(), random.nextLong()).toString();
        }
        return new Question(userId, email, client, null, null, null, null);
    }

    private static String emailVariant(Random random, String email) {
        return switch (random.nextInt(3)) {
            case 0 -> email.toUpperCase(Locale.ROOT);
            case 1 -> " " + email;
            default -> email;
        };
    }

    private static Question question(World w, Random random) {
        Question who = principalQuestion(w, random);
        String permission = null;
        String role = null;
        int what = random.nextInt(40);
        if (what < 25) {
            permission = pick(random, w.permissionKeys);
        } else if (what < 35) {
            role = pick(random, random.nextBoolean() ? w.endUserRoles : w.orgRoles);
        } else if (what < 36) {
            permission = w.gonePermissions.isEmpty() ? "no.such.permission" : pick(random, w.gonePermissions);
        } else if (what < 37) {
            role = w.goneRoles.isEmpty() ? "no_such_role" : pick(random, w.goneRoles);
        } else if (what < 38) {
            permission = "no.such.permission";
        } else if (what < 39) {
            role = "no_such_role";
        } else {
            permission = pick(random, w.permissionKeys);
        }
        // Mostly well-shaped questions, sometimes not, to cover the invalid-argument paths.
        boolean wantStage;
        boolean wantApp;
        if (permission != null && w.levels.containsKey(permission)) {
            PermissionLevel level = w.levels.get(permission);
            wantStage = level != PermissionLevel.PERMISSION_LEVEL_ORGANIZATION;
            wantApp = level == PermissionLevel.PERMISSION_LEVEL_APP;
        } else if (role != null && w.endUserRoles.contains(role)) {
            wantStage = true;
            wantApp = true;
        } else {
            wantStage = random.nextBoolean();
            wantApp = random.nextBoolean();
        }
        if (random.nextInt(12) == 0) {
            wantStage = !wantStage;
        }
        if (random.nextInt(12) == 0) {
            wantApp = !wantApp;
        }
        String stage = null;
        String app = null;
        if (wantStage) {
            int r = random.nextInt(25);
            stage = r == 0 ? "nostage" : r == 1 && !w.goneStages.isEmpty() ? pick(random, w.goneStages) : pick(random, w.stages);
        }
        if (wantApp) {
            int r = random.nextInt(25);
            app = r == 0 ? "noapp" : r < 3 && !w.goneApps.isEmpty() ? pick(random, w.goneApps) : pick(random, w.appKeys);
        }
        return new Question(who.userId(), who.userEmail(), who.apiClientId(), permission, role, stage, app);
    }

    private static <T> T pick(Random random, List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

    private static <T> T pick(Random random, T[] items) {
        return items[random.nextInt(items.length)];
    }
}
