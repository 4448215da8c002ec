package dev.verdict.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdict.server.VerdictServer;
import dev.verdict.server.security.BootstrapKey;
import dev.verdict.server.security.Tls;
import dev.verdict.v1.CreateApiClientRequest;
import dev.verdict.v1.CreateOrganizationResponse;
import dev.verdict.v1.DenyReason;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.ListOrganizationsRequest;
import dev.verdict.v1.ListRolesRequest;
import dev.verdict.v1.Scope;
import dev.verdict.v1.SearchUsersRequest;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SDK against a real Verdict with authentication on and TLS (certificates generated here): the bootstrap
 * key creates an organization over TLS, its administrator key manages it and asks decisions, and a missing,
 * wrong or too narrow key, an untrusted server certificate and a missing client certificate (mutual TLS) each
 * fail as documented. Real handshakes, no mocks.
 */
class SecureServerTest {
    private static final String BOOTSTRAP = BootstrapKey.generate();

    private static TestCertificates.Pem ca;
    private static TestCertificates.Pem clientCa;
    private static TestCertificates.Pem client;
    private static TestCertificates.Pem rsaClient;
    private static TestCertificates.Pem stranger;
    private static VerdictServer tls;
    private static VerdictServer mutual;

    @BeforeAll
    static void start() throws Exception {
        TestCertificates certificates = new TestCertificates(Files.createTempDirectory("verdict-sdk-tls"));
        ca = certificates.authority("ca");
        TestCertificates.Pem server = certificates.leaf("server", ca, TestCertificates.Algorithm.EC);
        clientCa = certificates.authority("client-ca");
        client = certificates.leaf("client", clientCa, TestCertificates.Algorithm.EC);
        rsaClient = certificates.leaf("rsa-client", clientCa, TestCertificates.Algorithm.RSA);
        stranger = certificates.leaf("stranger", certificates.authority("other-ca"), TestCertificates.Algorithm.EC);
        tls = RealServer.startSecure(BOOTSTRAP, c -> c.withTls(new Tls(server.certificate(), server.key(), null)));
        mutual = RealServer.startSecure(BOOTSTRAP,
                c -> c.withTls(new Tls(server.certificate(), server.key(), clientCa.certificate())));
    }

    @AfterAll
    static void stop() {
        if (tls != null) {
            tls.close();
        }
        if (mutual != null) {
            mutual.close();
        }
    }

    @Test
    void theAdministratorKeyOverTlsManagesAndDecides() {
        CreateOrganizationResponse org;
        try (VerdictClient operator = client(tls, b -> b.trustedCertificates(ca.certificate()).apiKey(BOOTSTRAP))) {
            org = operator.organizations().create("tls-" + UUID.randomUUID());
        }
        String orgId = org.getOrganization().getOrganizationId();
        assertThat(org.getAdminApiKey()).isNotBlank();

        try (VerdictClient admin = client(tls, b -> b.trustedCertificates(ca.certificate())
                .apiKey(org.getAdminApiKey()).organization(orgId).rememberRevisions(true))) {
            String ana = admin.users().invite("ana@acme.example").getUser().getUserId();
            admin.users().activate(ana);
            admin.assignments().grantRole(GrantRoleRequest.newBuilder()
                    .setPrincipal(Principal.user(ana).toProto())
                    .setRoleKey("developer")
                    .setScope(Scope.getDefaultInstance())
                    .build());

            // The developer role: users.view organization-wide, not users.manage.
            assertThat(admin.isAllowed(Principal.user(ana)).can("users.view").orgWide()).isTrue();
            Decision allowed = admin.check(Principal.user(ana)).can("users.view").orgWide();
            assertThat(allowed.allowed()).isTrue();
            Decision denied = admin.check(Principal.user(ana)).can("users.manage").orgWide();
            assertThat(denied.allowed()).isFalse();
            assertThat(denied.reason()).isEqualTo(DenyReason.DENY_REASON_NO_GRANT);
            assertThat(admin.isAllowed(Principal.user(ana)).can("users.manage").orgWide()).isFalse();
            assertThat(admin.toString()).doesNotContain(org.getAdminApiKey());
        }
    }

    @Test
    void aMissingOrWrongKeyIsUnauthenticatedAndANarrowKeyIsDeniedWithThePermission() {
        CreateOrganizationResponse org = newOrganization();
        String orgId = org.getOrganization().getOrganizationId();

        try (VerdictClient anonymous = client(tls, b -> b.trustedCertificates(ca.certificate()).organization(orgId))) {
            assertThatThrownBy(() -> anonymous.organizations().get(orgId))
                    .isInstanceOfSatisfying(UnauthenticatedException.class,
                            e -> assertThat(e.code()).isEqualTo(Status.Code.UNAUTHENTICATED));
            assertThat(anonymous.isAllowed(Principal.apiClient(org.getAdminApiClient().getApiClientId()))
                    .can("users.view").orgWide()).isFalse();
        }
        String wrongKey = BootstrapKey.generate();
        try (VerdictClient wrong = client(tls, b -> b.trustedCertificates(ca.certificate()).apiKey(wrongKey)
                .organization(orgId))) {
            assertThatThrownBy(() -> wrong.users().searchUsers(SearchUsersRequest.getDefaultInstance()))
                    .isInstanceOf(UnauthenticatedException.class)
                    .hasMessageNotContaining(wrongKey);
        }

        String narrowKey;
        try (VerdictClient admin = client(tls, b -> b.trustedCertificates(ca.certificate())
                .apiKey(org.getAdminApiKey()).organization(orgId))) {
            narrowKey = admin.apiClients().createApiClient(CreateApiClientRequest.newBuilder()
                    .setName("narrow").build()).getSecret();
        }
        try (VerdictClient narrow = client(tls, b -> b.trustedCertificates(ca.certificate()).apiKey(narrowKey)
                .organization(orgId))) {
            assertThatThrownBy(() -> narrow.roles().listRoles(ListRolesRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(PermissionDeniedException.class, e -> {
                        assertThat(e.missingPermission()).contains("roles.view");
                        assertThat(e.getMessage()).contains("roles.view");
                    });
            assertThatThrownBy(() -> narrow.check(Principal.user(UUID.randomUUID().toString()))
                    .can("users.view").orgWide())
                    .isInstanceOfSatisfying(PermissionDeniedException.class,
                            e -> assertThat(e.missingPermission()).contains("access.check"));
            // Any key of the organization may read the organization itself.
            assertThat(narrow.organizations().get(orgId).getOrganizationId()).isEqualTo(orgId);
            // Managing organizations is the bootstrap key's alone: denied, naming no permission.
            assertThatThrownBy(() -> narrow.organizations().listOrganizations(ListOrganizationsRequest.getDefaultInstance()))
                    .isInstanceOf(PermissionDeniedException.class);
        }
    }

    @Test
    void aServerCertificateOutsideTheTrustedAuthoritiesFailsTheHandshakeAndFailsClosed() {
        CreateOrganizationResponse org = newOrganization();
        String orgId = org.getOrganization().getOrganizationId();
        Principal adminClient = Principal.apiClient(org.getAdminApiClient().getApiClientId());

        // Default trust: the JVM's authorities, which never signed the test CA.
        try (VerdictClient jvmTrust = client(tls, b -> b.tls().apiKey(org.getAdminApiKey()).organization(orgId))) {
            assertThatThrownBy(() -> jvmTrust.organizations().get(orgId))
                    .isInstanceOfSatisfying(UnavailableException.class,
                            e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
            assertThatThrownBy(() -> jvmTrust.check(adminClient).can("users.view").orgWide())
                    .isInstanceOf(UnavailableException.class);
            assertThat(jvmTrust.isAllowed(adminClient).can("users.view").orgWide()).isFalse();
        }
        // Trusting another CA is no better.
        try (VerdictClient otherCa = client(tls, b -> b.trustedCertificates(clientCa.certificate())
                .apiKey(org.getAdminApiKey()).organization(orgId))) {
            assertThat(otherCa.isAllowed(adminClient).can("users.view").orgWide()).isFalse();
            assertThatThrownBy(() -> otherCa.organizations().get(orgId)).isInstanceOf(UnavailableException.class);
        }
        // Plaintext to a TLS port.
        try (VerdictClient plaintext = client(tls, b -> b.plaintext().apiKey(org.getAdminApiKey()).organization(orgId))) {
            assertThatThrownBy(() -> plaintext.organizations().get(orgId)).isInstanceOf(UnavailableException.class);
        }
        // The same key and question with the CA: allowed (the administrator holds users.view).
        try (VerdictClient trusted = client(tls, b -> b.trustedCertificates(ca.certificate())
                .apiKey(org.getAdminApiKey()).organization(orgId))) {
            assertThat(trusted.isAllowed(adminClient).can("users.view").orgWide()).isTrue();
        }
    }

    @Test
    void mutualTlsWorksWithAClientCertificateInEachKeyFormat() {
        // EC as PKCS#8 and SEC1, RSA as PKCS#8 and PKCS#1.
        Map<Path, TestCertificates.Pem> keys = Map.of(client.key(), client, client.traditionalKey(), client,
                rsaClient.key(), rsaClient, rsaClient.traditionalKey(), rsaClient);
        for (Map.Entry<Path, TestCertificates.Pem> entry : keys.entrySet()) {
            Path key = entry.getKey();
            try (VerdictClient operator = client(mutual, b -> b.trustedCertificates(ca.certificate())
                    .clientCertificate(entry.getValue().certificate(), key).apiKey(BOOTSTRAP))) {
                CreateOrganizationResponse org = operator.organizations().create("mtls-" + UUID.randomUUID());
                assertThat(org.getAdminApiKey()).as(key.getFileName().toString()).isNotBlank();
                assertThat(operator.toString()).contains("mtls");
            }
        }
    }

    @Test
    void mutualTlsRefusesAClientWithoutACertificateOrWithAStrangersOne() {
        try (VerdictClient noCertificate = client(mutual, b -> b.trustedCertificates(ca.certificate()).apiKey(BOOTSTRAP))) {
            assertThatThrownBy(() -> noCertificate.organizations().create("mtls-" + UUID.randomUUID()))
                    .isInstanceOf(UnavailableException.class);
            assertThatThrownBy(() -> noCertificate.organizations()
                    .listOrganizations(ListOrganizationsRequest.getDefaultInstance()))
                    .isInstanceOf(UnavailableException.class);
        }
        try (VerdictClient strangers = client(mutual, b -> b.trustedCertificates(ca.certificate())
                .clientCertificate(stranger.certificate(), stranger.key()).apiKey(BOOTSTRAP))) {
            assertThatThrownBy(() -> strangers.organizations()
                    .listOrganizations(ListOrganizationsRequest.getDefaultInstance()))
                    .isInstanceOf(UnavailableException.class);
        }
    }

    @Test
    void unusableKeyFilesAreRefusedAtBuildNamingTheProblem() throws Exception {
        Path dir = Files.createTempDirectory("verdict-sdk-keys");
        Path encrypted = Files.writeString(dir.resolve("encrypted.key"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");
        Path certificateOnly = client.certificate();
        Path garbage = Files.writeString(dir.resolve("garbage.key"),
                "-----BEGIN PRIVATE KEY-----\nAAAAAAAA\n-----END PRIVATE KEY-----\n");
        // The key of another certificate: gRPC's TLS checks that key and certificate belong together.
        Path mismatched = stranger.key();

        assertThatThrownBy(() -> builder(mutual).clientCertificate(client.certificate(), encrypted).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encrypted");
        assertThatThrownBy(() -> builder(mutual).clientCertificate(client.certificate(), certificateOnly).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no PEM private key");
        assertThatThrownBy(() -> builder(mutual).clientCertificate(client.certificate(), garbage).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder(mutual).clientCertificate(client.certificate(), mismatched).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not the private key");
        assertThatThrownBy(() -> builder(mutual).clientCertificate(client.certificate(), rsaClient.key()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not the private key");
    }

    private static CreateOrganizationResponse newOrganization() {
        try (VerdictClient operator = client(tls, b -> b.trustedCertificates(ca.certificate()).apiKey(BOOTSTRAP))) {
            return operator.organizations().create("secure-" + UUID.randomUUID());
        }
    }

    private static VerdictClient.Builder builder(VerdictServer server) {
        return VerdictClient.builder()
                .target("localhost:" + server.port())
                .defaultDeadline(Duration.ofSeconds(10))
                .retries(2, Duration.ofMillis(50), Duration.ofMillis(100));
    }

    private static VerdictClient client(VerdictServer server, UnaryOperator<VerdictClient.Builder> settings) {
        return settings.apply(builder(server)).build();
    }
}
