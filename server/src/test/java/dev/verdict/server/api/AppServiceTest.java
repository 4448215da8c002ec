package dev.verdict.server.api;

import static dev.verdict.server.TestServer.failure;
import static dev.verdict.server.store.schema.Tables.ASSIGNMENT;
import static dev.verdict.server.store.schema.Tables.CHANGE_LOG;
import static dev.verdict.server.store.schema.Tables.GROUP_ROLE_GRANT;
import static dev.verdict.server.store.schema.Tables.USER_GROUP;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import dev.verdict.server.Errors;
import dev.verdict.server.TestServer;
import dev.verdict.server.store.schema.tables.records.ChangeLogRecord;
import dev.verdict.v1.ApiClientServiceGrpc;
import dev.verdict.v1.App;
import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.CreateApiClientRequest;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.DeleteAppRequest;
import dev.verdict.v1.GetAppRequest;
import dev.verdict.v1.ListAppsRequest;
import dev.verdict.v1.UpdateAppRequest;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

class AppServiceTest {
    private final AppServiceGrpc.AppServiceBlockingStub apps = AppServiceGrpc.newBlockingStub(TestServer.channel());
    private final String org = TestServer.newOrganization();

    private static DSLContext db() {
        return TestServer.server().database().dsl();
    }

    private App create(String orgId, App app) {
        return apps.createApp(CreateAppRequest.newBuilder().setOrganizationId(orgId).setApp(app).build()).getApp();
    }

    private App create(String key) {
        return create(org, App.newBuilder().setKey(key).build());
    }

    private App get(String orgId, String key) {
        return apps.getApp(GetAppRequest.newBuilder().setOrganizationId(orgId).setKey(key).build()).getApp();
    }

    private Status.Code getCode(String orgId, String key) {
        return failure(() -> get(orgId, key)).getStatus().getCode();
    }

    private ChangeLogRecord lastChange(String orgId) {
        return db().selectFrom(CHANGE_LOG)
                .where(CHANGE_LOG.ORGANIZATION_ID.eq(UUID.fromString(orgId)))
                .orderBy(CHANGE_LOG.REVISION.desc())
                .limit(1)
                .fetchOne();
    }

    @Test
    void createsAnAppWhoseDisplayNameDefaultsToItsKey() {
        var created = apps.createApp(CreateAppRequest.newBuilder()
                .setOrganizationId(org)
                .setApp(App.newBuilder().setKey("sales-portal"))
                .build());
        assertThat(created.getApp()).isEqualTo(App.newBuilder().setKey("sales-portal").setDisplayName("sales-portal").build());
        assertThat(created.getRevisionToken()).isEqualTo("2");
        assertThat(get(org, "sales-portal")).isEqualTo(created.getApp());

        ChangeLogRecord change = lastChange(org);
        assertThat(change.getRevision()).isEqualTo(2L);
        assertThat(change.getResourceType()).isEqualTo("app");
        assertThat(change.getResourceId()).isEqualTo("sales-portal");
        assertThat(change.getAction()).isEqualTo("created");
    }

    @Test
    void createsAnAppWithDisplayNameTrimmedAndDescriptionAsGiven() {
        App app = create(org, App.newBuilder().setKey("crm").setDisplayName("  CRM  ").setDescription(" Customers ").build());
        assertThat(app.getDisplayName()).isEqualTo("CRM");
        assertThat(app.getDescription()).isEqualTo(" Customers ");
        assertThat(get(org, "crm")).isEqualTo(app);
    }

    @Test
    void duplicateKeyIsAlreadyExistsAndKeepsTheFirst() {
        create(org, App.newBuilder().setKey("crm").setDisplayName("First").build());
        var e = failure(() -> create(org, App.newBuilder().setKey("crm").setDisplayName("Second").build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(get(org, "crm").getDisplayName()).isEqualTo("First");
    }

    @Test
    void sameKeyInTwoOrganizationsIsTwoApps() {
        String other = TestServer.newOrganization();
        create(org, App.newBuilder().setKey("crm").setDisplayName("Ours").build());
        create(other, App.newBuilder().setKey("crm").setDisplayName("Theirs").build());
        assertThat(get(org, "crm").getDisplayName()).isEqualTo("Ours");
        assertThat(get(other, "crm").getDisplayName()).isEqualTo("Theirs");
    }

    @Test
    void badOrMissingKeyNamesTheField() {
        var bad = failure(() -> create(org, App.newBuilder().setKey("Sales Portal").build()));
        assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(bad)).containsExactly("app.key");
        var missing = failure(() -> create(org, App.newBuilder().setDisplayName("No key").build()));
        assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(missing)).contains("app.key");
        var noApp = failure(() -> apps.createApp(CreateAppRequest.newBuilder().setOrganizationId(org).build()));
        assertThat(Errors.badFields(noApp)).containsExactly("app");
    }

    @Test
    void createInAnUnknownOrganizationIsNotFound() {
        var e = failure(() -> create(UUID.randomUUID().toString(), App.newBuilder().setKey("crm").build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void retriedCreateWithSameRequestIdReturnsTheFirstResult() {
        var request = CreateAppRequest.newBuilder()
                .setOrganizationId(org)
                .setApp(App.newBuilder().setKey("crm"))
                .setRequestId(UUID.randomUUID().toString())
                .build();
        var first = apps.createApp(request);
        var second = apps.createApp(request);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void unknownAppIsNotFound() {
        assertThat(getCode(org, "nope")).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void anotherOrganizationsAppIsNotFoundEverywhere() {
        String other = TestServer.newOrganization();
        create(other, App.newBuilder().setKey("theirs").build());

        assertThat(getCode(org, "theirs")).isEqualTo(Status.Code.NOT_FOUND);
        var update = failure(() -> apps.updateApp(UpdateAppRequest.newBuilder()
                .setOrganizationId(org)
                .setApp(App.newBuilder().setKey("theirs").setDisplayName("Mine now"))
                .setUpdateMask(FieldMask.newBuilder().addPaths("display_name"))
                .build()));
        assertThat(update.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        var delete = failure(() -> apps.deleteApp(DeleteAppRequest.newBuilder()
                .setOrganizationId(org).setKey("theirs").setForce(true).build()));
        assertThat(delete.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(apps.listApps(ListAppsRequest.newBuilder().setOrganizationId(org).build()).getAppsList()).isEmpty();

        assertThat(get(other, "theirs").getDisplayName()).isEqualTo("theirs");
    }

    @Test
    void listsByKeyPageByPage() {
        for (String key : List.of("echo", "alpha", "delta", "bravo", "charlie")) {
            create(key);
        }
        List<String> keys = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            var page = apps.listApps(ListAppsRequest.newBuilder()
                    .setOrganizationId(org).setPageSize(2).setPageToken(token).build());
            assertThat(page.getAppsList()).hasSizeLessThanOrEqualTo(2);
            page.getAppsList().forEach(a -> keys.add(a.getKey()));
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());
        assertThat(keys).containsExactly("alpha", "bravo", "charlie", "delta", "echo");
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void listWithoutPageSizeReturnsEverythingUpToTheDefault() {
        for (int i = 0; i < 101; i++) {
            create(String.format("app-%03d", i));
        }
        var first = apps.listApps(ListAppsRequest.newBuilder().setOrganizationId(org).build());
        assertThat(first.getAppsList()).hasSize(100);
        assertThat(first.getApps(0).getKey()).isEqualTo("app-000");
        var rest = apps.listApps(ListAppsRequest.newBuilder()
                .setOrganizationId(org).setPageToken(first.getNextPageToken()).build());
        assertThat(rest.getAppsList()).extracting(App::getKey).containsExactly("app-100");
        assertThat(rest.getNextPageToken()).isEmpty();
    }

    @Test
    void listBadPageTokenOrUnknownOrganizationFails() {
        var token = failure(() -> apps.listApps(ListAppsRequest.newBuilder()
                .setOrganizationId(org).setPageToken("!!!").build()));
        assertThat(token.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(token)).containsExactly("page_token");
        var unknown = failure(() -> apps.listApps(ListAppsRequest.newBuilder()
                .setOrganizationId(UUID.randomUUID().toString()).build()));
        assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        var size = failure(() -> apps.listApps(ListAppsRequest.newBuilder()
                .setOrganizationId(org).setPageSize(1001).build()));
        assertThat(Errors.badFields(size)).containsExactly("page_size");
    }

    @Test
    void updatesOnlyTheMaskedFields() {
        create(org, App.newBuilder().setKey("crm").setDisplayName("CRM").setDescription("old").build());
        var updated = apps.updateApp(UpdateAppRequest.newBuilder()
                .setOrganizationId(org)
                .setApp(App.newBuilder().setKey("crm").setDisplayName("ignored").setDescription("new"))
                .setUpdateMask(FieldMask.newBuilder().addPaths("description"))
                .build());
        assertThat(updated.getApp()).isEqualTo(App.newBuilder()
                .setKey("crm").setDisplayName("CRM").setDescription("new").build());
        assertThat(updated.getRevisionToken()).isEqualTo("3");
        assertThat(lastChange(org).getAction()).isEqualTo("updated");
        assertThat(lastChange(org).getResourceId()).isEqualTo("crm");

        var renamed = apps.updateApp(UpdateAppRequest.newBuilder()
                .setOrganizationId(org)
                .setApp(App.newBuilder().setKey("crm").setDisplayName("Customers"))
                .setUpdateMask(FieldMask.newBuilder().addPaths("display_name"))
                .build());
        assertThat(renamed.getApp().getDisplayName()).isEqualTo("Customers");
        assertThat(get(org, "crm")).isEqualTo(renamed.getApp());
    }

    @Test
    void updateOfAnythingElseIsInvalidAndChangesNothing() {
        App before = create(org, App.newBuilder().setKey("crm").setDisplayName("CRM").build());
        for (String path : List.of("key", "revision_token")) {
            var e = failure(() -> apps.updateApp(UpdateAppRequest.newBuilder()
                    .setOrganizationId(org)
                    .setApp(App.newBuilder().setKey("crm").setDisplayName("Changed"))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("display_name").addPaths(path))
                    .build()));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(Errors.badFields(e)).containsExactly("update_mask");
        }
        var empty = failure(() -> apps.updateApp(UpdateAppRequest.newBuilder()
                .setOrganizationId(org)
                .setApp(App.newBuilder().setKey("crm"))
                .setUpdateMask(FieldMask.getDefaultInstance())
                .build()));
        assertThat(Errors.badFields(empty)).containsExactly("update_mask");
        assertThat(get(org, "crm")).isEqualTo(before);
    }

    @Test
    void updateOfAnUnknownAppIsNotFound() {
        var e = failure(() -> apps.updateApp(UpdateAppRequest.newBuilder()
                .setOrganizationId(org)
                .setApp(App.newBuilder().setKey("nope").setDescription("x"))
                .setUpdateMask(FieldMask.newBuilder().addPaths("description"))
                .build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void deletesAnUnusedApp() {
        create("crm");
        var deleted = apps.deleteApp(DeleteAppRequest.newBuilder().setOrganizationId(org).setKey("crm").build());
        assertThat(deleted.getRevisionToken()).isEqualTo("3");
        assertThat(getCode(org, "crm")).isEqualTo(Status.Code.NOT_FOUND);
        ChangeLogRecord change = lastChange(org);
        assertThat(change.getResourceType()).isEqualTo("app");
        assertThat(change.getResourceId()).isEqualTo("crm");
        assertThat(change.getAction()).isEqualTo("deleted");

        var again = failure(() -> apps.deleteApp(DeleteAppRequest.newBuilder().setOrganizationId(org).setKey("crm").build()));
        assertThat(again.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void deletingAnAppWithAssignmentsIsRefusedUnlessForced() {
        create("crm");
        create("other");
        UUID client = UUID.fromString(ApiClientServiceGrpc.newBlockingStub(TestServer.channel())
                .createApiClient(CreateApiClientRequest.newBuilder().setOrganizationId(org).setName("ci").build())
                .getApiClient().getApiClientId());
        UUID onApp = assign(client, "crm");
        UUID elsewhere = assign(client, "other");

        var refused = failure(() -> apps.deleteApp(DeleteAppRequest.newBuilder().setOrganizationId(org).setKey("crm").build()));
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(Errors.preconditionTypes(refused)).containsExactly("IN_USE");
        assertThat(get(org, "crm").getKey()).isEqualTo("crm");
        assertThat(assignmentExists(onApp)).isTrue();
        long revisionAfterRefusal = lastChange(org).getRevision();

        var forced = apps.deleteApp(DeleteAppRequest.newBuilder().setOrganizationId(org).setKey("crm").setForce(true).build());
        assertThat(Long.parseLong(forced.getRevisionToken())).isEqualTo(revisionAfterRefusal + 1);
        assertThat(getCode(org, "crm")).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(assignmentExists(onApp)).isFalse();
        assertThat(assignmentExists(elsewhere)).isTrue();
        ChangeLogRecord change = lastChange(org);
        assertThat(change.getAction()).isEqualTo("deleted");
        assertThat(change.getUserIds()).containsExactly(client);
    }

    @Test
    void deletingAnAppWithGroupGrantsIsRefusedUnlessForced() {
        create("crm");
        UUID org = UUID.fromString(this.org);
        UUID group = UUID.randomUUID();
        db().insertInto(USER_GROUP)
                .set(USER_GROUP.ORGANIZATION_ID, org)
                .set(USER_GROUP.GROUP_ID, group)
                .set(USER_GROUP.NAME, "sales")
                .set(USER_GROUP.STAGE, "production")
                .execute();
        db().insertInto(GROUP_ROLE_GRANT)
                .set(GROUP_ROLE_GRANT.ORGANIZATION_ID, org)
                .set(GROUP_ROLE_GRANT.GROUP_ID, group)
                .set(GROUP_ROLE_GRANT.ROLE_KEY, "developer")
                .set(GROUP_ROLE_GRANT.APP_KEY, "crm")
                .execute();

        var refused = failure(() -> apps.deleteApp(DeleteAppRequest.newBuilder().setOrganizationId(this.org).setKey("crm").build()));
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(Errors.preconditionTypes(refused)).containsExactly("IN_USE");
        assertThat(get(this.org, "crm").getKey()).isEqualTo("crm");

        apps.deleteApp(DeleteAppRequest.newBuilder().setOrganizationId(this.org).setKey("crm").setForce(true).build());
        assertThat(getCode(this.org, "crm")).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(db().fetchExists(GROUP_ROLE_GRANT, GROUP_ROLE_GRANT.ORGANIZATION_ID.eq(org),
                GROUP_ROLE_GRANT.GROUP_ID.eq(group))).isFalse();
    }

    /** An app-scoped assignment inserted directly: AssignmentService is built elsewhere. */
    private UUID assign(UUID client, String appKey) {
        UUID id = UUID.randomUUID();
        db().insertInto(ASSIGNMENT)
                .set(ASSIGNMENT.ORGANIZATION_ID, UUID.fromString(org))
                .set(ASSIGNMENT.ASSIGNMENT_ID, id)
                .set(ASSIGNMENT.API_CLIENT_ID, client)
                .set(ASSIGNMENT.ROLE_KEY, "developer")
                .set(ASSIGNMENT.APP_KEY, appKey)
                .execute();
        return id;
    }

    private boolean assignmentExists(UUID id) {
        return db().fetchExists(ASSIGNMENT, ASSIGNMENT.ORGANIZATION_ID.eq(UUID.fromString(org)), ASSIGNMENT.ASSIGNMENT_ID.eq(id));
    }
}
