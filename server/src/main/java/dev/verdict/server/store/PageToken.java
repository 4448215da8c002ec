package dev.verdict.server.store;

import dev.verdict.server.domain.DomainException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Opaque page tokens for keyset pagination: the sort key of the last item of a page, base64url-encoded.
 * A token that does not decode is INVALID_ARGUMENT on {@code page_token}.
 */
public final class PageToken {
    private static final String SEPARATOR = "\u001f";

    private PageToken() {}

    /** Encodes the sort key of the last item of a page. */
    public static String encode(String... keyParts) {
        String joined = String.join(SEPARATOR, keyParts);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(joined.getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes a token into {@code parts} key parts; an empty token means the first page (null). */
    public static List<String> decode(String token, int parts) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        try {
            String joined = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            List<String> keyParts = List.of(joined.split(SEPARATOR, -1));
            // A NUL cannot be in any key (Postgres text refuses it), so no token this listing issued has one.
            if (keyParts.size() != parts || joined.indexOf('\u0000') >= 0) {
                throw DomainException.invalid("page_token", "is not a token this listing issued");
            }
            return keyParts;
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid("page_token", "is not a token this listing issued");
        }
    }

    /** The page size to use: {@code requested}, or {@code fallback} when 0. */
    public static int size(int requested, int fallback) {
        return requested <= 0 ? fallback : requested;
    }
}
