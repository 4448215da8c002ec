package dev.verdict.server.security;

import java.util.List;

/**
 * Who may call one RPC.
 *
 * @param bootstrap   whether the bootstrap key may call it
 * @param apiClients  whether API clients may call it (in their own organization only)
 * @param permissions the organization-level permissions an API client must all hold; empty when any client of
 *                    the organization may call it
 */
public record Rule(boolean bootstrap, boolean apiClients, List<String> permissions) {
    public Rule {
        permissions = List.copyOf(permissions);
    }

    /** The bootstrap key only. */
    static Rule bootstrapOnly() {
        return new Rule(true, false, List.of());
    }

    /** The bootstrap key, or any API client of the organization named; {@code permission} may be null. */
    static Rule bootstrapOrClient(String permission) {
        return new Rule(true, true, permission == null ? List.of() : List.of(permission));
    }

    /** API clients holding every one of {@code permissions}. */
    static Rule client(String... permissions) {
        return new Rule(false, true, List.of(permissions));
    }
}
