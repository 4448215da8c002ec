package dev.verdict.client;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import java.util.Objects;
import java.util.Optional;

/**
 * A point in an organization's history, from the {@code revision_token} of a write response (or of a decision).
 * Pass it to a check with {@link Check#atLeastAsFresh(Revision)} to read your own write on any server: the answer
 * is then made at this revision or a newer one.
 *
 * @param token the opaque token as the server sent it
 */
public record Revision(String token) {
    /** Checks the token is present. */
    public Revision {
        Objects.requireNonNull(token, "token");
        if (token.isBlank()) {
            throw new IllegalArgumentException("a revision token must not be blank");
        }
    }

    /** The revision of a token. */
    public static Revision of(String token) {
        return new Revision(token);
    }

    /**
     * The revision of any response that has a {@code revision_token} field (every write response does).
     *
     * @throws IllegalArgumentException when the message has no such field or it is empty
     */
    public static Revision of(MessageOrBuilder response) {
        return find(response).orElseThrow(() -> new IllegalArgumentException(
                response.getDescriptorForType().getFullName() + " carries no revision token"));
    }

    /** The revision of a response, if it carries a non-empty {@code revision_token}. */
    static Optional<Revision> find(MessageOrBuilder response) {
        FieldDescriptor field = response.getDescriptorForType().findFieldByName("revision_token");
        if (field == null || field.getJavaType() != FieldDescriptor.JavaType.STRING) {
            return Optional.empty();
        }
        String token = (String) response.getField(field);
        return token.isBlank() ? Optional.empty() : Optional.of(new Revision(token));
    }

    /** Whether this revision is known to be newer than {@code other}; tokens are compared as numbers when they are. */
    boolean isNewerThan(Revision other) {
        try {
            return Long.parseLong(token) > Long.parseLong(other.token);
        } catch (NumberFormatException e) {
            // Opaque tokens: the one seen last wins.
            return true;
        }
    }
}
