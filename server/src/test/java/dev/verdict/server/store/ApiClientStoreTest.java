package dev.verdict.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.TestServer;
import dev.verdict.server.domain.AuthenticatedClient;
import dev.verdict.server.domain.IssuedSecret;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@link ApiClientStore#authenticate} against the real Postgres of the test server. */
class ApiClientStoreTest {
    private final ApiClientStore clients = new ApiClientStore(new Store(TestServer.server().database().dsl()));
    private final UUID org = UUID.fromString(TestServer.newOrganization());

    @Test
    void theIssuedKeyAuthenticatesItsClient() {
        IssuedSecret issued = clients.create(org, "bot").value();
        assertThat(clients.authenticate(issued.secret()))
                .contains(new AuthenticatedClient(org, issued.apiClient().id(), true));
    }

    @Test
    void theIssuedSecretNeverShowsInItsText() {
        IssuedSecret issued = clients.create(org, "bot").value();
        assertThat(issued.toString()).doesNotContain(issued.secret()).contains("redacted");
    }

    @Test
    void aDisabledClientIsFoundButNotEnabled() {
        IssuedSecret issued = clients.create(org, "bot").value();
        clients.setEnabled(org, issued.apiClient().id(), false);
        assertThat(clients.authenticate(issued.secret()).map(AuthenticatedClient::enabled)).contains(false);
    }

    @Test
    void rotationRetiresTheOldKey() {
        IssuedSecret issued = clients.create(org, "bot").value();
        IssuedSecret rotated = clients.rotateSecret(org, issued.apiClient().id()).value();
        assertThat(clients.authenticate(issued.secret())).isEmpty();
        assertThat(clients.authenticate(rotated.secret())).isPresent();
    }

    @Test
    void malformedOrForgedKeysAuthenticateNothing() {
        IssuedSecret issued = clients.create(org, "bot").value();
        String key = issued.secret();
        String idHex = issued.apiClient().id().toString().replace("-", "");
        String secret = key.substring(36);
        char last = key.charAt(key.length() - 1);
        List<String> refused = new ArrayList<>(List.of(
                "",
                "vk_",
                "not a key",
                "Bearer " + key,
                key.substring(0, key.length() - 1),
                key + "A",
                key.substring(0, key.length() - 1) + (last == 'A' ? 'B' : 'A'),
                key.replace("vk_", "VK_"),
                "vk_" + issued.apiClient().id() + "_" + secret,
                "vk_" + UUID.randomUUID().toString().replace("-", "") + "_" + secret,
                "vk_" + idHex + "_" + "A".repeat(43),
                "vk_" + idHex + "_" + secret.substring(0, 42) + "=",
                "vk_" + idHex + "_" + secret.substring(0, 42) + "+"));
        if (!idHex.toUpperCase().equals(idHex)) {
            refused.add("vk_" + idHex.toUpperCase() + "_" + secret);
        }
        for (String attempt : refused) {
            assertThat(clients.authenticate(attempt)).as(attempt).isEmpty();
        }
        assertThat(clients.authenticate(null)).isEmpty();
        assertThat(clients.authenticate(key)).isPresent();
    }

    @Test
    void aDeletedClientsKeyAuthenticatesNothing() {
        IssuedSecret issued = clients.create(org, "bot").value();
        clients.delete(org, issued.apiClient().id());
        assertThat(clients.authenticate(issued.secret())).isEmpty();
    }
}
