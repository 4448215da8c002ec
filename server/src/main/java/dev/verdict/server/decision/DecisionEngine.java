package dev.verdict.server.decision;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.verdict.server.changes.ChangeFeed;
import dev.verdict.server.domain.Change;
import dev.verdict.server.domain.CatalogueSnapshot;
import dev.verdict.server.domain.CatalogueSnapshot.RoleGrant;
import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.PermissionLevel;
import dev.verdict.server.domain.Principal;
import dev.verdict.server.domain.PrincipalGrants;
import dev.verdict.server.domain.PrincipalGrants.Grant;
import dev.verdict.server.domain.PrincipalGrants.Standing;
import dev.verdict.server.domain.RoleKind;
import dev.verdict.server.domain.User;
import dev.verdict.server.store.DecisionStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Decides. Per organization it keeps an interned {@link Catalogue}; per principal a {@link PrincipalClosure}
 * in a Caffeine cache. A hit is a map lookup and a bit test: no database, no lock. A miss reads the
 * principal's grants through {@link DecisionStore} on the calling thread, which is always a gRPC worker
 * (the server's bounded executor), never a Netty event loop, so a synchronous load is the simple and right
 * thing.
 *
 * <p>Invalidation (as a {@link ChangeFeed.Listener}): a change naming principals drops exactly their
 * closures (group writes name every effective member of the group, direct or through an IdP mapping); a
 * change to roles, permissions, apps or the organization (stages) makes the catalogue stale, and every
 * closure built on the old catalogue is then rebuilt on use (a hit checks that its closure was built on the
 * current catalogue). All state here is a cache fed by the
 * change log, so replicas on one database agree.
 *
 * <p>{@link #warm} fills the cache in bulk, a page of users per few queries, under the same rule as a miss.
 */
public final class DecisionEngine implements ChangeFeed.Listener {
    /** Users read per query round of a warm-up. */
    private static final int WARM_PAGE_SIZE = 5_000;
    /** Reads of one page that invalidations may race before a warm-up moves on without it. */
    private static final int WARM_ATTEMPTS = 3;

    private final DecisionStore store;
    private final ChangeFeed feed;
    private final Duration freshnessWait;
    /**
     * Closures by principal id (user and API client ids are random UUIDs). A hit counts only if the closure
     * was built on the organization's current catalogue for the principal's kind, so a query naming another
     * organization's principal never reads its closure; and a load never replaces another organization's.
     */
    private final Cache<UUID, PrincipalClosure> closures;
    /** {@link #closures}' policy, for the hits it is not told of (see {@link #cached}). */
    private final Policy<UUID, PrincipalClosure> closurePolicy;
    /** Hits read quietly, which Caffeine's statistics do not count (see {@link #closureStats}). */
    private final LongAdder quietHits = new LongAdder();
    private final Map<UUID, Organization> organizations = new ConcurrentHashMap<>();
    /**
     * The organization asked about last: most calls name the same one as the call before, and comparing its id
     * costs less than a map look-up (a deleted organization is never answered from here, see {@link #followed}).
     */
    private volatile Organization lastAsked;
    /** Told of each organization first followed (see {@link #whenFollowing}). */
    private volatile Consumer<UUID> following = org -> { };

    /**
     * @param closureCacheSize   most principal closures kept
     * @param closureCacheExpiry how long a closure lives after it was built
     * @param freshnessWait      how long {@code at_least_as_fresh} waits for the feed before reading the database
     */
    public DecisionEngine(DecisionStore store, ChangeFeed feed, long closureCacheSize, Duration closureCacheExpiry,
            Duration freshnessWait) {
        this.store = store;
        this.feed = feed;
        this.freshnessWait = freshnessWait;
        this.closures = Caffeine.newBuilder()
                .maximumSize(closureCacheSize)
                .expireAfterWrite(closureCacheExpiry)
                .ticker(CoarseTicker.INSTANCE)
                .recordStats()
                .build();
        this.closurePolicy = closures.policy();
        feed.subscribe(this);
    }


    /** The cache's statistics (hits, misses, evictions) since start. */
    public CacheStats closureStats() {
        return closures.stats().plus(CacheStats.of(quietHits.sum(), 0, 0, 0, 0, 0, 0));
    }

    /** Runs the cache's pending maintenance (evictions) now, for tests that must not wait for it. */
    void maintainCache() {
        closures.cleanUp();
    }

    /** One cached read in this many (at random) is told to the cache's eviction policy. */
    private static final int TOLD_READ_EVERY = 64;

    /**
     * The principal's cached closure, or null (a miss, counted). Most hits are read quietly: once the cache is
     * half full Caffeine records every read in a buffer and, each time 16 have gathered, hands their replay to
     * its executor, another thread: on a server of one core a thread switch every 16 hits, which cost
     * BatchCheckAccess 40% of its throughput (docs/benchmarks.md). The policy is built to learn from a lossy
     * sample of the reads (the buffer drops reads when contended), so it is told of one in
     * {@value #TOLD_READ_EVERY}, at random: hot principals still stand out (ClosureCacheTest).
     */
    private PrincipalClosure cached(UUID principal) {
        if (ThreadLocalRandom.current().nextInt(TOLD_READ_EVERY) != 0) {
            PrincipalClosure closure = closurePolicy.getIfPresentQuietly(principal);
            if (closure != null) {
                quietHits.increment();
                return closure;
            }
        }
        return closures.getIfPresent(principal);
    }

    /** Closures currently cached (approximate). */
    public long cachedClosures() {
        return closures.estimatedSize();
    }

    /** Decides one query; INVALID_ARGUMENT for a malformed one, NOT_FOUND for a missing organization. */
    public Decision check(UUID org, AccessQuery query, Consistency consistency) {
        Decision cached = checkCached(org, query, consistency);
        if (cached != null) {
            return cached;
        }
        Session session = session(org, consistency);
        Outcome outcome = session.check(query);
        return new Decision(outcome, session.revision());
    }

    /**
     * Decides one query from memory alone, or returns null when deciding would read the database or wait for
     * the change feed (then call {@link #check} off the network threads). INVALID_ARGUMENT as for check.
     */
    public Decision checkCached(UUID org, AccessQuery query, Consistency consistency) {
        // The hit path: what Session.checkCached does, without a session, so that a hit allocates no more
        // than its cache key (the decision objects are shared per revision).
        Organization organization = followed(org);
        Catalogue catalogue = organization == null ? null : organization.currentCatalogue();
        if (catalogue == null) {
            return null;
        }
        long applied = organization.applied.getAsLong();
        if (!met(consistency, applied)) {
            return null;
        }
        long revision = Math.max(catalogue.revision(), applied);
        // The principal's closure is looked up before the keys are: its chain of objects is seldom in the
        // CPU's caches, and the key look-ups, whose tables usually are, then run while it loads.
        Principal principal = query.principal();
        PrincipalClosure closure = principal == null ? null : cached(principal.id());
        long resolved = resolveBits(catalogue, query, "query.");
        if (Resolved.Bits.appUnknown(resolved)) {
            return organization.decision(Outcome.APP_NOT_FOUND, revision);
        }
        if (principal == null) {
            UUID id = organization.rememberedUser(query.userEmail());
            if (id == null) {
                return null;
            }
            if (id.equals(Organization.NO_USER)) {
                return organization.decision(Outcome.PRINCIPAL_NOT_FOUND, revision);
            }
            principal = Principal.user(id);
            closure = cached(principal.id());
        }
        if (closure == null || !closure.answersFor(principal, catalogue)) {
            return null;
        }
        return organization.decision(outcome(closure, resolved), Math.max(revision, closure.revision()));
    }

    /** Whether answering at {@code applied} meets {@code consistency} without waiting or reading. */
    private static boolean met(Consistency consistency, long applied) {
        return switch (consistency.mode()) {
            case MINIMIZE_LATENCY -> true;
            case AT_LEAST_AS_FRESH -> applied >= consistency.revision();
            case FULLY_CONSISTENT -> false;
        };
    }

    /**
     * A session that needs nothing from the database to start, or null: the organization is followed, its
     * catalogue is current, and the consistency asked for is already met.
     */
    public Session cachedSession(UUID org, Consistency consistency) {
        Organization organization = followed(org);
        Catalogue catalogue = organization == null ? null : organization.currentCatalogue();
        if (catalogue == null) {
            return null;
        }
        long applied = organization.applied.getAsLong();
        return met(consistency, applied)
                ? new Session(organization, catalogue, false, Math.max(catalogue.revision(), applied)) : null;
    }

    /** Whether a check of {@code principal} in {@code org} would be answered from memory. */
    public boolean decidesFromMemory(UUID org, Principal principal) {
        Organization organization = followed(org);
        Catalogue catalogue = organization == null ? null : organization.currentCatalogue();
        if (catalogue == null) {
            return false;
        }
        PrincipalClosure closure = cached(principal.id());
        return closure != null && closure.answersFor(principal, catalogue);
    }

    /** A view of one organization at one consistency, for deciding several queries at one revision. */
    public Session session(UUID org, Consistency consistency) {
        Organization organization = organization(org);
        boolean fresh = false;
        long caughtUp = 0;
        Catalogue catalogue;
        switch (consistency.mode()) {
            case MINIMIZE_LATENCY -> catalogue = organization.catalogue();
            case AT_LEAST_AS_FRESH -> {
                if (feed.awaitRevision(org, consistency.revision(), freshnessWait)) {
                    catalogue = organization.catalogue();
                } else {
                    fresh = true;
                    catalogue = Catalogue.of(store.catalogue(org));
                }
            }
            case FULLY_CONSISTENT -> {
                // Apply every committed change first, so that the catalogue is the database's current one.
                caughtUp = feed.catchUp(org);
                fresh = true;
                catalogue = organization.catalogue();
            }
            default -> throw new IllegalStateException("unknown consistency " + consistency.mode());
        }
        // Fully consistent: at least every change caught up to, even if no answer reads a principal's grants.
        long revision = Math.max(catalogue.revision(), fresh ? caughtUp : feed.appliedRevision(org));
        return new Session(organization, catalogue, fresh, revision);
    }

    /** The organization {@code org} if this engine follows it, else null. */
    private Organization followed(UUID org) {
        Organization last = lastAsked;
        if (last != null && last.id.equals(org) && !last.deleted) {
            return last;
        }
        Organization organization = organizations.get(org);
        if (organization != null) {
            lastAsked = organization;
        }
        return organization;
    }

    private Organization organization(UUID org) {
        Organization organization = followed(org);
        if (organization != null) {
            return organization;
        }
        feed.follow(org); // NOT_FOUND for a missing organization; from now on its changes invalidate
        boolean[] created = {false};
        organization = organizations.computeIfAbsent(org, id -> {
            created[0] = true;
            return new Organization(id);
        });
        if (created[0]) {
            following.accept(org);
        }
        return organization;
    }

    /**
     * Calls {@code listener} with each organization this engine starts following from now on, once, on the
     * thread of the request that made it follow: the listener must be quick and must not throw (a warm-up
     * hands the organization to a thread of its own).
     */
    public void whenFollowing(Consumer<UUID> listener) {
        this.following = listener;
    }

    /**
     * Builds the closure of every user and API client of {@code org} in bulk, a page of users at a time, on
     * the organization's current catalogue, and caches each as a miss would: only if no invalidation in the
     * organization raced its read. A raced page is read again from the first user not kept. Stops early, before
     * the cache would have to evict, when it is full. Reads the database on the calling thread (never a network
     * thread); NOT_FOUND for a missing organization. Also remembers users' emails while that memory has room.
     */
    public WarmUp warm(UUID org) {
        return warm(org, WARM_PAGE_SIZE, () -> {});
    }

    /**
     * {@link #warm(UUID)} with pages of {@code pageSize} users; {@code afterPageRead} runs after each page is
     * read and before its closures are kept (where a test races a change).
     */
    WarmUp warm(UUID org, int pageSize, Runnable afterPageRead) {
        long started = System.nanoTime();
        Organization organization = organization(org);
        long maximum = closures.policy().eviction().map(eviction -> eviction.getMaximum()).orElse(Long.MAX_VALUE);
        long read = 0;
        boolean full = false;
        // API clients first: they are few, and a caller whose closure is cached has its checks decided on the
        // network threads.
        Set<UUID> clientsKept = new HashSet<>();
        for (int attempt = 1; attempt <= WARM_ATTEMPTS && !full; attempt++) {
            long generation = organization.invalidations.get();
            Catalogue catalogue = organization.catalogue();
            var clients = store.apiClientGrants(org);
            read += clients.size();
            boolean raced = false;
            for (var client : clients.entrySet()) {
                if (closures.estimatedSize() >= maximum) {
                    full = true;
                    break;
                }
                if (!keep(organization, generation, client.getKey(),
                        PrincipalClosure.of(catalogue, client.getValue(), Principal.Type.API_CLIENT))) {
                    raced = true;
                    break;
                }
                clientsKept.add(client.getKey());
            }
            if (!raced) {
                break;
            }
        }
        long cached = clientsKept.size();
        UUID after = null;
        int attempt = 0;
        while (!full && organizations.get(org) == organization && !Thread.currentThread().isInterrupted()) {
            long room = maximum - closures.estimatedSize();
            if (room <= 0) {
                full = true;
                break;
            }
            int limit = (int) Math.min(pageSize, room);
            long generation = organization.invalidations.get();
            long emailGeneration = organization.emailGeneration.get();
            Catalogue catalogue = organization.catalogue();
            DecisionStore.UserGrantsPage page = store.userGrantsPage(org, after, limit);
            afterPageRead.run();
            read += page.grants().size();
            rememberEmails(organization, emailGeneration, page.emailKeys());
            UUID kept = null;
            for (var user : page.grants().entrySet()) {
                if (!keep(organization, generation, user.getKey(),
                        PrincipalClosure.of(catalogue, user.getValue(), Principal.Type.USER))) {
                    break;
                }
                kept = user.getKey();
                cached++;
            }
            boolean raced = !Objects.equals(kept, page.lastUser());
            if (!raced && page.grants().size() < limit) {
                break; // the last page
            }
            if (!raced || kept != null) {
                after = kept;
                attempt = 0;
            } else if (++attempt >= WARM_ATTEMPTS) {
                after = page.lastUser(); // raced every time: these users load on their first check instead
                attempt = 0;
            }
        }
        return new WarmUp(org, read, cached, full, Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * Caches a closure read at invalidation {@code generation}, atomically with the store (a miss and a warm-up
     * alike): false, keeping what was there, when an invalidation in the organization came since.
     */
    private boolean keep(Organization organization, long generation, UUID id, PrincipalClosure closure) {
        boolean[] raced = {false};
        // A copy of the id, allocated just after the closure and just before the cache's two nodes: a hit
        // compares the key and follows the nodes to the closure, and adjacent objects share cache lines.
        UUID key = new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits());
        closures.asMap().compute(key, (k, old) -> {
            if (organization.invalidations.get() != generation) {
                raced[0] = true;
                return old;
            }
            return old != null && !old.organizationId().equals(organization.id) ? old : closure;
        });
        return !raced[0];
    }

    /** Remembers users' emails read after {@code generation}, unless a user change came since, while there is room. */
    private static void rememberEmails(Organization organization, long generation, Map<UUID, String> emailKeys) {
        List<Map.Entry<String, UUID>> remembered = new ArrayList<>();
        for (var user : emailKeys.entrySet()) {
            // Half the memory at most, so that lookups of other emails do not clear it at once.
            if (organization.emails.size() >= Organization.MAX_EMAILS / 2) {
                break;
            }
            if (organization.emails.putIfAbsent(user.getValue(), user.getKey()) == null) {
                remembered.add(Map.entry(user.getValue(), user.getKey()));
            }
        }
        if (organization.emailGeneration.get() != generation) {
            // A user change committed while we read: our answers may predate it, so do not keep them.
            remembered.forEach(entry -> organization.emails.remove(entry.getKey(), entry.getValue()));
        }
    }

    /**
     * What a warm-up did: principals read (a page read again after a race counts again), closures cached,
     * whether it stopped because the cache was full, and how long it took.
     */
    public record WarmUp(UUID organizationId, long read, long cached, boolean cacheFull, Duration took) {
        /** Closures cached per second. */
        public long perSecond() {
            long nanos = Math.max(1, took.toNanos());
            return cached * 1_000_000_000L / nanos;
        }
    }

    private record Current(Catalogue catalogue, long at) {}

    /** One organization's catalogue, rebuilt when a change makes it stale, and its email lookups. */
    private final class Organization {
        private static final int MAX_EMAILS = 100_000;
        private static final UUID NO_USER = new UUID(0, 0);

        final UUID id;
        final Map<String, UUID> emails = new ConcurrentHashMap<>();
        /** Bumped by every user change; a lookup that raced one is not remembered. */
        final AtomicLong emailGeneration = new AtomicLong();
        /** Bumped by every closure invalidation; a closure whose load raced one is not kept. */
        final AtomicLong invalidations = new AtomicLong();
        /** The change feed's applied revision of this organization, read without a map lookup. */
        final LongSupplier applied;
        /** One decision object per outcome at the newest revision answered, shared by every answer there. */
        volatile Decision[] decisions = new Decision[0];
        /** The catalogue and the revision it is known to be current at, swapped together. */
        volatile Current current;
        /** The catalogue must be current at least at this revision: the last change that altered it. */
        volatile long requiredRevision;
        /** Set once the organization is deleted: then it is never answered from {@link #lastAsked}. */
        volatile boolean deleted;

        Organization(UUID id) {
            this.id = id;
            this.applied = feed.appliedRevisionOf(id);
        }

        Decision decision(Outcome outcome, long revision) {
            Decision[] shared = decisions;
            if (shared.length == 0 || shared[0].revision() != revision) {
                Decision[] built = new Decision[Outcome.values().length];
                for (Outcome o : Outcome.values()) {
                    built[o.ordinal()] = new Decision(o, revision);
                }
                if (shared.length == 0 || shared[0].revision() < revision) {
                    decisions = built; // an answer at an older revision uses its own objects, once
                }
                shared = built;
            }
            return shared[outcome.ordinal()];
        }

        /** The catalogue when it is current, else null (it must be read again). */
        Catalogue currentCatalogue() {
            Current now = current;
            return now != null && now.at() >= requiredRevision ? now.catalogue() : null;
        }

        Catalogue catalogue() {
            Catalogue catalogue = currentCatalogue();
            if (catalogue != null) {
                return catalogue;
            }
            synchronized (this) {
                Current now = current;
                if (now == null || now.at() < requiredRevision) {
                    // Read after the change that made it stale committed, so its revision is at least required.
                    CatalogueSnapshot snapshot = store.catalogue(id);
                    // A change that leaves every decision as it was (a display name, a description) keeps the
                    // catalogue, and with it every cached closure.
                    Catalogue kept = now != null && now.catalogue().decidesAs(snapshot) ? now.catalogue() : Catalogue.of(snapshot);
                    now = new Current(kept, snapshot.revision());
                    current = now;
                }
                return now.catalogue();
            }
        }

        void catalogueChanged(long revision) {
            synchronized (this) {
                requiredRevision = Math.max(requiredRevision, revision);
            }
        }

        /** What is remembered of {@code email}: its user, {@link #NO_USER}, or null when it must be looked up. */
        UUID rememberedUser(String email) {
            return emails.get(User.emailKey(email));
        }

        /** The user with {@code email}, or null; remembered until a user change in this organization. */
        UUID userByEmail(String email) {
            String key = User.emailKey(email);
            UUID id = emails.get(key);
            if (id == null) {
                long generation = emailGeneration.get();
                UUID found = store.userIdByEmail(this.id, email);
                id = found == null ? NO_USER : found;
                if (emails.size() >= MAX_EMAILS) {
                    emails.clear();
                }
                emails.put(key, id);
                if (emailGeneration.get() != generation) {
                    // A user change committed while we read: our answer may predate it, so do not keep it.
                    emails.remove(key, id);
                }
            }
            return id == NO_USER ? null : id;
        }
    }

    @Override
    public void onChange(Change change) {
        UUID org = change.organizationId();
        Organization organization = organizations.get(org);
        switch (change.resourceType()) {
            case "role", "permission", "app", "organization" -> catalogueChanged(organization, change.revision());
            case "directory" -> {
                // A bulk import: new apps change the catalogue, new users may answer emails looked up before.
                catalogueChanged(organization, change.revision());
                forgetEmails(organization);
            }
            case "user", "api_client" -> {
                // The principal itself changed (status, deletion, email, enabled): drop it even if not listed.
                UUID principal = parse(change.resourceId());
                if (principal != null) {
                    invalidate(org, principal);
                }
                forgetEmails(organization);
            }
            default -> { }
        }
        for (UUID principal : change.userIds()) {
            invalidate(org, principal);
        }
    }

    private static void forgetEmails(Organization organization) {
        if (organization != null) {
            organization.emailGeneration.incrementAndGet();
            organization.emails.clear();
        }
    }

    private static void catalogueChanged(Organization organization, long revision) {
        if (organization != null) {
            organization.catalogueChanged(revision);
        }
    }

    private void invalidate(UUID org, UUID principal) {
        Organization organization = organizations.get(org);
        if (organization != null) {
            organization.invalidations.incrementAndGet();
        }
        closures.asMap().computeIfPresent(principal, (id, closure) -> closure.organizationId().equals(org) ? null : closure);
    }

    @Override
    public void onOrganizationDeleted(UUID org) {
        Organization deleted = organizations.remove(org);
        if (deleted != null) {
            // Before anything else: a call that read it from the map just now may still remember it.
            deleted.deleted = true;
        }
        closures.asMap().values().removeIf(closure -> closure.organizationId().equals(org));
    }

    private static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A resolved query: target index, stage slot, app index (-1 none, {@link Catalogue#NOT_FOUND}-2 unknown). */
    private record Resolved(boolean role, int target, int slot, int app, boolean appUnknown) {
        static Resolved of(long bits) {
            return new Resolved(Bits.role(bits), Bits.target(bits), Bits.slot(bits), Bits.app(bits), Bits.appUnknown(bits));
        }

        /**
         * A resolved query packed in one long, for the hit path, which then allocates nothing: target index
         * (bits 0-23), stage slot (24-31), app index + 1 (32-55, 0 for none), app unknown (62), role (63).
         * Catalogue keeps its sizes within these fields.
         */
        static final class Bits {
            private Bits() {}

            static long pack(boolean role, int target, int slot, int app, boolean appUnknown) {
                return (role ? 1L << 63 : 0) | (appUnknown ? 1L << 62 : 0) | ((long) (app + 1) & 0xFF_FFFFL) << 32
                        | ((long) slot & 0xFF) << 24 | (target & 0xFF_FFFFL);
            }

            static boolean role(long bits) {
                return bits < 0;
            }

            static boolean appUnknown(long bits) {
                return (bits & 1L << 62) != 0;
            }

            static int target(long bits) {
                return (int) (bits & 0xFF_FFFF);
            }

            static int slot(long bits) {
                return (int) (bits >>> 24 & 0xFF);
            }

            static int app(long bits) {
                return appUnknown(bits) ? -1 : (int) (bits >>> 32 & 0xFF_FFFF) - 1;
            }
        }
    }

    /** Checks the query's keys, stage and shape (INVALID_ARGUMENT naming the field) and interns them. */
    private static Resolved resolve(Catalogue catalogue, AccessQuery query, String prefix) {
        return Resolved.of(resolveBits(catalogue, query, prefix));
    }

    /** {@link #resolve}, packed: see {@link Resolved.Bits}. */
    private static long resolveBits(Catalogue catalogue, AccessQuery query, String prefix) {
        // Every refusal is built in a method of its own, off the hot path.
        AccessQuery.Target target = query.target();
        int index = targetIndex(catalogue, target, prefix, "target");
        boolean hasStage = query.stage() != null;
        boolean hasApp = query.appKey() != null;
        if (target.role()) {
            if (catalogue.kind(index) == RoleKind.END_USER && !(hasStage && hasApp)) {
                throw endUserRoleShape(target, hasStage, prefix);
            }
        } else {
            PermissionLevel level = catalogue.level(index);
            if (hasStage != level.takesStage() || hasApp != level.takesApp()) {
                throw permissionShape(target, level, hasStage, hasApp, prefix);
            }
        }
        int slot = stageSlot(catalogue, query.stage(), prefix, "stage");
        int app = hasApp ? catalogue.app(query.appKey()) : -1;
        return Resolved.Bits.pack(target.role(), index, slot, app, hasApp && app == Catalogue.NOT_FOUND);
    }

    private static DomainException endUserRoleShape(AccessQuery.Target target, boolean hasStage, String prefix) {
        return DomainException.invalid(hasStage ? prefix + "app_key" : prefix + "stage",
                "is required: role " + target.key() + " is an END_USER role, checked in a stage and an app");
    }

    private static DomainException permissionShape(AccessQuery.Target target, PermissionLevel level, boolean hasStage,
            boolean hasApp, String prefix) {
        if (hasStage != level.takesStage()) {
            return DomainException.invalid(prefix + "stage", (hasStage ? "must be empty" : "is required")
                    + ": permission " + target.key() + " is " + level + "-level");
        }
        return DomainException.invalid(prefix + "app_key", (hasApp ? "must be empty" : "is required")
                + ": permission " + target.key() + " is " + level + "-level");
    }

    /** The target's index; the field {@code prefix + field} is named only on a refusal, off the hot path. */
    private static int targetIndex(Catalogue catalogue, AccessQuery.Target target, String prefix, String field) {
        int index = target.role() ? catalogue.role(target.key()) : catalogue.permission(target.key());
        if (index == Catalogue.NOT_FOUND) {
            throw unknownTarget(target, prefix + field);
        }
        return index;
    }

    private static DomainException unknownTarget(AccessQuery.Target target, String field) {
        return target.role()
                ? DomainException.invalid(field + ".role_key", "no role " + target.key() + " in this organization")
                : DomainException.invalid(field + ".permission_key", "no permission " + target.key() + " in this organization");
    }

    private static int stageSlot(Catalogue catalogue, String stage, String prefix, String field) {
        int slot = catalogue.stageSlot(stage);
        if (slot == Catalogue.NOT_FOUND) {
            throw unknownStage(catalogue, stage, prefix + field);
        }
        return slot;
    }

    private static DomainException unknownStage(Catalogue catalogue, String stage, String field) {
        return DomainException.invalid(field, "no stage " + stage + " in this organization; stages are " + catalogue.stages());
    }

    /** The outcome of a resolved query for a principal with this closure (DESIGN §2). */
    private static Outcome outcome(PrincipalClosure closure, long resolved) {
        return switch (closure.standing()) {
            case NOT_FOUND -> Outcome.PRINCIPAL_NOT_FOUND;
            case INACTIVE -> Outcome.PRINCIPAL_INACTIVE;
            case ACTIVE -> {
                boolean allowed = Resolved.Bits.role(resolved)
                        ? closure.hasRole(Resolved.Bits.target(resolved), Resolved.Bits.slot(resolved), Resolved.Bits.app(resolved))
                        : closure.hasPermission(Resolved.Bits.target(resolved), Resolved.Bits.slot(resolved),
                                Resolved.Bits.app(resolved));
                yield allowed ? Outcome.ALLOWED : Outcome.NO_GRANT;
            }
        };
    }

    /**
     * Queries of one organization at one catalogue and consistency. Every answer of a session is made at
     * {@link #revision()}: the catalogue's, the feed's applied revision, or the newest closure read.
     */
    public final class Session {
        private final Organization organization;
        private final Catalogue catalogue;
        private final boolean fresh;
        private final Map<Principal, PrincipalClosure> freshClosures;
        private long revision;

        Session(Organization organization, Catalogue catalogue, boolean fresh, long revision) {
            this.organization = organization;
            this.catalogue = catalogue;
            this.fresh = fresh;
            this.freshClosures = fresh ? new HashMap<>() : null;
            this.revision = revision;
        }

        /** The revision of every answer given so far. */
        public long revision() {
            return revision;
        }

        /** Decides {@code query} (DESIGN §2). */
        public Outcome check(AccessQuery query) {
            return decide(query, true);
        }

        /** Decides {@code query} from memory alone, or returns null when that would need the database. */
        public Outcome checkCached(AccessQuery query) {
            return decide(query, false);
        }

        private Outcome decide(AccessQuery query, boolean mayLoad) {
            long resolved = resolveBits(catalogue, query, "query.");
            if (Resolved.Bits.appUnknown(resolved)) {
                return Outcome.APP_NOT_FOUND;
            }
            Principal principal = query.principal();
            if (principal == null) {
                UUID id = mayLoad ? organization.userByEmail(query.userEmail())
                        : organization.rememberedUser(query.userEmail());
                if (id == null && !mayLoad) {
                    return null;
                }
                if (id == null || id.equals(Organization.NO_USER)) {
                    return Outcome.PRINCIPAL_NOT_FOUND;
                }
                principal = Principal.user(id);
            }
            PrincipalClosure closure = closure(principal, mayLoad);
            return closure == null ? null : outcome(closure, resolved);
        }

        /** Decides {@code query} and lists every path that grants it, from the principal's grants read now. */
        public Explanation explain(AccessQuery query) {
            Resolved resolved = resolve(query);
            String what = (resolved.role() ? "role " : "permission ") + query.target().key() + where(query);
            if (resolved.appUnknown()) {
                return new Explanation(Outcome.APP_NOT_FOUND, List.of(),
                        "Denied: there is no app " + query.appKey() + " in this organization.", revision);
            }
            Principal principal = principal(query);
            if (principal == null) {
                return new Explanation(Outcome.PRINCIPAL_NOT_FOUND, List.of(),
                        "Denied: the principal does not exist in this organization.", revision);
            }
            PrincipalGrants grants = store.grants(organization.id, principal);
            revision = Math.max(revision, grants.revision());
            if (grants.standing() == Standing.NOT_FOUND) {
                return new Explanation(Outcome.PRINCIPAL_NOT_FOUND, List.of(),
                        "Denied: the principal does not exist in this organization.", revision);
            }
            if (grants.standing() == Standing.INACTIVE) {
                return new Explanation(Outcome.PRINCIPAL_INACTIVE, List.of(), "Denied: the "
                        + (principal.type() == Principal.Type.USER ? "user is not ACTIVE" : "API client is disabled")
                        + ", so nothing is allowed.", revision);
            }
            List<Explanation.Path> paths = paths(grants, resolved);
            if (paths.isEmpty()) {
                return new Explanation(Outcome.NO_GRANT, List.of(),
                        "Denied: no grant of the principal gives " + what + ".", revision);
            }
            return new Explanation(Outcome.ALLOWED, paths,
                    "Allowed: " + paths.size() + (paths.size() == 1 ? " path gives " : " paths give ") + what + ".",
                    revision);
        }

        private List<Explanation.Path> paths(PrincipalGrants grants, Resolved resolved) {
            List<Explanation.Path> paths = new ArrayList<>();
            String requestStage = catalogue.stage(resolved.slot());
            String requestApp = resolved.app() < 0 ? null : catalogue.appKey(resolved.app());
            for (Grant grant : grants.grants()) {
                int role = catalogue.role(grant.roleKey());
                boolean covers = (grant.stage() == null || grant.stage().equals(requestStage))
                        && (grant.appKey() == null || grant.appKey().equals(requestApp));
                if (role == Catalogue.NOT_FOUND || !covers) {
                    continue;
                }
                if (resolved.role()) {
                    if (role == resolved.target()) {
                        paths.add(path(grant, null, List.of(), List.of()));
                    }
                    continue;
                }
                for (RoleGrant roleGrant : catalogue.roleGrants(role)) {
                    int granted = catalogue.permission(roleGrant.permissionKey());
                    boolean inStage = roleGrant.stages() == null
                            || (requestStage != null && roleGrant.stages().contains(requestStage));
                    if (granted != Catalogue.NOT_FOUND && inStage && catalogue.implies(granted, resolved.target())) {
                        paths.add(path(grant, roleGrant.permissionKey(),
                                roleGrant.stages() == null ? List.of() : roleGrant.stages(),
                                catalogue.implicationChain(granted, resolved.target())));
                    }
                }
            }
            return paths;
        }

        private Explanation.Path path(Grant grant, String permission, List<String> stages, List<String> chain) {
            var group = grant.group();
            return new Explanation.Path(grant.assignmentId(),
                    group == null ? null : group.groupId(), group == null ? null : group.name(),
                    group == null ? null : group.idp(), group == null ? null : group.externalGroup(),
                    grant.roleKey(), grant.stage(), grant.appKey(), permission, stages, chain);
        }

        /**
         * The permissions and roles that checks would allow at ({@code stage}, {@code app}): each key k such
         * that CheckAccess(k, stage, app) is ALLOWED, so a permission is listed where its level fits the
         * shape. Sorted. NOT_FOUND for a missing principal.
         */
        public Holdings holdings(Principal byId, String email, String stage, String app) {
            if (app != null && stage == null) {
                throw DomainException.invalid("app_key", "needs a stage");
            }
            int slot = stageSlot(stage, "", "stage");
            int appIndex = -1;
            if (app != null) {
                appIndex = catalogue.app(app);
                if (appIndex == Catalogue.NOT_FOUND) {
                    throw DomainException.invalid("app_key", "no app " + app + " in this organization");
                }
            }
            PrincipalClosure closure = existing(byId, email);
            TreeSet<String> permissions = new TreeSet<>();
            TreeSet<String> roles = new TreeSet<>();
            if (closure.standing() == Standing.ACTIVE) {
                for (int p = 0; p < catalogue.permissionCount(); p++) {
                    PermissionLevel level = catalogue.level(p);
                    if (level.takesStage() == (stage != null) && level.takesApp() == (app != null)
                            && closure.hasPermission(p, slot, appIndex)) {
                        permissions.add(catalogue.permissionKey(p));
                    }
                }
                for (int r = 0; r < catalogue.roleCount(); r++) {
                    boolean shapeFits = catalogue.kind(r) == RoleKind.ORGANIZATION || (stage != null && app != null);
                    if (shapeFits && closure.hasRole(r, slot, appIndex)) {
                        roles.add(catalogue.roleKey(r));
                    }
                }
            }
            return new Holdings(List.copyOf(permissions), List.copyOf(roles));
        }

        /**
         * The apps (sorted) where checks of {@code target} (an APP-level permission or an END_USER role) at
         * {@code stage} would allow. NOT_FOUND for a missing principal.
         */
        public List<String> accessibleApps(Principal byId, String email, AccessQuery.Target target, String stage) {
            int slot = stageSlot(stage, "", "stage");
            int index = targetIndex(target, "", "target");
            if (target.role() && catalogue.kind(index) != RoleKind.END_USER) {
                throw DomainException.invalid("target.role_key", "must be an END_USER role");
            }
            if (!target.role() && catalogue.level(index) != PermissionLevel.APP) {
                throw DomainException.invalid("target.permission_key", "must be an APP-level permission");
            }
            PrincipalClosure closure = existing(byId, email);
            List<String> apps = new ArrayList<>();
            if (closure.standing() == Standing.ACTIVE) {
                for (int a = 0; a < catalogue.appCount(); a++) {
                    boolean allowed = target.role() ? closure.hasRole(index, slot, a)
                            : closure.hasPermission(index, slot, a);
                    if (allowed) {
                        apps.add(catalogue.appKey(a));
                    }
                }
            }
            return apps; // catalogue apps are in key order
        }

        /**
         * The role keys through which a grant covering ({@code stage}, {@code app}) allows {@code target};
         * the query's shape is checked as for CheckAccess, with field names relative to the request.
         * Null when the app is unknown (nobody has access).
         */
        public Set<String> rolesGranting(AccessQuery.Target target, String stage, String app) {
            Resolved resolved = resolve(new AccessQuery(null, null, target, stage, app), "");
            if (resolved.appUnknown()) {
                return null;
            }
            Set<String> roles = new TreeSet<>();
            if (resolved.role()) {
                roles.add(target.key());
                return roles;
            }
            for (int r = 0; r < catalogue.roleCount(); r++) {
                if (catalogue.roleGrants(r, resolved.slot(), resolved.target())) {
                    roles.add(catalogue.roleKey(r));
                }
            }
            return roles;
        }

        /** Notes that an answer was read from the database at {@code read}. */
        public void readAt(long read) {
            revision = Math.max(revision, read);
        }

        private PrincipalClosure existing(Principal byId, String email) {
            Principal principal = byId != null ? byId : resolveEmail(email);
            PrincipalClosure closure = principal == null ? null : closure(principal, true);
            if (closure == null || closure.standing() == Standing.NOT_FOUND) {
                throw byId != null && byId.type() == Principal.Type.API_CLIENT
                        ? DomainException.notFound("api_client", byId.id().toString())
                        : DomainException.notFound("user", byId != null ? byId.id().toString() : email);
            }
            return closure;
        }

        private Resolved resolve(AccessQuery query) {
            return resolve(query, "query.");
        }

        private Resolved resolve(AccessQuery query, String prefix) {
            return DecisionEngine.resolve(catalogue, query, prefix);
        }

        private int targetIndex(AccessQuery.Target target, String prefix, String field) {
            return DecisionEngine.targetIndex(catalogue, target, prefix, field);
        }

        private int stageSlot(String stage, String prefix, String field) {
            return DecisionEngine.stageSlot(catalogue, stage, prefix, field);
        }

        /** Checks the query's keys, stage and shape (INVALID_ARGUMENT naming the field) and interns them. */



        private Principal principal(AccessQuery query) {
            return query.principal() != null ? query.principal() : resolveEmail(query.userEmail());
        }

        private Principal resolveEmail(String email) {
            UUID id = organization.userByEmail(email);
            return id == null ? null : Principal.user(id);
        }

        /** The principal's closure on this session's catalogue; null when it is not in memory and !mayLoad. */
        private PrincipalClosure closure(Principal principal, boolean mayLoad) {
            PrincipalClosure closure;
            if (fresh) {
                closure = freshClosures.computeIfAbsent(principal,
                        p -> PrincipalClosure.of(catalogue, store.grants(organization.id, p), p.type()));
            } else {
                closure = cached(principal.id());
                if (closure == null || !closure.answersFor(principal, catalogue)) {
                    if (!mayLoad) {
                        return null;
                    }
                    closure = load(principal);
                }
            }
            if (closure.revision() > revision) {
                revision = closure.revision();
            }
            return closure;
        }

        /**
         * Reads and caches a closure. The read happens outside the cache's lock (a slow database must not block
         * other keys); the result is kept only if no invalidation in this organization raced it, checked
         * atomically with the store, so a change applied during the read can never leave a stale closure.
         */
        private PrincipalClosure load(Principal principal) {
            long generation = organization.invalidations.get();
            PrincipalClosure loaded = PrincipalClosure.of(catalogue, store.grants(organization.id, principal),
                    principal.type());
            keep(organization, generation, principal.id(), loaded);
            return loaded;
        }

        private String where(AccessQuery query) {
            if (query.stage() == null && query.appKey() == null) {
                return " in the organization";
            }
            return (query.stage() == null ? "" : " in stage " + query.stage())
                    + (query.appKey() == null ? "" : " on app " + query.appKey());
        }
    }

    /** Effective permission and role keys, sorted. */
    public record Holdings(List<String> permissionKeys, List<String> roleKeys) {}
}
