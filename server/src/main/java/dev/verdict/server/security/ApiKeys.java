package dev.verdict.server.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.verdict.server.changes.ChangeFeed;
import dev.verdict.server.domain.AuthenticatedClient;
import dev.verdict.server.domain.Change;
import dev.verdict.server.store.ApiClientStore;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * API keys to API clients, with successful lookups remembered briefly so that the hot path does not query the
 * database on every call. Entries are keyed by the SHA-256 of the key (the cache keeps no key; each thread
 * remembers only the last key it hashed, see KeyDigest) and dropped
 * when the client's secret is rotated, the client disabled or deleted, or its organization deleted
 * ({@link #forget}, {@link #forgetOrganization}); the expiry bounds staleness if such a change is missed.
 * Failed lookups are not remembered: a bad key costs one indexed query (malformed keys cost none).
 */
public final class ApiKeys implements ChangeFeed.Listener {
    /** How long a successful lookup is trusted without asking the database again. */
    public static final Duration DEFAULT_EXPIRY = Duration.ofSeconds(10);

    private final ApiClientStore clients;
    private final ChangeFeed feed;
    private final Cache<String, AuthenticatedClient> known;

    /** Remembers lookups for {@code expiry}, and forgets them on the changes {@code feed} delivers. */
    public ApiKeys(ApiClientStore clients, ChangeFeed feed, Duration expiry) {
        this.clients = clients;
        this.feed = feed;
        this.known = Caffeine.newBuilder().expireAfterWrite(expiry).maximumSize(100_000).build();
        feed.subscribe(this);
    }

    /** The enabled client {@code key} belongs to, if any. */
    public Optional<AuthenticatedClient> authenticate(String key) {
        String digest = KeyDigest.of(key).hex();
        AuthenticatedClient cached = known.getIfPresent(digest);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<AuthenticatedClient> found = clients.authenticate(key).filter(AuthenticatedClient::enabled);
        found.ifPresent(client -> {
            // The feed delivers an organization's changes once it follows it; from here on, a rotation,
            // disabling or deletion of this client reaches forget().
            try {
                feed.follow(client.organizationId());
            } catch (RuntimeException deletedMeanwhile) {
                return;
            }
            known.put(digest, client);
        });
        return found;
    }

    /** The enabled client {@code key} belongs to if a recent lookup is remembered; never asks the database. */
    public Optional<AuthenticatedClient> remembered(String key) {
        return Optional.ofNullable(known.getIfPresent(KeyDigest.of(key).hex()));
    }

    @Override
    public void onChange(Change change) {
        if (change.resourceType().equals("api_client") && !change.action().equals("created")
                && !change.action().equals("enabled")) {
            forget(UUID.fromString(change.resourceId()));
        }
    }

    @Override
    public void onOrganizationDeleted(UUID organizationId) {
        forgetOrganization(organizationId);
    }

    /** Forgets the lookups of one client (its secret changed, or it was disabled or deleted). */
    public void forget(UUID apiClientId) {
        known.asMap().values().removeIf(client -> client.apiClientId().equals(apiClientId));
    }

    /** Forgets the lookups of every client of an organization (it was deleted). */
    public void forgetOrganization(UUID organizationId) {
        known.asMap().values().removeIf(client -> client.organizationId().equals(organizationId));
    }
}
