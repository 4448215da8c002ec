package dev.verdict.server.decision;

import dev.verdict.server.domain.Principal;
import dev.verdict.server.domain.PrincipalGrants;
import dev.verdict.server.domain.PrincipalGrants.Grant;
import dev.verdict.server.domain.PrincipalGrants.Standing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Everything one principal may, precomputed on one {@link Catalogue}: for each stage slot the permissions
 * (implications expanded) and roles of its grants without an app, and the same per app for its app-scoped
 * grants. A check tests a bit or two: no lock, no allocation, no database.
 *
 * <p>Layout: one {@code long[]}: first the sorted indexes of the apps with app-scoped grants, one per word;
 * then the block of the grants without app; then one block per app, in the same order. One array rather than
 * one per app or a separate one for the apps: a check of a principal not in the CPU's caches waits for memory
 * once for each object it reaches through another (docs/benchmarks.md). A block holds, for each slot,
 * {@code permissionWords} words of permissions then {@code roleWords} words of roles. A grant with stage s
 * fills only slot s; a grant without stage fills every slot, including 0 ("no stage"), so a request without
 * stage is covered only by grants without one.
 */
final class PrincipalClosure {
    private static final long[] NO_WORDS = new long[0];

    private final Catalogue catalogue;
    /** Whose closure this is: a user's or an API client's (null where it does not matter, in tests). */
    private final Principal.Type type;
    private final long revision;
    private final Standing standing;
    /** Words of one slot. */
    private final int stride;
    /** Words of one block (every slot). */
    private final int blockWords;
    /** How many apps have app-scoped grants: the words before the first block. */
    private final int appCount;
    /** The sorted app indexes, then the block of the grants without app, then the block of each app. */
    private final long[] words;

    private PrincipalClosure(Catalogue catalogue, Principal.Type type, long revision, Standing standing, long[] words,
            int appCount) {
        this.catalogue = catalogue;
        this.type = type;
        this.revision = revision;
        this.standing = standing;
        this.stride = stride(catalogue);
        this.blockWords = blockWords(catalogue);
        this.words = words;
        this.appCount = appCount;
    }

    /** Builds the closure of raw grants on {@code catalogue}; grants naming keys it lacks grant nothing. */
    static PrincipalClosure of(Catalogue catalogue, PrincipalGrants grants) {
        return of(catalogue, grants, null);
    }

    /** The closure of the grants of a principal of {@code type}. */
    static PrincipalClosure of(Catalogue catalogue, PrincipalGrants grants, Principal.Type type) {
        if (grants.standing() != Standing.ACTIVE) {
            return new PrincipalClosure(catalogue, type, grants.revision(), grants.standing(), NO_WORDS, 0);
        }
        // Each grant's keys resolved once (a grant naming a key the catalogue lacks grants nothing); then the
        // apps with app-scoped grants, sorted (block i + 1 is apps[i]'s), so that the words are allocated once.
        List<ResolvedGrant> resolved = new ArrayList<>(grants.grants().size());
        for (Grant grant : grants.grants()) {
            int role = catalogue.role(grant.roleKey());
            int stageSlot = catalogue.stageSlot(grant.stage());
            int app = grant.appKey() == null ? ResolvedGrant.NO_APP : catalogue.app(grant.appKey());
            if (role != Catalogue.NOT_FOUND && stageSlot != Catalogue.NOT_FOUND && app != Catalogue.NOT_FOUND) {
                resolved.add(new ResolvedGrant(role, stageSlot, app));
            }
        }
        int[] apps = resolved.stream().mapToInt(ResolvedGrant::app).filter(app -> app != ResolvedGrant.NO_APP)
                .sorted().distinct().toArray();
        int slots = catalogue.stageCount() + 1;
        int stride = stride(catalogue);
        int blockWords = blockWords(catalogue);
        long[] words = new long[apps.length + (apps.length + 1) * blockWords];
        for (int i = 0; i < apps.length; i++) {
            words[i] = apps[i];
        }
        for (ResolvedGrant grant : resolved) {
            int block = grant.app() == ResolvedGrant.NO_APP ? 0 : Arrays.binarySearch(apps, grant.app()) + 1;
            for (int slot = 0; slot < slots; slot++) {
                if (grant.stageSlot() == 0 || grant.stageSlot() == slot) {
                    int offset = apps.length + block * blockWords + slot * stride;
                    Bits.or(words, offset, catalogue.rolePermissions(grant.role(), slot));
                    Bits.set(words, offset + catalogue.permissionWords(), grant.role());
                }
            }
        }
        return new PrincipalClosure(catalogue, type, grants.revision(), Standing.ACTIVE, words, apps.length);
    }

    /** Words of one stage slot: the permissions, then the roles. */
    private static int stride(Catalogue catalogue) {
        return catalogue.permissionWords() + catalogue.roleWords();
    }

    /** Words of one block: every stage slot, 0 ("no stage") included. */
    private static int blockWords(Catalogue catalogue) {
        return (catalogue.stageCount() + 1) * stride(catalogue);
    }

    /** A grant's role, stage slot and app as catalogue indexes. */
    private record ResolvedGrant(int role, int stageSlot, int app) {
        /** The app of a grant without one (Catalogue.NOT_FOUND is -1). */
        static final int NO_APP = -2;
    }

    Catalogue catalogue() {
        return catalogue;
    }

    /** Whether this is the closure of {@code principal}'s kind built on {@code current}: a valid cache hit. */
    boolean answersFor(Principal principal, Catalogue current) {
        return catalogue == current && type == principal.type();
    }

    UUID organizationId() {
        return catalogue.organizationId();
    }

    /** The revision of the snapshot the grants were read at. */
    long revision() {
        return revision;
    }

    Standing standing() {
        return standing;
    }

    /** Whether some grant covering (slot, app; app -1 for none) grants {@code permission}. */
    boolean hasPermission(int permission, int slot, int app) {
        return has(permission, slot, app);
    }

    /** Whether some grant covering (slot, app; app -1 for none) is of {@code role}. */
    boolean hasRole(int role, int slot, int app) {
        return has(catalogue.permissionWords() * 64 + role, slot, app);
    }

    private boolean has(int bit, int slot, int app) {
        if (standing != Standing.ACTIVE) {
            return false;
        }
        int offset = appCount + slot * stride;
        if (Bits.test(words, offset, bit)) {
            return true;
        }
        if (app < 0) {
            return false;
        }
        int at = Arrays.binarySearch(words, 0, appCount, app);
        return at >= 0 && Bits.test(words, offset + (at + 1) * blockWords, bit);
    }
}
