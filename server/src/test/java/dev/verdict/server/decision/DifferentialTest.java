package dev.verdict.server.decision;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import com.google.rpc.BadRequest;
import dev.verdict.server.TestServer;
import dev.verdict.server.decision.ReferenceEvaluator.Outcome;
import dev.verdict.server.decision.ReferenceEvaluator.Question;
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
import dev.verdict.v1.BatchCheckAccessResult;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.CreateApiClientRequest;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.CreateGroupRequest;
import dev.verdict.v1.CreateOrganizationRequest;
import dev.verdict.v1.CreatePermissionRequest;
import dev.verdict.v1.CreateRoleRequest;
import dev.verdict.v1.DeactivateUserRequest;
import dev.verdict.v1.DeleteGroupRequest;
import dev.verdict.v1.DeleteUserRequest;
import dev.verdict.v1.DisableApiClientRequest;
import dev.verdict.v1.EnableApiClientRequest;
import dev.verdict.v1.GrantGroupRoleRequest;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.GroupRoleGrant;
import dev.verdict.v1.GroupServiceGrpc;
import dev.verdict.v1.IdpMapping;
import dev.verdict.v1.InviteUserRequest;
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
import dev.verdict.v1.UpdatePermissionRequest;
import dev.verdict.v1.UpdateRoleRequest;
import dev.verdict.v1.UserServiceGrpc;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Random organizations, random mutation sequences through the gRPC API, and after every step a batch of
 * random checks compared with {@link ReferenceEvaluator} on a fresh copy of the tables. Reproduce a failure
 * with {@code -Dverdict.seed=<the printed seed>}; {@code -Dverdict.differential.checks=N} sets the volume.
 */
class DifferentialTest {
    private static final int CHECKS_PER_STEP = 1000;
    private static final String[] IDPS = {"azure", "okta"};
    private static final String[] EXTERNAL_GROUPS = {"Sales", "sales", "Finance", "Marketing", "Ops"};

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

    /** What the generator knows exists, to pick mostly meaningful operations. */
    private static final class World {
        String org;
        String token = "0";
        List<String> stages = new ArrayList<>();
        List<String> permissionKeys = new ArrayList<>();
        Map<String, PermissionLevel> levels = new HashMap<>();
        List<String> orgRoles = new ArrayList<>(List.of("administrator", "developer"));
        List<String> endUserRoles = new ArrayList<>();
        List<String> appKeys = new ArrayList<>();
        List<String> userIds = new ArrayList<>();
        Map<String, String> emails = new HashMap<>();
        List<String> clientIds = new ArrayList<>();
        List<String> assignmentIds = new ArrayList<>();
        List<String> groupIds = new ArrayList<>();
    }

    @Test
    void engineAgreesWithTheReferenceEvaluator() {
        long seed = Long.getLong("verdict.seed", System.nanoTime());
        int totalChecks = Integer.getInteger("verdict.differential.checks", 200_000);
        System.out.println("DifferentialTest seed=" + seed + " (rerun with -Dverdict.seed=" + seed + ")");
        Random random = new Random(seed);
        int compared = 0;
        int mismatches = 0;
        List<String> firstMismatches = new ArrayList<>();
        while (compared < totalChecks) {
            World world = newWorld(random);
            for (int step = 0; step < 40 && compared < totalChecks; step++) {
                mutate(world, random);
                List<Question> questions = new ArrayList<>();
                for (int i = 0; i < CHECKS_PER_STEP; i++) {
                    questions.add(question(world, random));
                }
                Consistency consistency = random.nextInt(4) == 0
                        ? Consistency.newBuilder().setFullyConsistent(true).build()
                        : Consistency.newBuilder().setAtLeastAsFresh(world.token).build();
                List<BatchCheckAccessResult> results = batch(world.org, questions, consistency);
                ReferenceEvaluator.Snapshot snapshot = ReferenceEvaluator.snapshot(
                        TestServer.server().database().dsl(), UUID.fromString(world.org));
                for (int i = 0; i < questions.size(); i++) {
                    Outcome expected = ReferenceEvaluator.check(snapshot, questions.get(i));
                    Outcome actual = outcome(results.get(i));
                    compared++;
                    if (!agrees(expected, actual)) {
                        mismatches++;
                        if (firstMismatches.size() < 10) {
                            firstMismatches.add(questions.get(i) + " expected " + expected + " got " + actual);
                        }
                    }
                }
            }
        }
        System.out.println("DifferentialTest compared " + compared + " checks, " + mismatches + " mismatches (seed=" + seed + ")");
        assertThat(firstMismatches).as("mismatches with seed " + seed).isEmpty();
        assertThat(compared).isGreaterThanOrEqualTo(totalChecks);
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

    private List<BatchCheckAccessResult> batch(String org, List<Question> questions, Consistency consistency) {
        BatchCheckAccessRequest.Builder request = BatchCheckAccessRequest.newBuilder()
                .setOrganizationId(org).setConsistency(consistency);
        for (int i = 0; i < questions.size(); i++) {
            request.addItems(BatchCheckAccessItem.newBuilder().setCorrelationId(Integer.toString(i)).setQuery(query(questions.get(i))));
        }
        List<BatchCheckAccessResult> results = access.batchCheckAccess(request.build()).getResultsList();
        assertThat(results).hasSize(questions.size());
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).getCorrelationId()).isEqualTo(Integer.toString(i));
        }
        return results;
    }

    private static AccessQuery query(Question q) {
        Principal.Builder principal = Principal.newBuilder();
        if (q.userId() != null) {
            principal.setUserId(q.userId());
        } else if (q.userEmail() != null) {
            principal.setUserEmail(q.userEmail());
        } else {
            principal.setApiClientId(q.apiClientId());
        }
        Target.Builder target = Target.newBuilder();
        if (q.permissionKey() != null) {
            target.setPermissionKey(q.permissionKey());
        } else {
            target.setRoleKey(q.roleKey());
        }
        AccessQuery.Builder query = AccessQuery.newBuilder().setPrincipal(principal).setTarget(target);
        if (q.stage() != null) {
            query.setStage(q.stage());
        }
        if (q.appKey() != null) {
            query.setAppKey(q.appKey());
        }
        return query.build();
    }

    private static Outcome outcome(BatchCheckAccessResult result) {
        if (result.hasError()) {
            com.google.rpc.Status status = result.getError();
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
        var response = result.getResponse();
        return switch (response.getDecision()) {
            case DECISION_ALLOWED -> Outcome.allowed();
            case DECISION_DENIED -> Outcome.denied(response.getReason().name().replace("DENY_REASON_", ""));
            default -> new Outcome(response.getDecision().name(), "");
        };
    }

    // ---- generation -------------------------------------------------------------------------------------

    private World newWorld(Random random) {
        World w = new World();
        int stageCount = 2 + random.nextInt(3);
        List<String> stages = List.of("dev", "test", "acc", "prod").subList(0, stageCount);
        w.org = organizations.createOrganization(CreateOrganizationRequest.newBuilder()
                .setName("diff-" + UUID.randomUUID()).addAllStages(stages).build()).getOrganization().getOrganizationId();
        w.stages.addAll(stages);
        for (int i = 0; i < 3 + random.nextInt(3); i++) {
            String key = "app" + i;
            apps.createApp(CreateAppRequest.newBuilder().setOrganizationId(w.org)
                    .setApp(dev.verdict.v1.App.newBuilder().setKey(key)).build());
            w.appKeys.add(key);
        }
        // Permissions: implications only towards earlier ones, so the DAG is acyclic by construction.
        PermissionLevel[] levels = {PermissionLevel.PERMISSION_LEVEL_ORGANIZATION, PermissionLevel.PERMISSION_LEVEL_STAGE,
                PermissionLevel.PERMISSION_LEVEL_APP, PermissionLevel.PERMISSION_LEVEL_APP};
        w.permissionKeys.addAll(List.of("app.view", "app.change", "app.debug", "app.deploy", "users.manage", "stage.view"));
        w.levels.putAll(Map.of("app.view", levels[2], "app.change", levels[2], "app.debug", levels[2],
                "app.deploy", levels[2], "users.manage", levels[0], "stage.view", levels[1]));
        for (int i = 0; i < 6 + random.nextInt(6); i++) {
            String key = "p" + i + ".act";
            PermissionLevel level = levels[random.nextInt(levels.length)];
            Permission.Builder p = Permission.newBuilder().setKey(key).setLevel(level).setSection("Random");
            for (int j = 0; j < random.nextInt(3); j++) {
                String implied = pick(random, w.permissionKeys);
                if (!p.getImpliesList().contains(implied)) {
                    p.addImplies(implied);
                }
            }
            permissions.createPermission(CreatePermissionRequest.newBuilder().setOrganizationId(w.org).setPermission(p).build());
            w.permissionKeys.add(key);
            w.levels.put(key, level);
        }
        for (int i = 0; i < 3; i++) {
            createRole(w, random, "orole" + i, RoleKind.ROLE_KIND_ORGANIZATION);
            createRole(w, random, "erole" + i, RoleKind.ROLE_KIND_END_USER);
        }
        for (int i = 0; i < 8 + random.nextInt(8); i++) {
            invite(w, random, i);
        }
        for (int i = 0; i < 2; i++) {
            w.clientIds.add(clients.createApiClient(CreateApiClientRequest.newBuilder().setOrganizationId(w.org)
                    .setName("client" + i).build()).getApiClient().getApiClientId());
        }
        for (int i = 0; i < 3 + random.nextInt(3); i++) {
            createGroup(w, random, i);
        }
        for (int i = 0; i < 15; i++) {
            grantRole(w, random);
        }
        return w;
    }

    private void createRole(World w, Random random, String key, RoleKind kind) {
        Role.Builder role = Role.newBuilder().setKey(key).setKind(kind);
        List<String> used = new ArrayList<>();
        for (int i = 0; i < random.nextInt(4); i++) {
            String permission = pick(random, w.permissionKeys);
            PermissionLevel level = w.levels.get(permission);
            if (used.contains(permission) || (kind == RoleKind.ROLE_KIND_END_USER && level != PermissionLevel.PERMISSION_LEVEL_APP)) {
                continue;
            }
            used.add(permission);
            role.addGrants(grant(w, random, permission, level));
        }
        roles.createRole(CreateRoleRequest.newBuilder().setOrganizationId(w.org).setRole(role).build());
        (kind == RoleKind.ROLE_KIND_END_USER ? w.endUserRoles : w.orgRoles).add(key);
    }

    private static PermissionGrant grant(World w, Random random, String permission, PermissionLevel level) {
        PermissionGrant.Builder grant = PermissionGrant.newBuilder().setPermissionKey(permission);
        if (level != PermissionLevel.PERMISSION_LEVEL_ORGANIZATION && random.nextBoolean()) {
            for (String stage : w.stages) {
                if (random.nextBoolean()) {
                    grant.addStages(stage);
                }
            }
        }
        return grant.build();
    }

    private void invite(World w, Random random, int i) {
        String email = "user" + i + "-" + random.nextInt(1_000_000) + "@example.com";
        String id = users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(w.org).setEmail(email).build())
                .getUser().getUserId();
        w.userIds.add(id);
        w.emails.put(id, email);
        if (random.nextInt(5) > 0) {
            users.activateUser(ActivateUserRequest.newBuilder().setOrganizationId(w.org).setUserId(id).build());
        }
    }

    private void createGroup(World w, Random random, int i) {
        CreateGroupRequest.Builder group = CreateGroupRequest.newBuilder().setOrganizationId(w.org)
                .setName("group" + i).setStage(pick(random, w.stages));
        List<String> seen = new ArrayList<>();
        for (int j = 0; j < 1 + random.nextInt(3); j++) {
            String role = pick(random, w.endUserRoles);
            String app = pick(random, w.appKeys);
            if (!seen.contains(role + app)) {
                seen.add(role + app);
                group.addRoleGrants(GroupRoleGrant.newBuilder().setRoleKey(role).setAppKey(app));
            }
        }
        if (random.nextBoolean()) {
            group.addIdpMappings(IdpMapping.newBuilder().setIdp(pick(random, IDPS)).setExternalGroup(pick(random, EXTERNAL_GROUPS)));
        }
        List<String> members = new ArrayList<>();
        for (int j = 0; j < random.nextInt(4); j++) {
            String user = pick(random, w.userIds);
            if (!members.contains(user)) {
                members.add(user);
            }
        }
        group.addAllUserIds(members);
        var response = groups.createGroup(group.build());
        w.groupIds.add(response.getGroup().getGroupId());
        w.token = response.getRevisionToken();
    }

    private void grantRole(World w, Random random) {
        boolean endUser = random.nextBoolean();
        GrantRoleRequest.Builder request = GrantRoleRequest.newBuilder().setOrganizationId(w.org);
        Scope.Builder scope = Scope.newBuilder();
        if (endUser) {
            request.setPrincipal(Principal.newBuilder().setUserId(pick(random, w.userIds)))
                    .setRoleKey(pick(random, w.endUserRoles));
            scope.setStage(pick(random, w.stages)).setAppKey(pick(random, w.appKeys));
        } else {
            request.setPrincipal(random.nextInt(4) == 0
                            ? Principal.newBuilder().setApiClientId(pick(random, w.clientIds))
                            : Principal.newBuilder().setUserId(pick(random, w.userIds)))
                    .setRoleKey(pick(random, w.orgRoles));
            if (random.nextBoolean()) {
                scope.setStage(pick(random, w.stages));
            }
            if (random.nextBoolean()) {
                scope.setAppKey(pick(random, w.appKeys));
            }
        }
        write(w, () -> {
            var response = assignments.grantRole(request.setScope(scope).build());
            w.assignmentIds.add(response.getAssignment().getAssignmentId());
            return response.getRevisionToken();
        });
    }

    /** One random change through the API; refused ones (duplicates, races with deletes) change nothing. */
    private void mutate(World w, Random random) {
        String org = w.org;
        switch (random.nextInt(16)) {
            case 0, 1 -> grantRole(w, random);
            case 2 -> {
                if (!w.assignmentIds.isEmpty()) {
                    String id = w.assignmentIds.remove(random.nextInt(w.assignmentIds.size()));
                    write(w, () -> assignments.revokeRole(RevokeRoleRequest.newBuilder().setOrganizationId(org)
                            .setAssignmentId(id).build()).getRevisionToken());
                }
            }
            case 3 -> write(w, () -> groups.addGroupMembers(AddGroupMembersRequest.newBuilder().setOrganizationId(org)
                    .setGroupId(pick(random, w.groupIds)).addUserIds(pick(random, w.userIds)).build()).getRevisionToken());
            case 4 -> write(w, () -> groups.removeGroupMembers(RemoveGroupMembersRequest.newBuilder().setOrganizationId(org)
                    .setGroupId(pick(random, w.groupIds)).addUserIds(pick(random, w.userIds)).build()).getRevisionToken());
            case 5 -> {
                List<String> external = new ArrayList<>();
                for (String g : EXTERNAL_GROUPS) {
                    if (random.nextInt(3) == 0) {
                        external.add(g);
                    }
                }
                write(w, () -> users.syncExternalGroups(SyncExternalGroupsRequest.newBuilder().setOrganizationId(org)
                        .setUserId(pick(random, w.userIds)).setIdp(pick(random, IDPS)).addAllExternalGroups(external)
                        .build()).getRevisionToken());
            }
            case 6 -> write(w, () -> users.deactivateUser(DeactivateUserRequest.newBuilder().setOrganizationId(org)
                    .setUserId(pick(random, w.userIds)).build()).getRevisionToken());
            case 7 -> write(w, () -> users.activateUser(ActivateUserRequest.newBuilder().setOrganizationId(org)
                    .setUserId(pick(random, w.userIds)).build()).getRevisionToken());
            case 8 -> {
                if (w.userIds.size() > 4) {
                    String id = w.userIds.remove(random.nextInt(w.userIds.size()));
                    write(w, () -> users.deleteUser(DeleteUserRequest.newBuilder().setOrganizationId(org)
                            .setUserId(id).build()).getRevisionToken());
                }
                invite(w, random, 100 + random.nextInt(1000));
            }
            case 9 -> {
                String role = pick(random, random.nextBoolean() ? w.endUserRoles : w.orgRoles);
                if (role.equals("administrator") || role.equals("developer")) {
                    return;
                }
                boolean endUser = w.endUserRoles.contains(role);
                Role.Builder changed = Role.newBuilder().setKey(role);
                List<String> used = new ArrayList<>();
                for (int i = 0; i < random.nextInt(4); i++) {
                    String permission = pick(random, w.permissionKeys);
                    PermissionLevel level = w.levels.get(permission);
                    if (used.contains(permission) || (endUser && level != PermissionLevel.PERMISSION_LEVEL_APP)) {
                        continue;
                    }
                    used.add(permission);
                    changed.addGrants(grant(w, random, permission, level));
                }
                write(w, () -> roles.updateRole(UpdateRoleRequest.newBuilder().setOrganizationId(org).setRole(changed)
                        .setUpdateMask(FieldMask.newBuilder().addPaths("grants")).build()).getRevisionToken());
            }
            case 10 -> {
                // Custom permissions only; a cycle is refused and changes nothing.
                String key = pick(random, w.permissionKeys);
                if (!key.startsWith("p")) {
                    return;
                }
                Permission.Builder changed = Permission.newBuilder().setKey(key);
                for (int i = 0; i < random.nextInt(3); i++) {
                    String implied = pick(random, w.permissionKeys);
                    if (!changed.getImpliesList().contains(implied)) {
                        changed.addImplies(implied);
                    }
                }
                write(w, () -> permissions.updatePermission(UpdatePermissionRequest.newBuilder().setOrganizationId(org)
                        .setPermission(changed).setUpdateMask(FieldMask.newBuilder().addPaths("implies")).build())
                        .getRevisionToken());
            }
            case 11 -> write(w, () -> groups.grantGroupRole(GrantGroupRoleRequest.newBuilder().setOrganizationId(org)
                    .setGroupId(pick(random, w.groupIds)).setGrant(GroupRoleGrant.newBuilder()
                            .setRoleKey(pick(random, w.endUserRoles)).setAppKey(pick(random, w.appKeys))).build())
                    .getRevisionToken());
            case 12 -> write(w, () -> groups.revokeGroupRole(RevokeGroupRoleRequest.newBuilder().setOrganizationId(org)
                    .setGroupId(pick(random, w.groupIds)).setGrant(GroupRoleGrant.newBuilder()
                            .setRoleKey(pick(random, w.endUserRoles)).setAppKey(pick(random, w.appKeys))).build())
                    .getRevisionToken());
            case 13 -> {
                IdpMapping mapping = IdpMapping.newBuilder().setIdp(pick(random, IDPS))
                        .setExternalGroup(pick(random, EXTERNAL_GROUPS)).build();
                String group = pick(random, w.groupIds);
                if (random.nextBoolean()) {
                    write(w, () -> groups.addIdpMapping(AddIdpMappingRequest.newBuilder().setOrganizationId(org)
                            .setGroupId(group).setMapping(mapping).build()).getRevisionToken());
                } else {
                    write(w, () -> groups.removeIdpMapping(RemoveIdpMappingRequest.newBuilder().setOrganizationId(org)
                            .setGroupId(group).setMapping(mapping).build()).getRevisionToken());
                }
            }
            case 14 -> {
                if (w.groupIds.size() > 2) {
                    String id = w.groupIds.remove(random.nextInt(w.groupIds.size()));
                    write(w, () -> groups.deleteGroup(DeleteGroupRequest.newBuilder().setOrganizationId(org)
                            .setGroupId(id).setForce(true).build()).getRevisionToken());
                }
                createGroup(w, random, 100 + random.nextInt(10_000));
            }
            default -> {
                String client = pick(random, w.clientIds);
                if (random.nextBoolean()) {
                    write(w, () -> clients.disableApiClient(DisableApiClientRequest.newBuilder().setOrganizationId(org)
                            .setApiClientId(client).build()).getRevisionToken());
                } else {
                    write(w, () -> clients.enableApiClient(EnableApiClientRequest.newBuilder().setOrganizationId(org)
                            .setApiClientId(client).build()).getRevisionToken());
                }
            }
        }
    }

    /** Runs a write; a refusal (duplicate, cycle, missing) is part of the game and leaves the token as it was. */
    private static void write(World w, Supplier<String> call) {
        try {
            w.token = call.get();
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).as("a random write may be refused, never fail internally")
                    .isIn(io.grpc.Status.Code.ALREADY_EXISTS, io.grpc.Status.Code.NOT_FOUND,
                            io.grpc.Status.Code.INVALID_ARGUMENT, io.grpc.Status.Code.FAILED_PRECONDITION);
        }
    }

    private static Question question(World w, Random random) {
        String userId = null;
        String email = null;
        String client = null;
        int who = random.nextInt(10);
        if (who < 6) {
            userId = pick(random, w.userIds);
        } else if (who < 8) {
            String id = pick(random, w.userIds);
            String e = w.emails.get(id);
            email = random.nextBoolean() ? e.toUpperCase(Locale.ROOT) : " " + e;
        } else if (who == 8) {
            client = pick(random, w.clientIds);
        } else {
            userId = UUID.randomUUID().toString();
        }
        String permission = null;
        String role = null;
        int what = random.nextInt(20);
        if (what < 13) {
            permission = pick(random, w.permissionKeys);
        } else if (what < 18) {
            role = pick(random, random.nextBoolean() ? w.endUserRoles : w.orgRoles);
        } else if (what == 18) {
            permission = "no.such.permission";
        } else {
            role = "no_such_role";
        }
        // Mostly well-shaped questions, sometimes not, to cover the invalid-argument paths.
        String stage = null;
        String app = null;
        boolean wantStage;
        boolean wantApp;
        if (permission != null && w.levels.containsKey(permission)) {
            PermissionLevel level = w.levels.get(permission);
            wantStage = level != PermissionLevel.PERMISSION_LEVEL_ORGANIZATION;
            wantApp = level == PermissionLevel.PERMISSION_LEVEL_APP;
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
        if (wantStage) {
            stage = random.nextInt(25) == 0 ? "nostage" : pick(random, w.stages);
        }
        if (wantApp) {
            app = random.nextInt(25) == 0 ? "noapp" : pick(random, w.appKeys);
        }
        return new Question(userId, email, client, permission, role, stage, app);
    }

    private static <T> T pick(Random random, List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

    private static <T> T pick(Random random, T[] items) {
        return items[random.nextInt(items.length)];
    }
}
