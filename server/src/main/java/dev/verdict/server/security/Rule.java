package dev.verdict.server.security;

/**
 * Who may call one RPC.
 *
 * @param bootstrap  whether the bootstrap key may call it
 * @param apiClients whether API clients may call it (in their own organization only)
 * @param permission the organization-level permission an API client must hold, or null when any client of the
 *                   organization may call it
 */
public record Rule(boolean bootstrap, boolean apiClients, String permission) {
    /** The bootstrap key only. */
    static Rule bootstrapOnly() {
        return new Rule(true, false, null);
    }

    /** The bootstrap key, or any API client of the organization named; {@code permission} may be null. */
    static Rule bootstrapOrClient(String permission) {
        return new Rule(true, true, permission);
    }

    /** API clients holding {@code permission}. */
    static Rule client(String permission) {
        return new Rule(false, true, permission);
    }
}
