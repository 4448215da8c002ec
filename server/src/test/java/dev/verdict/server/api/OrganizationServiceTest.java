package dev.verdict.server.api;

import static dev.verdict.server.TestServer.failure;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import dev.verdict.server.Errors;
import dev.verdict.server.TestServer;
import dev.verdict.v1.CreateOrganizationRequest;
import dev.verdict.v1.DeleteOrganizationRequest;
import dev.verdict.v1.GetOrganizationRequest;
import dev.verdict.v1.ListOrganizationsRequest;
import dev.verdict.v1.Organization;
import dev.verdict.v1.OrganizationServiceGrpc;
import dev.verdict.v1.UpdateOrganizationRequest;
import io.grpc.Status;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class OrganizationServiceTest {
    private final OrganizationServiceGrpc.OrganizationServiceBlockingStub organizations =
            OrganizationServiceGrpc.newBlockingStub(TestServer.channel());

    private static String uniqueName() {
        return "Acme " + UUID.randomUUID();
    }

    @Test
    void createsWithDefaultStagesAndFirstRevision() {
        var created = organizations.createOrganization(CreateOrganizationRequest.newBuilder().setName(uniqueName()).build());
        assertThat(created.getOrganization().getStagesList()).containsExactly("development", "qa", "production");
        assertThat(created.getRevisionToken()).isEqualTo("1");
        var read = organizations.getOrganization(GetOrganizationRequest.newBuilder()
                .setOrganizationId(created.getOrganization().getOrganizationId()).build());
        assertThat(read.getOrganization().getName()).isEqualTo(created.getOrganization().getName());
    }

    @Test
    void createsWithCustomStages() {
        var created = organizations.createOrganization(CreateOrganizationRequest.newBuilder()
                .setName(uniqueName()).addStages("dev").addStages("prod").build());
        assertThat(created.getOrganization().getStagesList()).containsExactly("dev", "prod");
    }

    @Test
    void duplicateNameInAnyCaseIsAlreadyExists() {
        String name = uniqueName();
        organizations.createOrganization(CreateOrganizationRequest.newBuilder().setName(name).build());
        var e = failure(() -> organizations.createOrganization(
                CreateOrganizationRequest.newBuilder().setName(name.toUpperCase()).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    }

    @Test
    void retriedCreateWithSameRequestIdReturnsTheFirstResult() {
        String requestId = UUID.randomUUID().toString();
        var request = CreateOrganizationRequest.newBuilder().setName(uniqueName()).setRequestId(requestId).build();
        var first = organizations.createOrganization(request);
        var second = organizations.createOrganization(request);
        // The same result, except that the administrator's key is shown only once.
        assertThat(first.getAdminApiKey()).isNotEmpty();
        assertThat(second).isEqualTo(first.toBuilder().clearAdminApiKey().build());
    }

    @Test
    void badStageNamesTheField() {
        var e = failure(() -> organizations.createOrganization(CreateOrganizationRequest.newBuilder()
                .setName(uniqueName()).addStages("Not A Stage").build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("stages[0]");
    }

    @Test
    void emptyNameIsInvalid() {
        var e = failure(() -> organizations.createOrganization(CreateOrganizationRequest.getDefaultInstance()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).contains("name");
    }

    @Test
    void unknownOrganizationIsNotFound() {
        var e = failure(() -> organizations.getOrganization(GetOrganizationRequest.newBuilder()
                .setOrganizationId(UUID.randomUUID().toString()).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void renamesAndAddsAStageWithANewRevision() {
        String id = TestServer.newOrganization();
        String name = uniqueName();
        var updated = organizations.updateOrganization(UpdateOrganizationRequest.newBuilder()
                .setOrganization(Organization.newBuilder().setOrganizationId(id).setName(name)
                        .addStages("development").addStages("qa").addStages("staging").addStages("production"))
                .setUpdateMask(FieldMask.newBuilder().addPaths("name").addPaths("stages"))
                .build());
        assertThat(updated.getOrganization().getName()).isEqualTo(name);
        assertThat(updated.getOrganization().getStagesList()).containsExactly("development", "qa", "staging", "production");
        assertThat(updated.getRevisionToken()).isEqualTo("2");
    }

    @Test
    void updateWithUnknownMaskPathIsInvalid() {
        String id = TestServer.newOrganization();
        var e = failure(() -> organizations.updateOrganization(UpdateOrganizationRequest.newBuilder()
                .setOrganization(Organization.newBuilder().setOrganizationId(id))
                .setUpdateMask(FieldMask.newBuilder().addPaths("revision_token"))
                .build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("update_mask");
    }

    @Test
    void listsPageByPage() {
        for (int i = 0; i < 3; i++) {
            TestServer.newOrganization();
        }
        var first = organizations.listOrganizations(ListOrganizationsRequest.newBuilder().setPageSize(2).build());
        assertThat(first.getOrganizationsList()).hasSize(2);
        assertThat(first.getNextPageToken()).isNotEmpty();
        var second = organizations.listOrganizations(ListOrganizationsRequest.newBuilder()
                .setPageSize(2).setPageToken(first.getNextPageToken()).build());
        assertThat(second.getOrganizationsList()).isNotEmpty()
                .doesNotContainAnyElementsOf(first.getOrganizationsList());
    }

    @Test
    void garbagePageTokenIsInvalid() {
        var e = failure(() -> organizations.listOrganizations(ListOrganizationsRequest.newBuilder()
                .setPageToken("!!!").build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("page_token");
    }

    @Test
    void deletesAnOrganization() {
        String id = TestServer.newOrganization();
        organizations.deleteOrganization(DeleteOrganizationRequest.newBuilder().setOrganizationId(id).build());
        var e = failure(() -> organizations.getOrganization(GetOrganizationRequest.newBuilder().setOrganizationId(id).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }
}
