package dev.verdict.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.Errors;
import dev.verdict.server.TestServer;
import dev.verdict.v1.CreateOrganizationRequest;
import dev.verdict.v1.GetOrganizationRequest;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.ListPermissionsRequest;
import dev.verdict.v1.OrganizationServiceGrpc;
import dev.verdict.v1.PermissionServiceGrpc;
import dev.verdict.v1.SyncExternalGroupsRequest;
import dev.verdict.v1.UserServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * Found by RequestFuzzTest: a NUL character in a string reached Postgres, which refuses it in text
 * ("invalid byte sequence for encoding UTF8: 0x00"), and the caller got INTERNAL. Now any string with a NUL,
 * at any depth, is INVALID_ARGUMENT naming the field, and nothing is written.
 */
class NulCharacterTest {
    private final OrganizationServiceGrpc.OrganizationServiceBlockingStub organizations =
            OrganizationServiceGrpc.newBlockingStub(TestServer.channel());
    private final UserServiceGrpc.UserServiceBlockingStub users = UserServiceGrpc.newBlockingStub(TestServer.channel());

    private String revision(String org) {
        return organizations.getOrganization(GetOrganizationRequest.newBuilder().setOrganizationId(org).build())
                .getOrganization().getRevisionToken();
    }

    private static StatusRuntimeException invalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        StatusRuntimeException e = TestServer.failure(call);
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        return e;
    }

    @Test
    void aNulInANameIsInvalidNotInternal() {
        StatusRuntimeException e = invalid(() -> organizations.createOrganization(
                CreateOrganizationRequest.newBuilder().setName("nul\u0000org").build()));
        assertThat(Errors.badFields(e)).containsExactly("name");
    }

    @Test
    void aNulInAnInvitedUsersDisplayNameWritesNothing() {
        String org = TestServer.newOrganization();
        String before = revision(org);
        StatusRuntimeException e = invalid(() -> users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org)
                .setEmail("nul@example.com").setDisplayName("a\u0000b").build()));
        assertThat(Errors.badFields(e)).containsExactly("display_name");
        assertThat(revision(org)).isEqualTo(before);
    }

    @Test
    void aNulInARepeatedStringNamesItsIndex() {
        String org = TestServer.newOrganization();
        String user = users.inviteUser(InviteUserRequest.newBuilder().setOrganizationId(org)
                .setEmail("groups@example.com").setDisplayName("Groups").build()).getUser().getUserId();
        String before = revision(org);
        StatusRuntimeException e = invalid(() -> users.syncExternalGroups(SyncExternalGroupsRequest.newBuilder()
                .setOrganizationId(org).setUserId(user).setIdp("okta")
                .addExternalGroups("fine").addExternalGroups("\u0000").build()));
        assertThat(Errors.badFields(e)).containsExactly("external_groups[1]");
        assertThat(revision(org)).isEqualTo(before);
    }

    @Test
    void aPageTokenThatDecodesToANulIsInvalid() {
        String org = TestServer.newOrganization();
        String token = Base64.getUrlEncoder().encodeToString("app.\u0000".getBytes(StandardCharsets.UTF_8));
        StatusRuntimeException e = invalid(() -> PermissionServiceGrpc.newBlockingStub(TestServer.channel())
                .listPermissions(ListPermissionsRequest.newBuilder().setOrganizationId(org).setPageToken(token).build()));
        assertThat(Errors.badFields(e)).containsExactly("page_token");
    }
}
