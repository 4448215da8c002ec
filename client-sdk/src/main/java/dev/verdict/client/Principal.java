package dev.verdict.client;

import java.util.Objects;

/**
 * Who a decision is about: a user (by id or email) or an API client. Immutable.
 *
 * <pre>{@code Principal.user("6f1c…")   Principal.userEmail("ana@acme.example")   Principal.apiClient("…")}</pre>
 */
public final class Principal {
    private final dev.verdict.v1.Principal proto;

    private Principal(dev.verdict.v1.Principal proto) {
        this.proto = proto;
    }

    /** A user by id (UUID). */
    public static Principal user(String userId) {
        return new Principal(dev.verdict.v1.Principal.newBuilder().setUserId(required(userId, "userId")).build());
    }

    /** A user by email, compared case-insensitively after trimming by the server. */
    public static Principal userEmail(String email) {
        return new Principal(dev.verdict.v1.Principal.newBuilder().setUserEmail(required(email, "email")).build());
    }

    /** An API client by id (UUID). */
    public static Principal apiClient(String apiClientId) {
        return new Principal(
                dev.verdict.v1.Principal.newBuilder().setApiClientId(required(apiClientId, "apiClientId")).build());
    }

    /** The principal as the protocol message. */
    public dev.verdict.v1.Principal toProto() {
        return proto;
    }

    private static String required(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Principal p && p.proto.equals(proto);
    }

    @Override
    public int hashCode() {
        return proto.hashCode();
    }

    @Override
    public String toString() {
        return switch (proto.getKindCase()) {
            case USER_ID -> "user " + proto.getUserId();
            case USER_EMAIL -> "user " + proto.getUserEmail();
            case API_CLIENT_ID -> "api client " + proto.getApiClientId();
            case KIND_NOT_SET -> "nobody";
        };
    }
}
