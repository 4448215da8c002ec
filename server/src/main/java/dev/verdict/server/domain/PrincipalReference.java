package dev.verdict.server.domain;

import java.util.UUID;

/**
 * A principal as a request names it: a user by id or by email, or an API client by id. The store resolves
 * it to a {@link Principal}.
 */
public record PrincipalReference(Principal.Type type, UUID id, String email) {
    public static PrincipalReference userId(UUID id) {
        return new PrincipalReference(Principal.Type.USER, id, null);
    }

    public static PrincipalReference userEmail(String email) {
        return new PrincipalReference(Principal.Type.USER, null, email);
    }

    public static PrincipalReference apiClientId(UUID id) {
        return new PrincipalReference(Principal.Type.API_CLIENT, id, null);
    }
}
