package dev.verdict.server.domain;

/**
 * An API client with the API key just issued to it (at creation or rotation): the only moment the key exists
 * in clear outside the caller's hands. {@link #toString()} leaves the key out so that it cannot reach a log.
 */
public record IssuedSecret(ApiClient apiClient, String secret) {
    @Override
    public String toString() {
        return "IssuedSecret[apiClient=" + apiClient + ", secret=<redacted>]";
    }
}
