package dev.verdict.server.store;

import static dev.verdict.server.store.schema.Tables.API_CLIENT;

import dev.verdict.server.domain.ApiClient;
import dev.verdict.server.domain.AuthenticatedClient;
import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.IssuedSecret;
import dev.verdict.server.domain.Page;
import dev.verdict.server.domain.Written;
import dev.verdict.server.store.schema.tables.records.ApiClientRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * API clients of an organization and their API keys.
 *
 * <p>A key reads {@code vk_<client id, 32 hex digits>_<43 base64url characters of 32 random bytes>}: the id
 * lets authentication find the client directly, without scanning. Only the SHA-256 of the whole key is
 * stored. A slow password hash (bcrypt, Argon2) exists to make guessing low-entropy passwords expensive; a
 * key with 256 random bits cannot be guessed from its hash at any speed, so a slow hash would only cost CPU on
 * every authenticated call.
 */
public final class ApiClientStore {
    private static final String PREFIX = "vk_";
    private static final int SECRET_BYTES = 32;
    private static final Pattern KEY = Pattern.compile("vk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})");

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Store store;

    public ApiClientStore(Store store) {
        this.store = store;
    }

    /** Creates an enabled API client named {@code name} (unique in the organization) and issues its key. */
    public Written<IssuedSecret> create(UUID org, String name) {
        return store.write(org, w -> {
            IssuedSecret issued = insert(w.dsl(), org, name);
            w.change("api_client", issued.apiClient().id(), "created");
            return issued;
        });
    }

    /**
     * Inserts an enabled client named {@code name} in the transaction {@code tx} and issues its key; the caller
     * names the change (used by organization creation for the organization's first administrator client).
     */
    static IssuedSecret insert(DSLContext tx, UUID org, String name) {
        if (tx.fetchExists(API_CLIENT, API_CLIENT.ORGANIZATION_ID.eq(org), API_CLIENT.NAME.eq(name))) {
            throw DomainException.alreadyExists("api_client", name);
        }
        UUID id = UUID.randomUUID();
        String secret = newKey(id);
        tx.insertInto(API_CLIENT)
                .set(API_CLIENT.ORGANIZATION_ID, org)
                .set(API_CLIENT.API_CLIENT_ID, id)
                .set(API_CLIENT.NAME, name)
                .set(API_CLIENT.SECRET_HASH, hash(secret))
                .set(API_CLIENT.ENABLED, true)
                .execute();
        return new IssuedSecret(get(tx, org, id).orElseThrow(), secret);
    }

    /** The API client {@code id}, if the organization has it. */
    public Optional<ApiClient> get(UUID org, UUID id) {
        return store.read(db -> get(db, org, id));
    }

    /** API clients ordered by name, then id; a missing organization is NOT_FOUND. */
    public Page<ApiClient> list(UUID org, int pageSize, String pageToken) {
        List<String> after = PageToken.decode(pageToken, 2);
        UUID afterId = after == null ? null : pageTokenId(after.get(1));
        return store.read(db -> {
            if (OrganizationStore.get(db, org).isEmpty()) {
                throw DomainException.notFound("organization", org.toString());
            }
            var query = db.selectFrom(API_CLIENT).where(API_CLIENT.ORGANIZATION_ID.eq(org));
            if (after != null) {
                query = query.and(DSL.row(API_CLIENT.NAME, API_CLIENT.API_CLIENT_ID).gt(after.getFirst(), afterId));
            }
            List<ApiClient> rows = query.orderBy(API_CLIENT.NAME, API_CLIENT.API_CLIENT_ID)
                    .limit(pageSize + 1)
                    .fetch(ApiClientStore::toApiClient);
            if (rows.size() <= pageSize) {
                return new Page<>(rows, "");
            }
            List<ApiClient> items = List.copyOf(rows.subList(0, pageSize));
            ApiClient last = items.getLast();
            return new Page<>(items, PageToken.encode(last.name(), last.id().toString()));
        });
    }

    /** Issues a new key; the old one stops authenticating when this commits. */
    public Written<IssuedSecret> rotateSecret(UUID org, UUID id) {
        String secret = newKey(id);
        return store.write(org, w -> {
            int updated = w.dsl().update(API_CLIENT)
                    .set(API_CLIENT.SECRET_HASH, hash(secret))
                    .where(API_CLIENT.ORGANIZATION_ID.eq(org), API_CLIENT.API_CLIENT_ID.eq(id))
                    .execute();
            requireFound(updated, id);
            w.change("api_client", id, "secret_rotated").affects(id);
            return new IssuedSecret(get(w.dsl(), org, id).orElseThrow(), secret);
        });
    }

    /** Enables or disables the client; setting the state it already has is not an error. */
    public Written<ApiClient> setEnabled(UUID org, UUID id, boolean enabled) {
        return store.write(org, w -> {
            int updated = w.dsl().update(API_CLIENT)
                    .set(API_CLIENT.ENABLED, enabled)
                    .where(API_CLIENT.ORGANIZATION_ID.eq(org), API_CLIENT.API_CLIENT_ID.eq(id))
                    .execute();
            requireFound(updated, id);
            w.change("api_client", id, enabled ? "enabled" : "disabled").affects(id);
            return get(w.dsl(), org, id).orElseThrow();
        });
    }

    /** Deletes the client; its assignments go with it (the foreign key cascades). */
    public Written<Void> delete(UUID org, UUID id) {
        return store.write(org, w -> {
            int deleted = w.dsl().deleteFrom(API_CLIENT)
                    .where(API_CLIENT.ORGANIZATION_ID.eq(org), API_CLIENT.API_CLIENT_ID.eq(id))
                    .execute();
            requireFound(deleted, id);
            w.change("api_client", id, "deleted").affects(id);
            return null;
        });
    }

    /**
     * The client {@code key} belongs to, if it is a well-formed key of an existing client whose current secret
     * it is. Hashes are compared in constant time. A disabled client is returned with {@code enabled} false.
     */
    public Optional<AuthenticatedClient> authenticate(String key) {
        if (key == null) {
            return Optional.empty();
        }
        Matcher parts = KEY.matcher(key);
        if (!parts.matches()) {
            return Optional.empty();
        }
        HexFormat hex = HexFormat.of();
        String idHex = parts.group(1);
        UUID id = new UUID(hex.fromHexDigitsToLong(idHex, 0, 16), hex.fromHexDigitsToLong(idHex, 16, 32));
        byte[] presented = hash(key);
        // Ids are random, so there is one row at most; the index is not unique only for the reason in V3.
        List<ApiClientRecord> candidates = store.read(db -> db.selectFrom(API_CLIENT)
                .where(API_CLIENT.API_CLIENT_ID.eq(id))
                .fetch());
        return candidates.stream()
                .filter(c -> MessageDigest.isEqual(c.getSecretHash(), presented))
                .findFirst()
                .map(c -> new AuthenticatedClient(c.getOrganizationId(), c.getApiClientId(), c.getEnabled()));
    }

    private static String newKey(UUID id) {
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        return PREFIX + id.toString().replace("-", "") + "_"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    private static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static void requireFound(int rows, UUID id) {
        if (rows == 0) {
            throw DomainException.notFound("api_client", id.toString());
        }
    }

    private static UUID pageTokenId(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid("page_token", "is not a token this listing issued");
        }
    }

    private static Optional<ApiClient> get(DSLContext db, UUID org, UUID id) {
        return db.selectFrom(API_CLIENT)
                .where(API_CLIENT.ORGANIZATION_ID.eq(org), API_CLIENT.API_CLIENT_ID.eq(id))
                .fetchOptional()
                .map(ApiClientStore::toApiClient);
    }

    private static ApiClient toApiClient(ApiClientRecord r) {
        return new ApiClient(r.getApiClientId(), r.getName(), r.getEnabled(), r.getCreateTime().toInstant());
    }
}
