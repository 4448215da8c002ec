package dev.verdict.server.fuzz;

import static dev.verdict.server.store.schema.Tables.ORGANIZATION;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.TextFormat;
import dev.verdict.server.DeclaredServices;
import dev.verdict.server.TestServer;
import dev.verdict.v1.ApiClientServiceGrpc;
import dev.verdict.v1.App;
import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.AssignmentServiceGrpc;
import dev.verdict.v1.CreateApiClientRequest;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.CreateGroupRequest;
import dev.verdict.v1.CreateOrganizationRequest;
import dev.verdict.v1.CreatePermissionRequest;
import dev.verdict.v1.CreateRoleRequest;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.GroupRoleGrant;
import dev.verdict.v1.GroupServiceGrpc;
import dev.verdict.v1.IdpMapping;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.OrganizationServiceGrpc;
import dev.verdict.v1.Permission;
import dev.verdict.v1.PermissionLevel;
import dev.verdict.v1.PermissionServiceGrpc;
import dev.verdict.v1.Principal;
import dev.verdict.v1.Role;
import dev.verdict.v1.RoleKind;
import dev.verdict.v1.RoleServiceGrpc;
import dev.verdict.v1.Scope;
import dev.verdict.v1.UserServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random and mutated requests to every RPC of every service declared in the {@code verdict.v1} protos
 * ({@link DeclaredServices}), through real calls on the shared test server. Whatever comes in: never INTERNAL
 * or UNKNOWN, never a hang, the server still healthy afterwards, and a failed request writes nothing (the seeded organizations' revisions and the
 * number of organizations are unchanged). Seeded: {@code -Dverdict.fuzz.seed=S}; length
 * {@code -Dverdict.fuzz.requests=N} (3,000 by default).
 */
class RequestFuzzTest {
    private static final long DEADLINE_SECONDS = 10;

    /** One RPC as dynamic messages. */
    private record Rpc(String name, Descriptors.MethodDescriptor proto, MethodDescriptor<DynamicMessage, DynamicMessage> grpc) {
        boolean streaming() {
            return proto.isServerStreaming();
        }
    }

    private static List<Rpc> rpcs() {
        List<Rpc> rpcs = new ArrayList<>();
        for (Descriptors.ServiceDescriptor proto : DeclaredServices.all()) {
            for (Descriptors.MethodDescriptor method : proto.getMethods()) {
                MethodDescriptor<DynamicMessage, DynamicMessage> grpc = MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
                        .setType(method.isServerStreaming() ? MethodDescriptor.MethodType.SERVER_STREAMING
                                : MethodDescriptor.MethodType.UNARY)
                        .setFullMethodName(MethodDescriptor.generateFullMethodName(proto.getFullName(), method.getName()))
                        .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getInputType())))
                        .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getOutputType())))
                        .build();
                rpcs.add(new Rpc(proto.getName() + "/" + method.getName(), method, grpc));
            }
        }
        return rpcs;
    }

    /**
     * The RPCs come from the protos on the class path ({@link DeclaredServices}); this checks them against what
     * the server actually serves, as its reflection service lists it: a service served but not declared in a
     * scanned proto (or declared but not served) fails here instead of going unfuzzed.
     */
    @Test
    void everyServiceTheServerServesIsFuzzed() throws InterruptedException {
        List<String> fuzzed = rpcs().stream().map(r -> "verdict.v1." + r.name().split("/")[0]).distinct().sorted().toList();
        assertThat(servedServices()).filteredOn(s -> s.startsWith("verdict.")).containsExactlyElementsOf(fuzzed);
    }

    /** The services the shared test server lists through gRPC reflection (v1), sorted. */
    private static List<String> servedServices() throws InterruptedException {
        List<String> served = new ArrayList<>();
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(TestServer.channel())
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                .serverReflectionInfo(new StreamObserver<ServerReflectionResponse>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        response.getListServicesResponse().getServiceList().forEach(s -> served.add(s.getName()));
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        try {
            done.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("reflection did not answer", e);
        }
        return served.stream().sorted().toList();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void noRequestMakesTheServerFailInternallyOrWritePartially() {
        long seedValue = Long.getLong("verdict.fuzz.seed", 20_261_123L);
        int requests = Integer.getInteger("verdict.fuzz.requests", 3_000);
        System.out.printf("RequestFuzzTest: seed %d, %d requests (-Dverdict.fuzz.seed, -Dverdict.fuzz.requests)%n",
                seedValue, requests);
        java.util.Random random = new java.util.Random(seedValue);
        ManagedChannel channel = TestServer.channel();
        DSLContext db = TestServer.server().database().dsl();
        Seeds seeds = new Seeds(List.of(Seeds.seed(), Seeds.seed()));
        RequestGenerator generator = new RequestGenerator(random, seeds);
        List<Rpc> rpcs = rpcs();
        Map<String, Integer> statuses = new TreeMap<>();
        Map<String, Integer> perRpcOk = new TreeMap<>();
        List<String> violations = new ArrayList<>();
        // Valid requests seen, per RPC, to mutate.
        Map<String, DynamicMessage> accepted = new java.util.HashMap<>();

        long start = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            Rpc rpc = rpcs.get(random.nextInt(rpcs.size()));
            DynamicMessage valid = accepted.get(rpc.name());
            DynamicMessage request = valid != null && random.nextInt(3) == 0
                    ? generator.mutate(valid) : generator.request(rpc.proto().getInputType());
            Map<UUID, Long> revisionsBefore = revisions(db, seeds);
            int organizationsBefore = db.fetchCount(ORGANIZATION);

            Status status = call(channel, rpc, request);
            Status.Code code = status.getCode();
            statuses.merge(code.name(), 1, Integer::sum);
            if (code == Status.Code.OK) {
                perRpcOk.merge(rpc.name(), 1, Integer::sum);
                accepted.put(rpc.name(), request);
            }
            boolean badStatus = code == Status.Code.INTERNAL || code == Status.Code.UNKNOWN
                    || code == Status.Code.UNIMPLEMENTED || code == Status.Code.DATA_LOSS
                    || (code == Status.Code.DEADLINE_EXCEEDED && !rpc.streaming());
            if (badStatus) {
                violations.add(i + " " + rpc.name() + " -> " + code + " (" + status.getDescription() + "): "
                        + shortText(request));
            }
            if (code != Status.Code.OK && !(rpc.streaming() && code == Status.Code.DEADLINE_EXCEEDED)) {
                Map<UUID, Long> revisionsAfter = revisions(db, seeds);
                if (!revisionsAfter.equals(revisionsBefore) || db.fetchCount(ORGANIZATION) != organizationsBefore) {
                    violations.add(i + " " + rpc.name() + " failed with " + code + " but wrote: " + revisionsBefore
                            + " -> " + revisionsAfter + ": " + shortText(request));
                }
            }
            if (code == Status.Code.OK && rpc.name().endsWith("/DeleteOrganization")) {
                seeds.replaceDeleted(db);
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("RequestFuzzTest: %d requests in %d ms; statuses %s%nRequestFuzzTest: OK per RPC %s%n",
                requests, millis, statuses, perRpcOk);

        violations.forEach(v -> System.out.println("RequestFuzzTest violation: " + v));
        assertThat(violations).as("seed %d", seedValue).isEmpty();
        assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        // The generator gets past validation: some of every kind of answer, not only INVALID_ARGUMENT.
        assertThat(statuses).containsKeys("OK", "INVALID_ARGUMENT", "NOT_FOUND");
    }

    private static Status call(ManagedChannel channel, Rpc rpc, DynamicMessage request) {
        try {
            if (rpc.streaming()) {
                Iterator<DynamicMessage> responses = ClientCalls.blockingServerStreamingCall(channel, rpc.grpc(),
                        CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS), request);
                for (int n = 0; responses.hasNext() && n < 10_000; n++) {
                    responses.next();
                }
            } else {
                ClientCalls.blockingUnaryCall(channel, rpc.grpc(),
                        CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS), request);
            }
            return Status.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
    }

    private static Map<UUID, Long> revisions(DSLContext db, Seeds seeds) {
        Map<UUID, Long> revisions = new TreeMap<>();
        db.select(ORGANIZATION.ORGANIZATION_ID, ORGANIZATION.REVISION).from(ORGANIZATION)
                .where(ORGANIZATION.ORGANIZATION_ID.in(seeds.organizationIds().stream().map(UUID::fromString).toList()))
                .forEach(r -> revisions.put(r.value1(), r.value2()));
        return revisions;
    }

    private static String shortText(DynamicMessage request) {
        String text = TextFormat.printer().emittingSingleLine(true).printToString(request);
        return text.length() > 600 ? text.substring(0, 600) + "..." : text;
    }

    /** The seeded organizations, and their real ids and keys. */
    private static final class Seeds implements RequestGenerator.FuzzSeed {
        private final List<Seed> seeds;

        Seeds(List<Seed> seeds) {
            this.seeds = new ArrayList<>(seeds);
        }

        /** Replaces the organizations a fuzzed DeleteOrganization removed, so that requests keep reaching real data. */
        void replaceDeleted(DSLContext db) {
            for (int i = 0; i < seeds.size(); i++) {
                UUID id = UUID.fromString(seeds.get(i).org());
                if (db.fetchCount(ORGANIZATION, ORGANIZATION.ORGANIZATION_ID.eq(id)) == 0) {
                    seeds.set(i, seed());
                }
            }
        }

        private List<String> all(java.util.function.Function<Seed, List<String>> values) {
            return seeds.stream().flatMap(s -> values.apply(s).stream()).toList();
        }

        @Override
        public List<String> organizationIds() {
            return all(s -> List.of(s.org()));
        }

        @Override
        public List<String> userIds() {
            return all(Seed::users);
        }

        @Override
        public List<String> apiClientIds() {
            return all(s -> List.of(s.apiClient()));
        }

        @Override
        public List<String> groupIds() {
            return all(s -> List.of(s.group()));
        }

        @Override
        public List<String> assignmentIds() {
            return all(s -> List.of(s.assignment()));
        }

        @Override
        public List<String> emails() {
            return all(Seed::emails);
        }

        @Override
        public List<String> appKeys() {
            return List.of("shop", "crm");
        }

        @Override
        public List<String> roleKeys() {
            return List.of("administrator", "developer", "viewer", "fuzz_role");
        }

        @Override
        public List<String> permissionKeys() {
            return List.of("app.change", "app.view", "users.manage", "stage.view", "fuzz.perm", "fuzz.stage_perm");
        }

        @Override
        public List<String> stages() {
            return List.of("development", "qa", "production");
        }

        /** A fresh organization with apps, roles, permissions, users, an API client, a group and an assignment. */
        static Seed seed() {
            ManagedChannel channel = TestServer.channel();
            String org = OrganizationServiceGrpc.newBlockingStub(channel).createOrganization(CreateOrganizationRequest
                    .newBuilder().setName("fuzz-" + UUID.randomUUID()).build()).getOrganization().getOrganizationId();
            var apps = AppServiceGrpc.newBlockingStub(channel);
            for (String app : List.of("shop", "crm")) {
                apps.createApp(CreateAppRequest.newBuilder().setOrganizationId(org)
                        .setApp(App.newBuilder().setKey(app).setDisplayName(app)).build());
            }
            var permissions = PermissionServiceGrpc.newBlockingStub(channel);
            permissions.createPermission(CreatePermissionRequest.newBuilder().setOrganizationId(org)
                    .setPermission(Permission.newBuilder().setKey("fuzz.perm").setDisplayName("Fuzz")
                            .setLevel(PermissionLevel.PERMISSION_LEVEL_APP)).build());
            permissions.createPermission(CreatePermissionRequest.newBuilder().setOrganizationId(org)
                    .setPermission(Permission.newBuilder().setKey("fuzz.stage_perm").setDisplayName("Fuzz stage")
                            .setLevel(PermissionLevel.PERMISSION_LEVEL_STAGE).addImplies("stage.view")).build());
            var roles = RoleServiceGrpc.newBlockingStub(channel);
            roles.createRole(CreateRoleRequest.newBuilder().setOrganizationId(org).setRole(Role.newBuilder()
                    .setKey("viewer").setDisplayName("Viewer").setKind(RoleKind.ROLE_KIND_END_USER)).build());
            roles.createRole(CreateRoleRequest.newBuilder().setOrganizationId(org).setRole(Role.newBuilder()
                    .setKey("fuzz_role").setDisplayName("Fuzz role").setKind(RoleKind.ROLE_KIND_ORGANIZATION)
                    .addGrants(dev.verdict.v1.PermissionGrant.newBuilder().setPermissionKey("fuzz.perm").addStages("qa")))
                    .build());
            var users = UserServiceGrpc.newBlockingStub(channel);
            List<String> userIds = new ArrayList<>();
            List<String> emails = new ArrayList<>();
            for (String name : List.of("ann", "bob", "cyd")) {
                String email = name + "@example.com";
                userIds.add(users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org).setEmail(email)
                        .setDisplayName(name).build()).getUser().getUserId());
                emails.add(email);
            }
            String apiClient = ApiClientServiceGrpc.newBlockingStub(channel).createApiClient(CreateApiClientRequest
                    .newBuilder().setOrganizationId(org).setName("fuzz-client").build()).getApiClient().getApiClientId();
            String group = GroupServiceGrpc.newBlockingStub(channel).createGroup(CreateGroupRequest.newBuilder()
                    .setOrganizationId(org).setName("fuzzers").setStage("qa")
                    .addRoleGrants(GroupRoleGrant.newBuilder().setRoleKey("viewer").setAppKey("shop"))
                    .addIdpMappings(IdpMapping.newBuilder().setIdp("okta").setExternalGroup("alpha"))
                    .addUserIds(userIds.getFirst()).build()).getGroup().getGroupId();
            String assignment = AssignmentServiceGrpc.newBlockingStub(channel).grantRole(GrantRoleRequest.newBuilder()
                    .setOrganizationId(org).setPrincipal(Principal.newBuilder().setUserId(userIds.get(1)))
                    .setRoleKey("developer").setScope(Scope.newBuilder().setStage("qa")).build())
                    .getAssignment().getAssignmentId();
            return new Seed(org, userIds, emails, apiClient, group, assignment);
        }
    }

    private record Seed(String org, List<String> users, List<String> emails, String apiClient, String group,
            String assignment) {}
}
