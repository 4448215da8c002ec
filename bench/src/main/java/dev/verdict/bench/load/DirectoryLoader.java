package dev.verdict.bench.load;

import dev.verdict.bench.data.Dataset;
import dev.verdict.bench.data.Dataset.Assignment;
import dev.verdict.bench.data.Dataset.ExternalGroup;
import dev.verdict.bench.data.Dataset.Group;
import dev.verdict.bench.data.Dataset.GroupGrant;
import dev.verdict.bench.data.Dataset.Permission;
import dev.verdict.bench.data.Dataset.PermissionGrant;
import dev.verdict.bench.data.Dataset.Role;
import dev.verdict.bench.data.Dataset.User;
import dev.verdict.v1.CreateOrganizationRequest;
import dev.verdict.v1.CreateOrganizationResponse;
import dev.verdict.v1.CreatePermissionRequest;
import dev.verdict.v1.CreateRoleRequest;
import dev.verdict.v1.GroupRoleGrant;
import dev.verdict.v1.IdpMapping;
import dev.verdict.v1.ImportDirectoryRequest;
import dev.verdict.v1.ImportDirectoryResponse;
import dev.verdict.v1.ImportServiceGrpc;
import dev.verdict.v1.ImportServiceGrpc.ImportServiceBlockingStub;
import dev.verdict.v1.ImportedApp;
import dev.verdict.v1.ImportedAssignment;
import dev.verdict.v1.ImportedExternalGroup;
import dev.verdict.v1.ImportedGroup;
import dev.verdict.v1.ImportedUser;
import dev.verdict.v1.OrganizationServiceGrpc;
import dev.verdict.v1.PermissionLevel;
import dev.verdict.v1.PermissionServiceGrpc;
import dev.verdict.v1.RoleKind;
import dev.verdict.v1.RoleServiceGrpc;
import dev.verdict.v1.UserClassification;
import dev.verdict.v1.UserStatus;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loads a {@link Dataset} into a running Verdict through its public gRPC API only: CreateOrganization with the
 * operator's bootstrap key, then with the organization's administrator key the custom permissions
 * (implied ones first) and roles one call each, then apps, groups and users through ImportDirectory in
 * chunks (at most {@value #MAX_ITEMS} items and about {@value #MAX_BYTES} bytes a call, under the server's
 * 4 MiB message limit). Groups are all created before the users that join them; user chunks go
 * {@code parallelism} at a time, since each is its own transaction.
 */
public final class DirectoryLoader {
    static final int MAX_ITEMS = 10_000;
    static final int MAX_BYTES = 3 * 1024 * 1024;
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** What loading produced: the organization, its administrator key, and the users' ids by dataset index. */
    public record Loaded(String organizationId, String apiKey, UUID[] userIds, long revision, double loadSeconds) {}

    private final Channel channel;
    private final String bootstrapKey;
    private final int parallelism;
    private final long deadlineSeconds;

    /**
     * @param parallelism     ImportDirectory calls of users in flight at once
     * @param deadlineSeconds deadline of each call
     */
    public DirectoryLoader(Channel channel, String bootstrapKey, int parallelism, long deadlineSeconds) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be positive, was " + parallelism);
        }
        this.channel = channel;
        this.bootstrapKey = bootstrapKey;
        this.parallelism = parallelism;
        this.deadlineSeconds = deadlineSeconds;
    }

    public Loaded load(Dataset dataset, String organizationName) {
        long start = System.nanoTime();
        CreateOrganizationResponse created = authorized(OrganizationServiceGrpc.newBlockingStub(channel), bootstrapKey)
                .withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)
                .createOrganization(CreateOrganizationRequest.newBuilder()
                        .setName(organizationName)
                        .addAllStages(dataset.stages())
                        .build());
        String org = created.getOrganization().getOrganizationId();
        String key = created.getAdminApiKey();
        AtomicLong revision = new AtomicLong(revision(created.getRevisionToken()));

        var permissions = authorized(PermissionServiceGrpc.newBlockingStub(channel), key);
        for (Permission permission : dataset.permissions()) {
            var response = permissions.withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)
                    .createPermission(CreatePermissionRequest.newBuilder()
                            .setOrganizationId(org)
                            .setPermission(proto(permission))
                            .build());
            revision.accumulateAndGet(revision(response.getRevisionToken()), Math::max);
        }
        var roles = authorized(RoleServiceGrpc.newBlockingStub(channel), key);
        for (Role role : dataset.roles()) {
            var response = roles.withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)
                    .createRole(CreateRoleRequest.newBuilder().setOrganizationId(org).setRole(proto(role)).build());
            revision.accumulateAndGet(revision(response.getRevisionToken()), Math::max);
        }
        log("%s: organization, %d permissions and %d roles in %.1f s", organizationName, dataset.permissions().size(),
                dataset.roles().size(), seconds(start));

        ImportServiceBlockingStub imports = authorized(ImportServiceGrpc.newBlockingStub(channel), key);
        ImportDirectoryRequest.Builder request = ImportDirectoryRequest.newBuilder().setOrganizationId(org);
        int bytes = 0;
        for (String app : dataset.apps()) {
            ImportedApp item = ImportedApp.newBuilder().setAppKey(app).setDisplayName(displayName(app)).build();
            if (request.getAppsCount() == MAX_ITEMS || bytes + item.getSerializedSize() > MAX_BYTES) {
                revision.accumulateAndGet(call(imports, request.build()).revision, Math::max);
                request = ImportDirectoryRequest.newBuilder().setOrganizationId(org);
                bytes = 0;
            }
            request.addApps(item);
            bytes += item.getSerializedSize();
        }
        // Groups in the same calls as the last apps, then on their own; all before any user.
        for (Group group : dataset.groups()) {
            ImportedGroup item = proto(group);
            if (request.getGroupsCount() == MAX_ITEMS || bytes + item.getSerializedSize() > MAX_BYTES) {
                revision.accumulateAndGet(call(imports, request.build()).revision, Math::max);
                request = ImportDirectoryRequest.newBuilder().setOrganizationId(org);
                bytes = 0;
            }
            request.addGroups(item);
            bytes += item.getSerializedSize();
        }
        if (request.getAppsCount() + request.getGroupsCount() > 0) {
            revision.accumulateAndGet(call(imports, request.build()).revision, Math::max);
        }
        log("%s: %d apps and %d groups after %.1f s", organizationName, dataset.apps().size(), dataset.groups().size(),
                seconds(start));

        UUID[] userIds = importUsers(dataset, org, imports, revision, start, organizationName);
        double loadSeconds = seconds(start);
        log("%s: %d users, loaded in %.1f s", organizationName, dataset.users().size(), loadSeconds);
        return new Loaded(org, key, userIds, revision.get(), loadSeconds);
    }

    private UUID[] importUsers(Dataset dataset, String org, ImportServiceBlockingStub imports, AtomicLong revision,
            long start, String name) {
        UUID[] ids = new UUID[dataset.users().size()];
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        try {
            List<Future<?>> inFlight = new ArrayList<>();
            List<User> users = dataset.users();
            int from = 0;
            while (from < users.size()) {
                ImportDirectoryRequest.Builder request = ImportDirectoryRequest.newBuilder().setOrganizationId(org);
                int bytes = 0;
                int to = from;
                while (to < users.size() && request.getUsersCount() < MAX_ITEMS) {
                    ImportedUser item = proto(users.get(to), dataset);
                    if (bytes + item.getSerializedSize() > MAX_BYTES) {
                        break;
                    }
                    request.addUsers(item);
                    bytes += item.getSerializedSize();
                    to++;
                }
                int first = from;
                int count = to - from;
                ImportDirectoryRequest built = request.build();
                while (inFlight.size() >= parallelism) {
                    await(inFlight.removeFirst());
                }
                inFlight.add(pool.submit(() -> {
                    Result result = call(imports, built);
                    if (result.response.getUserIdsCount() != count) {
                        throw new IllegalStateException("ImportDirectory returned " + result.response.getUserIdsCount()
                                + " user ids for " + count + " users");
                    }
                    for (int k = 0; k < count; k++) {
                        ids[first + k] = UUID.fromString(result.response.getUserIds(k));
                    }
                    revision.accumulateAndGet(result.revision, Math::max);
                    if ((first + count) % 100_000 < count) {
                        log("%s: %d users after %.1f s", name, first + count, seconds(start));
                    }
                }));
                from = to;
            }
            for (Future<?> future : inFlight) {
                await(future);
            }
        } finally {
            pool.shutdownNow();
        }
        return ids;
    }

    private record Result(ImportDirectoryResponse response, long revision) {}

    private Result call(ImportServiceBlockingStub imports, ImportDirectoryRequest request) {
        ImportDirectoryResponse response = imports.withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)
                .importDirectory(request);
        return new Result(response, revision(response.getRevisionToken()));
    }

    private static void await(Future<?> future) {
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        }
    }

    static dev.verdict.v1.Permission proto(Permission permission) {
        return dev.verdict.v1.Permission.newBuilder()
                .setKey(permission.key())
                .setDisplayName(displayName(permission.key()))
                .setSection(permission.section())
                .setLevel(switch (permission.level()) {
                    case ORGANIZATION -> PermissionLevel.PERMISSION_LEVEL_ORGANIZATION;
                    case STAGE -> PermissionLevel.PERMISSION_LEVEL_STAGE;
                    case APP -> PermissionLevel.PERMISSION_LEVEL_APP;
                })
                .addAllImplies(permission.implies())
                .build();
    }

    static dev.verdict.v1.Role proto(Role role) {
        dev.verdict.v1.Role.Builder builder = dev.verdict.v1.Role.newBuilder()
                .setKey(role.key())
                .setDisplayName(displayName(role.key()))
                .setKind(switch (role.kind()) {
                    case ORGANIZATION -> RoleKind.ROLE_KIND_ORGANIZATION;
                    case END_USER -> RoleKind.ROLE_KIND_END_USER;
                });
        for (PermissionGrant grant : role.grants()) {
            builder.addGrants(dev.verdict.v1.PermissionGrant.newBuilder()
                    .setPermissionKey(grant.permissionKey())
                    .addAllStages(grant.stages()));
        }
        return builder.build();
    }

    static ImportedGroup proto(Group group) {
        ImportedGroup.Builder builder = ImportedGroup.newBuilder().setName(group.name()).setStage(group.stage());
        for (GroupGrant grant : group.grants()) {
            builder.addRoleGrants(GroupRoleGrant.newBuilder().setRoleKey(grant.roleKey()).setAppKey(grant.appKey()));
        }
        for (ExternalGroup mapping : group.mappings()) {
            builder.addIdpMappings(IdpMapping.newBuilder().setIdp(mapping.idp()).setExternalGroup(mapping.name()));
        }
        return builder.build();
    }

    static ImportedUser proto(User user, Dataset dataset) {
        ImportedUser.Builder builder = ImportedUser.newBuilder()
                .setEmail(user.email())
                .setDisplayName(user.displayName())
                .setStatus(switch (user.status()) {
                    case INVITED -> UserStatus.USER_STATUS_INVITED;
                    case ACTIVE -> UserStatus.USER_STATUS_ACTIVE;
                    case DEACTIVATED -> UserStatus.USER_STATUS_DEACTIVATED;
                })
                .setClassification(switch (user.classification()) {
                    case INTERNAL -> UserClassification.USER_CLASSIFICATION_INTERNAL;
                    case EXTERNAL -> UserClassification.USER_CLASSIFICATION_EXTERNAL;
                });
        for (int group : user.groups()) {
            builder.addGroupNames(dataset.groups().get(group).name());
        }
        for (ExternalGroup external : user.externalGroups()) {
            builder.addExternalGroups(ImportedExternalGroup.newBuilder()
                    .setIdp(external.idp()).setExternalGroup(external.name()));
        }
        for (Assignment assignment : user.assignments()) {
            ImportedAssignment.Builder a = ImportedAssignment.newBuilder().setRoleKey(assignment.roleKey());
            if (assignment.stage() != null) {
                a.setStage(assignment.stage());
            }
            if (assignment.appKey() != null) {
                a.setAppKey(assignment.appKey());
            }
            builder.addAssignments(a);
        }
        return builder.build();
    }

    private static <S extends AbstractStub<S>> S authorized(S stub, String key) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + key);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** The numeric revision of a token; tokens are decimal revisions (README "Every write answers ..."). */
    static long revision(String token) {
        return token.isEmpty() ? 0 : Long.parseLong(token);
    }

    private static String displayName(String key) {
        return Character.toUpperCase(key.charAt(0)) + key.substring(1).replace('_', ' ').replace('.', ' ');
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void log(String format, Object... args) {
        System.err.printf(format + "%n", args);
    }
}
