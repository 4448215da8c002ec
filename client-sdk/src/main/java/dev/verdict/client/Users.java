package dev.verdict.client;

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
import dev.verdict.v1.UserServiceGrpc;

/**
 * Users of an organization: members (holding organization roles) and end-users (holding end-user roles). The {@code verdict.v1.UserService}, one method per RPC taking and returning the generated
 * messages. A request whose {@code organization_id} is empty gets the organization the client is bound to. Failures throw a {@link VerdictException}. Thread-safe; get it from
 * {@link VerdictClient#users()}.
 */
public final class Users {
    private final Calls calls;
    private final String organizationId;
    private final UserServiceGrpc.UserServiceBlockingStub stub;

    Users(Calls calls, String organizationId) {
        this.calls = calls;
        this.organizationId = organizationId;
        this.stub = calls.stub(UserServiceGrpc::newBlockingStub);
    }

    /** Invites a person by email into the bound organization, with organization roles assigned organization-wide. */
    public InviteUserResponse invite(String email, String... organizationRoleKeys) {
        return inviteUser(InviteUserRequest.newBuilder()
                .setEmail(email)
                .addAllOrganizationRoleKeys(java.util.List.of(organizationRoleKeys))
                .build());
    }

    /** Activates an invited or deactivated user of the bound organization. */
    public ActivateUserResponse activate(String userId) {
        return activateUser(ActivateUserRequest.newBuilder().setUserId(userId).build());
    }

    /** Invites a user, optionally with organization roles, end-user roles and groups in the same call. ({@code verdict.v1.UserService/InviteUser}). */
    public InviteUserResponse inviteUser(InviteUserRequest request) {
        return calls.call(organizationId, request, stub::inviteUser);
    }

    /** Gets a user by id. ({@code verdict.v1.UserService/GetUser}). */
    public GetUserResponse getUser(GetUserRequest request) {
        return calls.call(organizationId, request, stub::getUser);
    }

    /** Gets a user by email (case-insensitive). ({@code verdict.v1.UserService/GetUserByEmail}). */
    public GetUserByEmailResponse getUserByEmail(GetUserByEmailRequest request) {
        return calls.call(organizationId, request, stub::getUserByEmail);
    }

    /** Searches users by email or name prefix, status, role, group and classification; ordered by email. ({@code verdict.v1.UserService/SearchUsers}). */
    public SearchUsersResponse searchUsers(SearchUsersRequest request) {
        return calls.call(organizationId, request, stub::searchUsers);
    }

    /** Changes email, display name, classification or external identities. ({@code verdict.v1.UserService/UpdateUser}). */
    public UpdateUserResponse updateUser(UpdateUserRequest request) {
        return calls.call(organizationId, request, stub::updateUser);
    }

    /** Activates an invited or deactivated user. ({@code verdict.v1.UserService/ActivateUser}). */
    public ActivateUserResponse activateUser(ActivateUserRequest request) {
        return calls.call(organizationId, request, stub::activateUser);
    }

    /** Deactivates a user: every decision denies until activated again. ({@code verdict.v1.UserService/DeactivateUser}). */
    public DeactivateUserResponse deactivateUser(DeactivateUserRequest request) {
        return calls.call(organizationId, request, stub::deactivateUser);
    }

    /** Deletes a user with every assignment and membership. ({@code verdict.v1.UserService/DeleteUser}). */
    public DeleteUserResponse deleteUser(DeleteUserRequest request) {
        return calls.call(organizationId, request, stub::deleteUser);
    }

    /** Sets the license classification of many users at once. ({@code verdict.v1.UserService/ClassifyUsers}). */
    public ClassifyUsersResponse classifyUsers(ClassifyUsersRequest request) {
        return calls.call(organizationId, request, stub::classifyUsers);
    }

    /** Replaces the user's external groups from one identity provider (called at each sign-in through it). ({@code verdict.v1.UserService/SyncExternalGroups}). */
    public SyncExternalGroupsResponse syncExternalGroups(SyncExternalGroupsRequest request) {
        return calls.call(organizationId, request, stub::syncExternalGroups);
    }

    /** Counts members and internal and external end-users, for licensing. ({@code verdict.v1.UserService/GetLicenseUsage}). */
    public GetLicenseUsageResponse getLicenseUsage(GetLicenseUsageRequest request) {
        return calls.call(organizationId, request, stub::getLicenseUsage);
    }
}
