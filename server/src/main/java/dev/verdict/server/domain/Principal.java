package dev.verdict.server.domain;

import java.util.UUID;

/** A holder of roles, by id: a user or an API client. */
public record Principal(Type type, UUID id) {
    public enum Type { USER, API_CLIENT }

    public static Principal user(UUID id) {
        return new Principal(Type.USER, id);
    }

    public static Principal apiClient(UUID id) {
        return new Principal(Type.API_CLIENT, id);
    }
}
