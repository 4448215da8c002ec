package dev.verdict.server.api;

import dev.verdict.server.domain.Classification;
import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.EndUserRoleGrant;
import dev.verdict.server.domain.ExternalIdentity;
import dev.verdict.server.domain.Invitation;
import dev.verdict.server.domain.LicenseUsage;
import dev.verdict.server.domain.Page;
import dev.verdict.server.domain.UserChanges;
import dev.verdict.server.domain.UserFilter;
import dev.verdict.server.domain.UserStatus;
import dev.verdict.server.domain.Written;
import dev.verdict.server.store.PageToken;
import dev.verdict.server.store.UserStore;
import dev.verdict.v1.ActivateUserRequest;
import dev.verdict.v1.ActivateUserResponse;
import dev.verdict.v1.ClassifyUsersRequest;
import dev.verdict.v1.ClassifyUsersResponse;
import dev.verdict.v1.DeactivateUserRequest;
import dev.verdict.v1.DeactivateUserResponse;
import dev.verdict.v1.DeleteUserRequest;
import dev.verdict.v1.DeleteUserResponse;
import dev.verdict.v1.GetLicenseUsageRequest;
import dev.verdict.v1.GetLicenseUsageResponse;
import dev.verdict.v1.GetUserByEmailRequest;
import dev.verdict.v1.GetUserByEmailResponse;
import dev.verdict.v1.GetUserRequest;
import dev.verdict.v1.GetUserResponse;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.InviteUserResponse;
import dev.verdict.v1.SearchUsersRequest;
import dev.verdict.v1.SearchUsersResponse;
import dev.verdict.v1.SyncExternalGroupsRequest;
import dev.verdict.v1.SyncExternalGroupsResponse;
import dev.verdict.v1.UpdateUserRequest;
import dev.verdict.v1.UpdateUserResponse;
import dev.verdict.v1.User;
import dev.verdict.v1.UserClassification;
import dev.verdict.v1.UserServiceGrpc;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** {@code verdict.v1.UserService}: maps requests to {@link UserStore} and back. */
final class UserApi extends UserServiceGrpc.UserServiceImplBase {
    private static final Set<String> UPDATABLE = Set.of("email", "display_name", "classification", "external_identities");

    private final UserStore users;
    private final Idempotency idempotency;

    UserApi(UserStore users, Idempotency idempotency) {
        this.users = users;
        this.idempotency = idempotency;
    }

    @Override
    public void inviteUser(InviteUserRequest request, StreamObserver<InviteUserResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        String email = request.getEmail().strip();
        String displayName = request.getDisplayName().strip();
        Invitation invitation = new Invitation(
                email,
                displayName.isEmpty() ? email : displayName,
                request.getClassification() == UserClassification.USER_CLASSIFICATION_UNSPECIFIED
                        ? Classification.INTERNAL
                        : toDomain(request.getClassification()),
                request.getOrganizationRoleKeysList(),
                request.getEndUserRolesList().stream()
                        .map(g -> new EndUserRoleGrant(g.getRoleKey(), g.getAppKey(), g.getStage()))
                        .toList(),
                request.getGroupIdsList().stream().map(UUID::fromString).toList(),
                request.getExternalIdentitiesList().stream()
                        .map(i -> new ExternalIdentity(i.getIdp(), i.getSubject()))
                        .toList());
        Rpc.reply(response, idempotency.once(org, request.getRequestId(), "InviteUser", InviteUserResponse.parser(), () -> {
            Written<dev.verdict.server.domain.User> invited = users.invite(org, invitation);
            return InviteUserResponse.newBuilder()
                    .setUser(toProto(org, invited.value()))
                    .setRevisionToken(invited.revisionToken())
                    .build();
        }));
    }

    @Override
    public void getUser(GetUserRequest request, StreamObserver<GetUserResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        var user = users.get(org, UUID.fromString(request.getUserId()));
        Rpc.reply(response, GetUserResponse.newBuilder().setUser(toProto(org, user)).build());
    }

    @Override
    public void getUserByEmail(GetUserByEmailRequest request, StreamObserver<GetUserByEmailResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        var user = users.getByEmail(org, request.getEmail());
        Rpc.reply(response, GetUserByEmailResponse.newBuilder().setUser(toProto(org, user)).build());
    }

    @Override
    public void searchUsers(SearchUsersRequest request, StreamObserver<SearchUsersResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        UserFilter filter = new UserFilter(
                Protos.emptyToNull(request.getQuery()),
                switch (request.getStatus()) {
                    case USER_STATUS_INVITED -> UserStatus.INVITED;
                    case USER_STATUS_ACTIVE -> UserStatus.ACTIVE;
                    case USER_STATUS_DEACTIVATED -> UserStatus.DEACTIVATED;
                    case USER_STATUS_UNSPECIFIED, UNRECOGNIZED -> null;
                },
                Protos.emptyToNull(request.getRoleKey()),
                request.getGroupId().isEmpty() ? null : UUID.fromString(request.getGroupId()),
                request.getClassification() == UserClassification.USER_CLASSIFICATION_UNSPECIFIED
                        ? null
                        : toDomain(request.getClassification()));
        Page<dev.verdict.server.domain.User> page =
                users.search(org, filter, PageToken.size(request.getPageSize(), 50), request.getPageToken());
        Rpc.reply(response, SearchUsersResponse.newBuilder()
                .addAllUsers(page.items().stream().map(u -> toProto(org, u)).toList())
                .setNextPageToken(page.nextPageToken())
                .build());
    }

    @Override
    public void updateUser(UpdateUserRequest request, StreamObserver<UpdateUserResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        User changes = request.getUser();
        UUID id = Protos.uuid(changes.getUserId(), "user.user_id");
        Set<String> paths = Protos.maskPaths(request.getUpdateMask(), UPDATABLE);
        String email = null;
        if (paths.contains("email")) {
            email = changes.getEmail().strip();
            // The proto's email rule covers InviteUserRequest only; a resource message in an update is checked here.
            if (email.length() > 320 || email.indexOf('@') <= 0 || email.indexOf('@') == email.length() - 1) {
                throw DomainException.invalid("user.email", "must be an email address of at most 320 characters");
            }
        }
        String displayName = null;
        if (paths.contains("display_name")) {
            displayName = changes.getDisplayName().strip();
            Validation.maxLength(displayName, 200, "user.display_name");
        }
        Classification classification = null;
        if (paths.contains("classification")) {
            if (changes.getClassification() != UserClassification.USER_CLASSIFICATION_INTERNAL
                    && changes.getClassification() != UserClassification.USER_CLASSIFICATION_EXTERNAL) {
                throw DomainException.invalid("user.classification", "must be INTERNAL or EXTERNAL");
            }
            classification = toDomain(changes.getClassification());
        }
        List<ExternalIdentity> identities = null;
        if (paths.contains("external_identities")) {
            identities = identities(changes.getExternalIdentitiesList(), "user.external_identities");
        }
        var updated = users.update(org, id, new UserChanges(email, displayName, classification, identities));
        Rpc.reply(response, UpdateUserResponse.newBuilder()
                .setUser(toProto(org, updated.value()))
                .setRevisionToken(updated.revisionToken())
                .build());
    }

    @Override
    public void activateUser(ActivateUserRequest request, StreamObserver<ActivateUserResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        var activated = users.activate(org, UUID.fromString(request.getUserId()));
        Rpc.reply(response, ActivateUserResponse.newBuilder()
                .setUser(toProto(org, activated.value()))
                .setRevisionToken(activated.revisionToken())
                .build());
    }

    @Override
    public void deactivateUser(DeactivateUserRequest request, StreamObserver<DeactivateUserResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        var deactivated = users.deactivate(org, UUID.fromString(request.getUserId()));
        Rpc.reply(response, DeactivateUserResponse.newBuilder()
                .setUser(toProto(org, deactivated.value()))
                .setRevisionToken(deactivated.revisionToken())
                .build());
    }

    @Override
    public void deleteUser(DeleteUserRequest request, StreamObserver<DeleteUserResponse> response) {
        var deleted = users.delete(UUID.fromString(request.getOrganizationId()), UUID.fromString(request.getUserId()));
        Rpc.reply(response, DeleteUserResponse.newBuilder().setRevisionToken(deleted.revisionToken()).build());
    }

    @Override
    public void classifyUsers(ClassifyUsersRequest request, StreamObserver<ClassifyUsersResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        var classified = users.classify(org, request.getUserIdsList().stream().map(UUID::fromString).toList(),
                toDomain(request.getClassification()));
        Rpc.reply(response, ClassifyUsersResponse.newBuilder()
                .addAllUsers(classified.value().stream().map(u -> toProto(org, u)).toList())
                .setRevisionToken(classified.revisionToken())
                .build());
    }

    @Override
    public void syncExternalGroups(SyncExternalGroupsRequest request, StreamObserver<SyncExternalGroupsResponse> response) {
        var synced = users.syncExternalGroups(UUID.fromString(request.getOrganizationId()),
                UUID.fromString(request.getUserId()), request.getIdp(), request.getExternalGroupsList());
        Rpc.reply(response, SyncExternalGroupsResponse.newBuilder()
                .addAllMappedGroupIds(synced.value().stream().map(UUID::toString).toList())
                .setRevisionToken(synced.revisionToken())
                .build());
    }

    @Override
    public void getLicenseUsage(GetLicenseUsageRequest request, StreamObserver<GetLicenseUsageResponse> response) {
        LicenseUsage usage = users.licenseUsage(UUID.fromString(request.getOrganizationId()));
        Rpc.reply(response, GetLicenseUsageResponse.newBuilder()
                .setMembers(usage.members())
                .setInternalEndUsers(usage.internalEndUsers())
                .setExternalEndUsers(usage.externalEndUsers())
                .build());
    }

    /** External identities of an update, checked as the proto checks them on InviteUser. */
    private static List<ExternalIdentity> identities(List<dev.verdict.v1.ExternalIdentity> given, String field) {
        if (given.size() > 20) {
            throw DomainException.invalid(field, "must list at most 20 identities");
        }
        List<ExternalIdentity> identities = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            var identity = given.get(i);
            if (identity.getIdp().isEmpty() || identity.getIdp().length() > 100) {
                throw DomainException.invalid(field + "[" + i + "].idp", "must be 1 to 100 characters");
            }
            if (identity.getSubject().isEmpty() || identity.getSubject().length() > 256) {
                throw DomainException.invalid(field + "[" + i + "].subject", "must be 1 to 256 characters");
            }
            identities.add(new ExternalIdentity(identity.getIdp(), identity.getSubject()));
        }
        return identities;
    }

    private static Classification toDomain(UserClassification classification) {
        return switch (classification) {
            case USER_CLASSIFICATION_EXTERNAL -> Classification.EXTERNAL;
            default -> Classification.INTERNAL;
        };
    }

    static User toProto(UUID org, dev.verdict.server.domain.User user) {
        return User.newBuilder()
                .setUserId(user.id().toString())
                .setOrganizationId(org.toString())
                .setEmail(user.email())
                .setDisplayName(user.displayName())
                .setStatus(switch (user.status()) {
                    case INVITED -> dev.verdict.v1.UserStatus.USER_STATUS_INVITED;
                    case ACTIVE -> dev.verdict.v1.UserStatus.USER_STATUS_ACTIVE;
                    case DEACTIVATED -> dev.verdict.v1.UserStatus.USER_STATUS_DEACTIVATED;
                })
                .setClassification(switch (user.classification()) {
                    case INTERNAL -> UserClassification.USER_CLASSIFICATION_INTERNAL;
                    case EXTERNAL -> UserClassification.USER_CLASSIFICATION_EXTERNAL;
                })
                .addAllExternalIdentities(user.externalIdentities().stream()
                        .map(i -> dev.verdict.v1.ExternalIdentity.newBuilder().setIdp(i.idp()).setSubject(i.subject()).build())
                        .toList())
                .setCreateTime(Protos.timestamp(user.createTime()))
                .setUpdateTime(Protos.timestamp(user.updateTime()))
                .build();
    }
}
