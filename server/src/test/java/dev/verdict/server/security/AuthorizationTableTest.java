package dev.verdict.server.security;

import static dev.verdict.server.SecureTestServer.BOOTSTRAP_KEY;
import static dev.verdict.server.SecureTestServer.withKey;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import com.google.rpc.ErrorInfo;
import dev.verdict.server.DeclaredServices;
import dev.verdict.server.SecureTestServer;
import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.ApiClientServiceGrpc;
import dev.verdict.v1.AssignmentServiceGrpc;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.CreateApiClientRequest;
import dev.verdict.v1.CreateOrganizationResponse;
import dev.verdict.v1.CreateRoleRequest;
import dev.verdict.v1.Decision;
import dev.verdict.v1.GetOrganizationRequest;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.OrganizationServiceGrpc;
import dev.verdict.v1.PermissionGrant;
import dev.verdict.v1.Principal;
import dev.verdict.v1.Role;
import dev.verdict.v1.RoleKind;
import dev.verdict.v1.RoleServiceGrpc;
import dev.verdict.v1.Target;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The authorization table of README ("Security"), written out here as data and checked against the server for
 * every RPC declared in the protos ({@link DeclaredServices}): a client of the organization holding no role is
 * refused each RPC naming exactly the permissions the table gives, and a client holding exactly those (a custom
 * organization role, assigned organization-wide) gets past authorization. Plus the two separations the table
 * promises: management permissions do not allow decisions, and {@code access.check} allows nothing else.
 */
class AuthorizationTableTest {
    private static final Channel CHANNEL = SecureTestServer.channel();

    /**
     * README's table, service by service: the read RPCs with their permission, and the permissions every other
     * RPC of the service (its writes) requires. Kept apart from {@link Rules}, which it checks.
     */
    private record Row(String readPermission, Set<String> reads, List<String> writePermissions) {
        List<String> permissionsOf(String method) {
            return reads.contains(method) ? List.of(readPermission) : writePermissions;
        }
    }

    private static final Map<String, Row> README_TABLE = Map.ofEntries(
            row("OrganizationService", null, Set.of(), "stage.manage"),
            row("UserService", "users.view", Set.of("GetUser", "GetUserByEmail", "SearchUsers", "GetLicenseUsage"),
                    "users.manage"),
            row("AssignmentService", "users.view", Set.of("ListAssignments"), "users.manage"),
            row("PermissionService", "roles.view", Set.of("GetPermission", "ListPermissions"), "roles.manage"),
            row("RoleService", "roles.view", Set.of("GetRole", "ListRoles"), "roles.manage"),
            row("AppService", "apps.view", Set.of("GetApp", "ListApps"), "apps.manage"),
            row("GroupService", "groups.view", Set.of("GetGroup", "ListGroups", "ListGroupMembers", "ListUserGroups"),
                    "groups.manage"),
            row("ApiClientService", "api_clients.view", Set.of("GetApiClient", "ListApiClients"), "api_clients.manage"),
            row("ChangeService", "audit.view", Set.of("ListChanges", "WatchChanges")),
            row("ImportService", null, Set.of(), "apps.manage", "groups.manage", "users.manage"),
            row("AccessService", null, Set.of(), "access.check"));

    /** Not in the table's permission columns: any key of the organization, or the bootstrap key only. */
    private static final Set<String> WITHOUT_PERMISSION = Set.of("OrganizationService/GetOrganization",
            "OrganizationService/CreateOrganization", "OrganizationService/ListOrganizations",
            "OrganizationService/DeleteOrganization");

    private static Map.Entry<String, Row> row(String service, String readPermission, Set<String> reads,
            String... writePermissions) {
        return Map.entry(service, new Row(readPermission, reads, List.of(writePermissions)));
    }

    /** One RPC of the protos with the permissions README's table requires for it. */
    private record Rpc(String name, MethodDescriptor<Message, Message> method, List<String> permissions) {
        boolean decision() {
            return name.startsWith("AccessService/");
        }
    }

    /** Every declared RPC that requires a permission, with README's permissions. */
    private static List<Rpc> rpcs() {
        List<Rpc> rpcs = new ArrayList<>();
        for (var service : DeclaredServices.all()) {
            Row row = README_TABLE.get(service.getName());
            assertThat(row).as("README's table has a row for " + service.getFullName()).isNotNull();
            for (var method : service.getMethods()) {
                String name = service.getName() + "/" + method.getName();
                if (WITHOUT_PERMISSION.contains(name)) {
                    continue;
                }
                List<String> permissions = row.permissionsOf(method.getName());
                assertThat(permissions).as("permissions of " + name + " in README's table").isNotEmpty();
                rpcs.add(new Rpc(name, OrganizationIsolationTest.descriptor(method), permissions));
            }
        }
        return rpcs;
    }

    @Test
    void aClientHoldingNoRoleIsRefusedEveryRpcNamingThePermissionsOfTheTable() {
        Organization org = new Organization();
        Channel bare = org.client();
        List<String> wrong = new ArrayList<>();
        List<Rpc> rpcs = rpcs();
        for (Rpc rpc : rpcs) {
            StatusRuntimeException e = OrganizationIsolationTest.call(bare, rpc.method(), org.request(rpc));
            if (!deniedNaming(e, rpc.permissions())) {
                wrong.add(rpc.name() + " wants " + rpc.permissions() + " but answered " + answer(e));
            }
        }
        assertThat(wrong).as("RPCs not refused with exactly README's permissions").isEmpty();
        System.out.println("AuthorizationTableTest: " + rpcs.size() + " RPCs refused to a client without a role");
        // Any key of the organization reads the organization itself.
        assertThat(OrganizationServiceGrpc.newBlockingStub(bare).getOrganization(GetOrganizationRequest.newBuilder().setOrganizationId(org.id).build())
                .getOrganization().getOrganizationId()).isEqualTo(org.id);
    }

    @Test
    void aClientHoldingExactlyThePermissionsOfTheTableGetsPastAuthorization() {
        Organization org = new Organization();
        Map<List<String>, Channel> clients = new HashMap<>();
        List<String> wrong = new ArrayList<>();
        for (Rpc rpc : rpcs()) {
            Channel holder = clients.computeIfAbsent(rpc.permissions(), org::clientHolding);
            StatusRuntimeException e = OrganizationIsolationTest.call(holder, rpc.method(), org.request(rpc));
            if (e != null && (e.getStatus().getCode() == Status.Code.PERMISSION_DENIED
                    || e.getStatus().getCode() == Status.Code.UNAUTHENTICATED)) {
                wrong.add(rpc.name() + " with " + rpc.permissions() + " answered " + answer(e));
            }
        }
        assertThat(wrong).as("RPCs refused to a client holding README's permissions").isEmpty();
    }

    /** ImportDirectory needs all three of its permissions: any two of them are refused naming the third. */
    @Test
    void importDirectoryNeedsEachOfItsThreePermissions() {
        Organization org = new Organization();
        Rpc importDirectory = rpcs().stream().filter(r -> r.name().equals("ImportService/ImportDirectory"))
                .findFirst().orElseThrow();
        for (String missing : importDirectory.permissions()) {
            List<String> others = importDirectory.permissions().stream().filter(p -> !p.equals(missing)).toList();
            StatusRuntimeException e = OrganizationIsolationTest.call(
                    org.clientHolding(others), importDirectory.method(), org.request(importDirectory));
            assertThat(deniedNaming(e, List.of(missing))).as("holding " + others + ": " + answer(e)).isTrue();
        }
    }

    /** Policy managers do not decide: no management permission implies {@code access.check}. */
    @Test
    void aKeyHoldingOnlyManagementPermissionsIsRefusedEveryDecision() {
        Organization org = new Organization();
        List<Rpc> rpcs = rpcs();
        List<String> management = rpcs.stream().flatMap(r -> r.permissions().stream())
                .filter(p -> !p.equals("access.check")).distinct().sorted().toList();
        Channel manager = org.clientHolding(management);
        Channel usersManager = org.clientHolding(List.of("users.manage"));
        List<String> wrong = new ArrayList<>();
        for (Rpc rpc : rpcs) {
            if (!rpc.decision()) {
                continue;
            }
            for (Channel key : List.of(manager, usersManager)) {
                StatusRuntimeException e = OrganizationIsolationTest.call(key, rpc.method(), org.request(rpc));
                if (!deniedNaming(e, List.of("access.check"))) {
                    wrong.add(rpc.name() + " answered " + answer(e));
                }
            }
        }
        assertThat(wrong).as("decision RPCs open to a key holding " + management).isEmpty();
        assertThat(rpcs.stream().filter(Rpc::decision).map(Rpc::name)).contains("AccessService/CheckAccess");
    }

    /** A check-only key (the one a microservice gets) changes nothing and reads no policy. */
    @Test
    void aKeyHoldingOnlyAccessCheckIsRefusedEveryWrite() {
        Organization org = new Organization();
        Channel checker = org.clientHolding(List.of("access.check"));
        String revisionBefore = org.revision();
        List<String> wrong = new ArrayList<>();
        int writes = 0;
        for (Rpc rpc : rpcs()) {
            StatusRuntimeException e = OrganizationIsolationTest.call(checker, rpc.method(), org.request(rpc));
            if (rpc.decision()) {
                if (e != null && e.getStatus().getCode() == Status.Code.PERMISSION_DENIED) {
                    wrong.add(rpc.name() + " refused to the check-only key: " + answer(e));
                }
            } else {
                writes += rpc.permissions().stream().anyMatch(p -> p.endsWith(".manage")) ? 1 : 0;
                if (!deniedNaming(e, rpc.permissions())) {
                    wrong.add(rpc.name() + " wants " + rpc.permissions() + " but answered " + answer(e));
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(writes).as("write RPCs tried").isGreaterThan(0);
        assertThat(org.revision()).as("the organization's revision after the refused calls").isEqualTo(revisionBefore);
    }

    /** Whether {@code e} is PERMISSION_DENIED naming exactly {@code permissions}, in its text and its ErrorInfo. */
    private static boolean deniedNaming(StatusRuntimeException e, List<String> permissions) {
        if (e == null || e.getStatus().getCode() != Status.Code.PERMISSION_DENIED) {
            return false;
        }
        ErrorInfo info = StatusProto.fromThrowable(e).getDetailsList().stream()
                .filter(any -> any.is(ErrorInfo.class))
                .map(any -> {
                    try {
                        return any.unpack(ErrorInfo.class);
                    } catch (com.google.protobuf.InvalidProtocolBufferException x) {
                        throw new AssertionError(x);
                    }
                })
                .findFirst().orElse(null);
        if (info == null || !info.getReason().equals("MISSING_PERMISSION")) {
            return false;
        }
        Set<String> named = new TreeSet<>(Arrays.asList(info.getMetadataOrDefault("permissions", "").split(",")));
        String description = String.valueOf(e.getStatus().getDescription());
        return named.equals(new TreeSet<>(permissions))
                && info.getMetadataOrDefault("permission", "").equals(permissions.getFirst())
                && permissions.stream().allMatch(description::contains);
    }

    private static String answer(StatusRuntimeException e) {
        if (e == null) {
            return "OK";
        }
        String permissions = StatusProto.fromThrowable(e) == null ? "" : StatusProto.fromThrowable(e).getDetailsList()
                .stream().filter(any -> any.is(ErrorInfo.class)).map(Object::toString).collect(Collectors.joining());
        return e.getStatus().getCode() + " (" + e.getStatus().getDescription() + ") " + permissions.replace('\n', ' ');
    }

    /** A fresh organization on the shared secure server, and clients of it with chosen permissions. */
    private static final class Organization {
        final CreateOrganizationResponse created = SecureTestServer.newOrganization();
        final String id = created.getOrganization().getOrganizationId();
        final String admin = created.getAdminApiKey();
        private int roles;

        Message request(Rpc rpc) {
            return OrganizationIsolationTest.request(rpc.method(), id);
        }

        /** A client of the organization holding no role. */
        Channel client() {
            return ClientInterceptors.intercept(CHANNEL, SecureTestServer.bearer(newClient().getSecret()));
        }

        /** A client holding a custom organization role with exactly {@code permissions}, organization-wide. */
        Channel clientHolding(List<String> permissions) {
            String roleKey = "holds_" + roles++;
            Role.Builder role = Role.newBuilder().setKey(roleKey).setDisplayName(String.join(" ", permissions))
                    .setKind(RoleKind.ROLE_KIND_ORGANIZATION);
            permissions.forEach(p -> role.addGrants(PermissionGrant.newBuilder().setPermissionKey(p)));
            withKey(RoleServiceGrpc.newBlockingStub(CHANNEL), admin).createRole(CreateRoleRequest.newBuilder()
                    .setOrganizationId(id).setRole(role).build());
            var client = newClient();
            Principal principal = Principal.newBuilder().setApiClientId(client.getApiClient().getApiClientId()).build();
            String granted = withKey(AssignmentServiceGrpc.newBlockingStub(CHANNEL), admin).grantRole(GrantRoleRequest
                    .newBuilder().setOrganizationId(id).setPrincipal(principal).setRoleKey(roleKey).build())
                    .getRevisionToken();
            // Authorization decides at minimize_latency: wait until the server has applied the grant (and the new
            // role), which a check at least as fresh as the grant does, and see that the client holds each one.
            for (String permission : permissions) {
                assertThat(withKey(AccessServiceGrpc.newBlockingStub(CHANNEL), admin).checkAccess(CheckAccessRequest
                        .newBuilder().setOrganizationId(id)
                        .setQuery(AccessQuery.newBuilder().setPrincipal(principal)
                                .setTarget(Target.newBuilder().setPermissionKey(permission)))
                        .setConsistency(Consistency.newBuilder().setAtLeastAsFresh(granted))
                        .build()).getDecision()).as(roleKey + " holds " + permission).isEqualTo(Decision.DECISION_ALLOWED);
            }
            return ClientInterceptors.intercept(CHANNEL, SecureTestServer.bearer(client.getSecret()));
        }

        String revision() {
            return withKey(OrganizationServiceGrpc.newBlockingStub(CHANNEL), BOOTSTRAP_KEY)
                    .getOrganization(GetOrganizationRequest.newBuilder().setOrganizationId(id).build())
                    .getOrganization().getRevisionToken();
        }

        private dev.verdict.v1.CreateApiClientResponse newClient() {
            return withKey(ApiClientServiceGrpc.newBlockingStub(CHANNEL), admin).createApiClient(
                    CreateApiClientRequest.newBuilder().setOrganizationId(id).setName("table-" + UUID.randomUUID()).build());
        }
    }
}
