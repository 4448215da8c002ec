package dev.verdict.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdict.v1.CreateOrganizationRequest;
import dev.verdict.v1.CreateOrganizationResponse;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.InviteUserResponse;
import dev.verdict.v1.Organization;
import dev.verdict.v1.UserStatus;
import io.grpc.Status;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Management calls through the SDK against a real Verdict. */
class ManagementTest {

    @Test
    void createsAndReadsAnOrganization() {
        String name = "Acme " + UUID.randomUUID();
        CreateOrganizationResponse created = RealServer.client().organizations().create(name);

        Organization read = RealServer.client().organizations().get(created.getOrganization().getOrganizationId());
        assertThat(read.getName()).isEqualTo(name);
        assertThat(read.getStagesList()).containsExactly("development", "qa", "production");
        assertThat(Revision.of(created).token()).isEqualTo(created.getRevisionToken()).isNotBlank();
    }

    @Test
    void errorsMapToTheirExceptionsWithDetails() {
        VerdictClient client = RealServer.client();
        String name = "Dup " + UUID.randomUUID();
        client.organizations().create(name);

        assertThatThrownBy(() -> client.organizations().create(name))
                .isInstanceOfSatisfying(AlreadyExistsException.class,
                        e -> assertThat(e.code()).isEqualTo(Status.Code.ALREADY_EXISTS));
        assertThatThrownBy(() -> client.organizations().get(UUID.randomUUID().toString()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.resourceType()).isEqualTo("organization");
                });
        assertThatThrownBy(() -> client.organizations().createOrganization(CreateOrganizationRequest.newBuilder()
                        .setName("")
                        .addStages("Not A Stage")
                        .build()))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.fieldViolations())
                        .extracting(FieldViolation::field)
                        .contains("name", "stages[0]"));
    }

    @Test
    void aTinyDeadlineFailsWithDeadlineExceeded() {
        try (VerdictClient hurried = VerdictClient.builder().target("127.0.0.1:" + RealServer.port()).plaintext()
                .defaultDeadline(Duration.ofNanos(1)).build()) {
            assertThatThrownBy(() -> hurried.organizations().create("Late " + UUID.randomUUID()))
                    .isInstanceOf(DeadlineExceededException.class);
        }
    }

    @Test
    void invitesAUserAndRemembersTheRevision() {
        VerdictClient org = RealServer.newOrganization();
        try (VerdictClient remembering = VerdictClient.builder().target("127.0.0.1:" + RealServer.port()).plaintext()
                .organization(org.organizationId().orElseThrow()).rememberRevisions(true).build()) {
            InviteUserResponse invited = remembering.users().invite("Ana@Acme.example", "developer");

            assertThat(invited.getUser().getEmail()).isEqualToIgnoringCase("ana@acme.example");
            assertThat(invited.getUser().getStatus()).isEqualTo(UserStatus.USER_STATUS_INVITED);
            assertThat(invited.getUser().getOrganizationId()).isEqualTo(org.organizationId().orElseThrow());
            assertThat(remembering.latestRevision()).contains(Revision.of(invited));

            assertThatThrownBy(() -> remembering.users().inviteUser(InviteUserRequest.newBuilder()
                            .setEmail("not an email")
                            .build()))
                    .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.fieldViolations())
                            .extracting(FieldViolation::field).containsExactly("email"));
            assertThatThrownBy(() -> remembering.users().invite("ana@acme.example"))
                    .isInstanceOf(AlreadyExistsException.class);
            assertThatThrownBy(() -> remembering.users().invite("bob@acme.example", "no_such_role"))
                    .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.fieldViolations())
                            .extracting(FieldViolation::field).containsExactly("organization_role_keys[0]"));
        }
    }
}
