package dev.verdict.server.security;

import static dev.verdict.server.SecureTestServer.BOOTSTRAP_KEY;
import static dev.verdict.server.SecureTestServer.withKey;
import static dev.verdict.server.TestServer.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.SecureTestServer;
import dev.verdict.server.TestServer;
import dev.verdict.v1.ApiClientServiceGrpc;
import dev.verdict.v1.CreateApiClientRequest;
import dev.verdict.v1.CreateOrganizationRequest;
import dev.verdict.v1.CreateOrganizationResponse;
import dev.verdict.v1.DisableApiClientRequest;
import dev.verdict.v1.GetOrganizationRequest;
import dev.verdict.v1.ListOrganizationsRequest;
import dev.verdict.v1.OrganizationServiceGrpc;
import dev.verdict.v1.RotateApiClientSecretRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Who may call at all: no credential, bad keys, the bootstrap key, API keys, and the open services. */
class AuthenticationTest {
    private final OrganizationServiceGrpc.OrganizationServiceBlockingStub anonymous =
            OrganizationServiceGrpc.newBlockingStub(SecureTestServer.channel());

    @Test
    void noCredentialIsUnauthenticated() {
        StatusRuntimeException e = failure(() -> anonymous.listOrganizations(ListOrganizationsRequest.getDefaultInstance()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(e.getStatus().getDescription()).isEqualTo("missing or invalid credentials");
    }

    @Test
    void badCredentialsAreUnauthenticatedWithTheSameWords() {
        CreateOrganizationResponse org = SecureTestServer.newOrganization();
        String good = org.getAdminApiKey();
        String wrongSecret = good.substring(0, good.length() - 4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA");
        String unknownClient = "vk_" + UUID.randomUUID().toString().replace("-", "") + good.substring(good.lastIndexOf('_'));
        List<String> headers = List.of("Bearer nonsense", "Bearer " + wrongSecret, "Bearer " + unknownClient,
                "Bearer " + BOOTSTRAP_KEY + "x", "Basic " + BOOTSTRAP_KEY, BOOTSTRAP_KEY, "Bearer ", "Bearer  ");
        for (String header : headers) {
            var stub = anonymous.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(authorization(header)));
            StatusRuntimeException e = failure(() -> stub.getOrganization(GetOrganizationRequest.newBuilder()
                    .setOrganizationId(org.getOrganization().getOrganizationId()).build()));
            assertThat(e.getStatus().getCode()).as(header).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.getStatus().getDescription()).as(header).isEqualTo("missing or invalid credentials");
        }
    }

    @Test
    void theSchemeIsReadInAnyCaseAndSpacesAroundTheKeyAreIgnored() {
        CreateOrganizationResponse org = SecureTestServer.newOrganization();
        String id = org.getOrganization().getOrganizationId();
        String key = org.getAdminApiKey();
        for (String header : List.of("Bearer " + key, "bearer " + key, "BEARER " + key, "bEaReR " + key,
                "Bearer   " + key + "  ")) {
            var stub = anonymous.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(authorization(header)));
            assertThat(stub.getOrganization(GetOrganizationRequest.newBuilder().setOrganizationId(id).build())
                    .getOrganization().getOrganizationId()).as(header).isEqualTo(id);
        }
        for (String header : List.of("Bearer" + key, "Bearerx" + key, "Bear " + key, "xBearer " + key)) {
            var stub = anonymous.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(authorization(header)));
            StatusRuntimeException e = failure(() -> stub.getOrganization(GetOrganizationRequest.newBuilder()
                    .setOrganizationId(id).build()));
            assertThat(e.getStatus().getCode()).as(header).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.getStatus().getDescription()).as(header).isEqualTo("missing or invalid credentials");
        }
    }

    @Test
    void theBootstrapKeyCreatesAnOrganizationWithAWorkingAdministratorKey() {
        var bootstrap = withKey(anonymous, BOOTSTRAP_KEY);
        CreateOrganizationResponse created = bootstrap.createOrganization(CreateOrganizationRequest.newBuilder()
                .setName("boot-" + UUID.randomUUID()).build());
        assertThat(created.getAdminApiKey()).startsWith("vk_" + created.getAdminApiClient().getApiClientId().replace("-", ""));
        assertThat(created.getAdminApiClient().getName()).isEqualTo("administrator");
        assertThat(created.getAdminApiClient().getEnabled()).isTrue();

        String id = created.getOrganization().getOrganizationId();
        var admin = withKey(anonymous, created.getAdminApiKey());
        assertThat(admin.getOrganization(GetOrganizationRequest.newBuilder().setOrganizationId(id).build())
                .getOrganization().getName()).isEqualTo(created.getOrganization().getName());
        // The bootstrap key reads and lists organizations too.
        assertThat(bootstrap.getOrganization(GetOrganizationRequest.newBuilder().setOrganizationId(id).build())
                .getOrganization().getOrganizationId()).isEqualTo(id);
        assertThat(bootstrap.listOrganizations(ListOrganizationsRequest.newBuilder().setPageSize(1).build())
                .getOrganizationsCount()).isEqualTo(1);
    }

    @Test
    void aRetriedCreateDoesNotShowTheKeyAgain() {
        var bootstrap = withKey(anonymous, BOOTSTRAP_KEY);
        CreateOrganizationRequest request = CreateOrganizationRequest.newBuilder()
                .setName("retry-" + UUID.randomUUID()).setRequestId(UUID.randomUUID().toString()).build();
        CreateOrganizationResponse first = bootstrap.createOrganization(request);
        CreateOrganizationResponse second = bootstrap.createOrganization(request);
        assertThat(first.getAdminApiKey()).isNotEmpty();
        assertThat(second.getAdminApiKey()).isEmpty();
        assertThat(second.getAdminApiClient()).isEqualTo(first.getAdminApiClient());
        assertThat(second.getOrganization()).isEqualTo(first.getOrganization());
    }

    @Test
    void aDisabledClientIsUnauthenticated() {
        String org = SecureTestServer.newOrganization().getOrganization().getOrganizationId();
        // Set up through the unauthenticated test server (same database).
        var setup = ApiClientServiceGrpc.newBlockingStub(TestServer.channel());
        var client = setup.createApiClient(CreateApiClientRequest.newBuilder().setOrganizationId(org).setName("ci").build());
        setup.disableApiClient(DisableApiClientRequest.newBuilder()
                .setOrganizationId(org).setApiClientId(client.getApiClient().getApiClientId()).build());
        StatusRuntimeException e = failure(() -> withKey(anonymous, client.getSecret())
                .getOrganization(GetOrganizationRequest.newBuilder().setOrganizationId(org).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aRotatedSecretStopsWorking() {
        String org = SecureTestServer.newOrganization().getOrganization().getOrganizationId();
        var setup = ApiClientServiceGrpc.newBlockingStub(TestServer.channel());
        var client = setup.createApiClient(CreateApiClientRequest.newBuilder().setOrganizationId(org).setName("ci").build());
        String old = client.getSecret();
        String rotated = setup.rotateApiClientSecret(RotateApiClientSecretRequest.newBuilder()
                .setOrganizationId(org).setApiClientId(client.getApiClient().getApiClientId()).build()).getSecret();
        var get = GetOrganizationRequest.newBuilder().setOrganizationId(org).build();
        assertThat(failure(() -> withKey(anonymous, old).getOrganization(get)).getStatus().getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(withKey(anonymous, rotated).getOrganization(get).getOrganization().getOrganizationId()).isEqualTo(org);
    }

    @Test
    void healthAndReflectionNeedNoCredentials() throws Exception {
        HealthCheckResponse health = HealthGrpc.newBlockingStub(SecureTestServer.channel())
                .check(HealthCheckRequest.getDefaultInstance());
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

        CompletableFuture<List<String>> services = new CompletableFuture<>();
        List<String> names = new ArrayList<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(SecureTestServer.channel())
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        response.getListServicesResponse().getServiceList().forEach(s -> names.add(s.getName()));
                    }

                    @Override
                    public void onError(Throwable t) {
                        services.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        services.complete(names);
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        assertThat(services.get(10, TimeUnit.SECONDS)).contains("verdict.v1.OrganizationService", "verdict.v1.UserService", "grpc.health.v1.Health");
    }

    private static io.grpc.Metadata authorization(String value) {
        io.grpc.Metadata headers = new io.grpc.Metadata();
        headers.put(Authentication.AUTHORIZATION, value);
        return headers;
    }
}
