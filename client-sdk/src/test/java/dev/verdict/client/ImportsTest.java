package dev.verdict.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdict.v1.GroupRoleGrant;
import dev.verdict.v1.ImportDirectoryRequest;
import dev.verdict.v1.ImportDirectoryResponse;
import dev.verdict.v1.ImportedApp;
import dev.verdict.v1.ImportedGroup;
import dev.verdict.v1.ImportedUser;
import dev.verdict.v1.Role;
import dev.verdict.v1.RoleKind;
import dev.verdict.v1.CreateRoleRequest;
import dev.verdict.v1.UserStatus;
import org.junit.jupiter.api.Test;

/** The bulk import through the SDK against a real Verdict: what it imports decides at once. */
class ImportsTest {
    @Test
    void importedUsersAreDecidedThroughImportedGroups() {
        VerdictClient client = RealServer.newOrganization();
        client.roles().createRole(CreateRoleRequest.newBuilder()
                .setRole(Role.newBuilder().setKey("reader").setKind(RoleKind.ROLE_KIND_END_USER)).build());
        ImportDirectoryResponse imported = client.imports().importDirectory(ImportDirectoryRequest.newBuilder()
                .addApps(ImportedApp.newBuilder().setAppKey("wiki"))
                .addGroups(ImportedGroup.newBuilder().setName("Readers").setStage("production")
                        .addRoleGrants(GroupRoleGrant.newBuilder().setRoleKey("reader").setAppKey("wiki")))
                .addUsers(ImportedUser.newBuilder().setEmail("ida@acme.example").setStatus(UserStatus.USER_STATUS_ACTIVE)
                        .addGroupNames("Readers"))
                .build());

        Principal ida = Principal.user(imported.getUserIds(0));
        assertThat(client.check(ida).atLeastAsFresh(Revision.of(imported)).hasRole("reader")
                .in("production", "wiki").allowed()).isTrue();
        assertThat(client.check(ida).hasRole("reader").in("qa", "wiki").allowed()).isFalse();

        assertThatThrownBy(() -> client.imports().importDirectory(ImportDirectoryRequest.newBuilder()
                .addUsers(ImportedUser.newBuilder().setEmail("IDA@acme.example")).build()))
                .isInstanceOf(AlreadyExistsException.class);
    }
}
