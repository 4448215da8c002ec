package dev.verdict.server.api;

import static dev.verdict.server.TestServer.failure;
import static dev.verdict.server.store.schema.Tables.API_CLIENT;
import static dev.verdict.server.store.schema.Tables.ASSIGNMENT;
import static dev.verdict.server.store.schema.Tables.CHANGE_LOG;
import static dev.verdict.server.store.schema.Tables.REQUEST_LOG;
import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.Errors;
import dev.verdict.server.TestServer;
import dev.verdict.server.domain.AuthenticatedClient;
import dev.verdict.server.store.ApiClientStore;
import dev.verdict.server.store.Store;
import dev.verdict.server.store.schema.tables.records.ChangeLogRecord;
import dev.verdict.v1.ApiClient;
import dev.verdict.v1.ApiClientServiceGrpc;
import dev.verdict.v1.CreateApiClientRequest;
import dev.verdict.v1.CreateApiClientResponse;
import dev.verdict.v1.DeleteApiClientRequest;
import dev.verdict.v1.DisableApiClientRequest;
import dev.verdict.v1.EnableApiClientRequest;
import dev.verdict.v1.GetApiClientRequest;
import dev.verdict.v1.ListApiClientsRequest;
import dev.verdict.v1.RotateApiClientSecretRequest;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

class ApiClientServiceTest {
    private final ApiClientServiceGrpc.ApiClientServiceBlockingStub clients =
            ApiClientServiceGrpc.newBlockingStub(TestServer.channel());
    private final ApiClientStore store = new ApiClientStore(new Store(db()));
    private final String org = TestServer.newOrganization();

    private static DSLContext db() {
        return TestServer.server().database().dsl();
    }

    private CreateApiClientResponse create(String orgId, String name) {
        return clients.createApiClient(CreateApiClientRequest.newBuilder().setOrganizationId(orgId).setName(name).build());
    }

    private ApiClient get(String orgId, String id) {
        return clients.getApiClient(GetApiClientRequest.newBuilder().setOrganizationId(orgId).setApiClientId(id).build())
                .getApiClient();
    }

    private ChangeLogRecord lastChange() {
        return db().selectFrom(CHANGE_LOG)
                .where(CHANGE_LOG.ORGANIZATION_ID.eq(UUID.fromString(org)))
                .orderBy(CHANGE_LOG.REVISION.desc())
                .limit(1)
                .fetchOne();
    }

    private void assertLastChange(String id, String action, boolean affectsClient) {
        ChangeLogRecord change = lastChange();
        assertThat(change.getResourceType()).isEqualTo("api_client");
        assertThat(change.getResourceId()).isEqualTo(id);
        assertThat(change.getAction()).isEqualTo(action);
        if (affectsClient) {
            assertThat(change.getUserIds()).containsExactly(UUID.fromString(id));
        }
    }

    @Test
    void createReturnsAnEnabledClientAndItsSecretWhichAuthenticates() {
        var created = create(org, "  deploy-bot  ");
        ApiClient client = created.getApiClient();
        assertThat(client.getName()).isEqualTo("deploy-bot");
        assertThat(client.getEnabled()).isTrue();
        assertThat(client.getCreateTime().getSeconds()).isPositive();
        assertThat(created.getRevisionToken()).isEqualTo("2");
        assertThat(created.getSecret())
                .matches("vk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}")
                .startsWith("vk_" + client.getApiClientId().replace("-", "") + "_");
        assertLastChange(client.getApiClientId(), "created", false);

        assertThat(store.authenticate(created.getSecret())).contains(new AuthenticatedClient(
                UUID.fromString(org), UUID.fromString(client.getApiClientId()), true));
        assertThat(get(org, client.getApiClientId())).isEqualTo(client);
    }

    @Test
    void onlyTheHashOfTheKeyIsStored() throws Exception {
        var created = create(org, "bot");
        byte[] stored = db().select(API_CLIENT.SECRET_HASH).from(API_CLIENT)
                .where(API_CLIENT.API_CLIENT_ID.eq(UUID.fromString(created.getApiClient().getApiClientId())))
                .fetchOne(API_CLIENT.SECRET_HASH);
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(created.getSecret().getBytes(StandardCharsets.US_ASCII));
        assertThat(stored).isEqualTo(expected);
    }

    @Test
    void eachClientGetsItsOwnSecret() {
        String a = create(org, "a").getSecret();
        String b = create(org, "b").getSecret();
        assertThat(a.substring(36)).isNotEqualTo(b.substring(36));
    }

    @Test
    void duplicateNameInTheOrganizationIsAlreadyExists() {
        create(org, "bot");
        var e = failure(() -> create(org, "bot"));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        var trimmed = failure(() -> create(org, " bot "));
        assertThat(trimmed.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        // Every organization starts with its administrator client (CreateOrganization's way in).
        assertThat(clients.listApiClients(ListApiClientsRequest.newBuilder().setOrganizationId(org).build())
                .getApiClientsList()).extracting(c -> c.getName()).containsExactly("administrator", "bot");
        // The same name in another organization is another client.
        assertThat(create(TestServer.newOrganization(), "bot").getSecret()).isNotEmpty();
    }

    @Test
    void blankOrMissingNameIsInvalid() {
        var empty = failure(() -> create(org, ""));
        assertThat(empty.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(empty)).containsExactly("name");
        var blank = failure(() -> create(org, "   "));
        assertThat(blank.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(blank)).containsExactly("name");
    }

    @Test
    void createInAnUnknownOrganizationIsNotFound() {
        var e = failure(() -> create(UUID.randomUUID().toString(), "bot"));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void retriedCreateReturnsTheClientWithoutTheSecret() {
        var request = CreateApiClientRequest.newBuilder()
                .setOrganizationId(org).setName("bot").setRequestId(UUID.randomUUID().toString()).build();
        var first = clients.createApiClient(request);
        var retry = clients.createApiClient(request);
        assertThat(first.getSecret()).isNotEmpty();
        assertThat(retry.getSecret()).isEmpty();
        assertThat(retry.getApiClient()).isEqualTo(first.getApiClient());
        assertThat(retry.getRevisionToken()).isEqualTo(first.getRevisionToken());
        // Nothing remembered for the retry holds the secret either.
        byte[] remembered = db().select(REQUEST_LOG.RESPONSE).from(REQUEST_LOG)
                .where(REQUEST_LOG.ORGANIZATION_ID.eq(UUID.fromString(org)))
                .fetchOne(REQUEST_LOG.RESPONSE);
        assertThat(new String(remembered, StandardCharsets.ISO_8859_1)).doesNotContain(first.getSecret().substring(36));
        assertThat(store.authenticate(first.getSecret())).isPresent();
    }

    @Test
    void unknownClientIsNotFoundForEveryRpc() {
        String id = UUID.randomUUID().toString();
        List<Runnable> calls = List.of(
                () -> get(org, id),
                () -> clients.rotateApiClientSecret(RotateApiClientSecretRequest.newBuilder()
                        .setOrganizationId(org).setApiClientId(id).build()),
                () -> clients.disableApiClient(DisableApiClientRequest.newBuilder()
                        .setOrganizationId(org).setApiClientId(id).build()),
                () -> clients.enableApiClient(EnableApiClientRequest.newBuilder()
                        .setOrganizationId(org).setApiClientId(id).build()),
                () -> clients.deleteApiClient(DeleteApiClientRequest.newBuilder()
                        .setOrganizationId(org).setApiClientId(id).build()));
        for (Runnable call : calls) {
            assertThat(failure(call::run).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        }
    }

    @Test
    void anotherOrganizationsClientIsNotFoundAndUntouched() {
        String other = TestServer.newOrganization();
        var theirs = create(other, "theirs");
        String id = theirs.getApiClient().getApiClientId();
        assertThat(failure(() -> get(org, id)).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(failure(() -> clients.rotateApiClientSecret(RotateApiClientSecretRequest.newBuilder()
                .setOrganizationId(org).setApiClientId(id).build())).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(failure(() -> clients.disableApiClient(DisableApiClientRequest.newBuilder()
                .setOrganizationId(org).setApiClientId(id).build())).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(failure(() -> clients.deleteApiClient(DeleteApiClientRequest.newBuilder()
                .setOrganizationId(org).setApiClientId(id).build())).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(clients.listApiClients(ListApiClientsRequest.newBuilder().setOrganizationId(org).build())
                .getApiClientsList()).extracting(c -> c.getName()).containsExactly("administrator");

        assertThat(get(other, id).getEnabled()).isTrue();
        assertThat(store.authenticate(theirs.getSecret()).map(AuthenticatedClient::organizationId))
                .contains(UUID.fromString(other));
    }

    @Test
    void badIdIsInvalid() {
        var e = failure(() -> get(org, "not-a-uuid"));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("api_client_id");
    }

    @Test
    void listsByNameThenIdPageByPage() {
        List<String> names = List.of("delta", "alpha", "charlie", "bravo", "echo");
        for (String name : names) {
            create(org, name);
        }
        List<String> listed = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            var page = clients.listApiClients(ListApiClientsRequest.newBuilder()
                    .setOrganizationId(org).setPageSize(2).setPageToken(token).build());
            assertThat(page.getApiClientsList()).hasSizeLessThanOrEqualTo(2);
            page.getApiClientsList().forEach(c -> listed.add(c.getName()));
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());
        // With the administrator client every organization starts with.
        assertThat(listed).containsExactly("administrator", "alpha", "bravo", "charlie", "delta", "echo");
        assertThat(pages).isEqualTo(3);

        var all = clients.listApiClients(ListApiClientsRequest.newBuilder().setOrganizationId(org).build());
        assertThat(all.getApiClientsList()).hasSize(6);
        assertThat(all.getNextPageToken()).isEmpty();
    }

    @Test
    void listBadPageTokenOrUnknownOrganizationFails() {
        var token = failure(() -> clients.listApiClients(ListApiClientsRequest.newBuilder()
                .setOrganizationId(org).setPageToken("!!!").build()));
        assertThat(token.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(token)).containsExactly("page_token");
        var unknown = failure(() -> clients.listApiClients(ListApiClientsRequest.newBuilder()
                .setOrganizationId(UUID.randomUUID().toString()).build()));
        assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void theSecretAuthenticatesUntilRotatedThenOnlyTheNewOneDoes() {
        var created = create(org, "bot");
        String id = created.getApiClient().getApiClientId();
        String old = created.getSecret();
        assertThat(store.authenticate(old)).isPresent();

        var rotated = clients.rotateApiClientSecret(RotateApiClientSecretRequest.newBuilder()
                .setOrganizationId(org).setApiClientId(id).build());
        assertThat(rotated.getApiClient()).isEqualTo(created.getApiClient());
        assertThat(rotated.getSecret()).isNotEqualTo(old).startsWith("vk_" + id.replace("-", "") + "_");
        assertThat(Long.parseLong(rotated.getRevisionToken())).isGreaterThan(Long.parseLong(created.getRevisionToken()));
        assertLastChange(id, "secret_rotated", true);

        assertThat(store.authenticate(old)).isEmpty();
        assertThat(store.authenticate(rotated.getSecret()).map(AuthenticatedClient::apiClientId))
                .contains(UUID.fromString(id));
    }

    @Test
    void disableAndEnableAreIdempotentAndShowInAuthentication() {
        var created = create(org, "bot");
        String id = created.getApiClient().getApiClientId();
        var disable = DisableApiClientRequest.newBuilder().setOrganizationId(org).setApiClientId(id).build();

        var disabled = clients.disableApiClient(disable);
        assertThat(disabled.getApiClient().getEnabled()).isFalse();
        assertLastChange(id, "disabled", true);
        assertThat(clients.disableApiClient(disable).getApiClient().getEnabled()).isFalse();
        assertThat(get(org, id).getEnabled()).isFalse();
        assertThat(store.authenticate(created.getSecret()).map(AuthenticatedClient::enabled)).contains(false);

        var enable = EnableApiClientRequest.newBuilder().setOrganizationId(org).setApiClientId(id).build();
        var enabled = clients.enableApiClient(enable);
        assertThat(enabled.getApiClient().getEnabled()).isTrue();
        assertThat(Long.parseLong(enabled.getRevisionToken())).isGreaterThan(Long.parseLong(disabled.getRevisionToken()));
        assertLastChange(id, "enabled", true);
        assertThat(clients.enableApiClient(enable).getApiClient().getEnabled()).isTrue();
        assertThat(store.authenticate(created.getSecret()).map(AuthenticatedClient::enabled)).contains(true);
    }

    @Test
    void deleteRemovesTheClientItsAssignmentsAndItsKey() {
        var created = create(org, "bot");
        String id = created.getApiClient().getApiClientId();
        UUID assignment = UUID.randomUUID();
        db().insertInto(ASSIGNMENT)
                .set(ASSIGNMENT.ORGANIZATION_ID, UUID.fromString(org))
                .set(ASSIGNMENT.ASSIGNMENT_ID, assignment)
                .set(ASSIGNMENT.API_CLIENT_ID, UUID.fromString(id))
                .set(ASSIGNMENT.ROLE_KEY, "developer")
                .execute();

        var deleted = clients.deleteApiClient(DeleteApiClientRequest.newBuilder()
                .setOrganizationId(org).setApiClientId(id).build());
        assertThat(deleted.getRevisionToken()).isNotEmpty();
        assertLastChange(id, "deleted", true);
        assertThat(failure(() -> get(org, id)).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(db().fetchExists(ASSIGNMENT, ASSIGNMENT.ASSIGNMENT_ID.eq(assignment))).isFalse();
        assertThat(store.authenticate(created.getSecret())).isEmpty();
        // The name is free again.
        assertThat(create(org, "bot").getSecret()).isNotEmpty();
    }
}
