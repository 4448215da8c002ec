package dev.verdict.server.decision;

import dev.verdict.server.domain.CatalogueSnapshot;
import dev.verdict.server.domain.CatalogueSnapshot.PermissionEntry;
import dev.verdict.server.domain.CatalogueSnapshot.RoleEntry;
import dev.verdict.server.domain.CatalogueSnapshot.RoleGrant;
import dev.verdict.server.domain.PermissionLevel;
import dev.verdict.server.domain.RoleKind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * An organization's catalogue, interned for deciding: permissions, roles, stages and apps are small ints;
 * each permission's reflexive-transitive implication closure and each role's permission closure per stage
 * slot are bitsets computed once, here. Immutable: a catalogue change builds a new one, and closures built
 * on an old one are never used (they hold the catalogue they were built on).
 *
 * <p>Stage slots: 0 is "no stage", {@code i + 1} is the organization's i-th stage.
 */
public final class Catalogue {
    static final int NOT_FOUND = -1;

    private final UUID organizationId;
    private final long revision;
    /** What this catalogue was built from, without its revision: equal content decides the same. */
    private final CatalogueSnapshot content;
    private final String[] stages;
    /** Stage i's slot is i + 1. */
    private final KeyIndex stageIndex;
    private final String[] permissionKeys;
    private final PermissionLevel[] levels;
    private final KeyIndex permissionIndex;
    private final int[][] directImplies;
    private final long[][] implied;
    private final String[] roleKeys;
    private final RoleKind[] kinds;
    private final KeyIndex roleIndex;
    private final List<List<RoleGrant>> roleGrants;
    /** [role][slot]: the permissions the role grants in that stage slot, implications expanded. */
    private final long[][][] rolePermissions;
    private final String[] appKeys;
    private final KeyIndex appIndex;
    private final int permissionWords;
    private final int roleWords;

    private Catalogue(CatalogueSnapshot snapshot) {
        // The engine packs a resolved query into a long (DecisionEngine.Resolved.Bits): these bound its fields.
        if (snapshot.stages().size() > 254 || snapshot.permissions().size() >= 1 << 24 || snapshot.roles().size() >= 1 << 24
                || snapshot.appKeys().size() >= (1 << 24) - 1) {
            throw new IllegalStateException("a catalogue of more than 254 stages or 16M permissions, roles or apps");
        }
        organizationId = snapshot.organizationId();
        revision = snapshot.revision();
        content = withoutRevision(snapshot);
        stages = snapshot.stages().toArray(String[]::new);
        stageIndex = new KeyIndex(stages);
        List<PermissionEntry> permissions = snapshot.permissions();
        permissionKeys = new String[permissions.size()];
        levels = new PermissionLevel[permissions.size()];
        for (int i = 0; i < permissionKeys.length; i++) {
            permissionKeys[i] = permissions.get(i).key();
            levels[i] = permissions.get(i).level();
        }
        permissionIndex = new KeyIndex(permissionKeys);
        permissionWords = Bits.words(permissionKeys.length);
        directImplies = new int[permissionKeys.length][];
        for (int i = 0; i < permissionKeys.length; i++) {
            directImplies[i] = permissions.get(i).implies().stream()
                    .mapToInt(permissionIndex::indexOf).filter(j -> j != NOT_FOUND).toArray();
        }
        implied = new long[permissionKeys.length][];
        for (int i = 0; i < permissionKeys.length; i++) {
            implied[i] = reachable(i);
        }
        List<RoleEntry> roles = snapshot.roles();
        roleKeys = new String[roles.size()];
        roleWords = Bits.words(roleKeys.length);
        kinds = new RoleKind[roles.size()];
        roleGrants = new ArrayList<>(roles.size());
        rolePermissions = new long[roles.size()][stages.length + 1][];
        for (int r = 0; r < roleKeys.length; r++) {
            roleKeys[r] = roles.get(r).key();
        }
        roleIndex = new KeyIndex(roleKeys);
        for (int r = 0; r < roleKeys.length; r++) {
            RoleEntry role = roles.get(r);
            kinds[r] = role.kind();
            roleGrants.add(role.grants());
            for (int slot = 0; slot <= stages.length; slot++) {
                long[] bits = new long[permissionWords];
                for (RoleGrant grant : role.grants()) {
                    int p = permissionIndex.indexOf(grant.permissionKey());
                    if (p != NOT_FOUND && grantsIn(grant, slot)) {
                        Bits.or(bits, 0, implied[p]);
                    }
                }
                rolePermissions[r][slot] = bits;
            }
        }
        appKeys = snapshot.appKeys().toArray(String[]::new);
        appIndex = new KeyIndex(appKeys);
    }

    /** Builds the interned catalogue of a snapshot. */
    public static Catalogue of(CatalogueSnapshot snapshot) {
        return new Catalogue(snapshot);
    }

    /** Whether {@code snapshot} would build a catalogue deciding exactly as this one (the same interning too). */
    boolean decidesAs(CatalogueSnapshot snapshot) {
        return content.equals(withoutRevision(snapshot));
    }

    private static CatalogueSnapshot withoutRevision(CatalogueSnapshot snapshot) {
        return new CatalogueSnapshot(snapshot.organizationId(), 0, snapshot.stages(), snapshot.permissions(),
                snapshot.roles(), snapshot.appKeys());
    }

    /** Whether a role's grant applies in a stage slot: every stage, or the slot's stage is listed. */
    private boolean grantsIn(RoleGrant grant, int slot) {
        return grant.stages() == null || (slot > 0 && grant.stages().contains(stages[slot - 1]));
    }

    /** The permissions reachable from {@code start} by implication, itself included (cycles tolerated). */
    private long[] reachable(int start) {
        long[] bits = new long[permissionWords];
        ArrayDeque<Integer> todo = new ArrayDeque<>();
        todo.add(start);
        Bits.set(bits, 0, start);
        while (!todo.isEmpty()) {
            for (int next : directImplies[todo.poll()]) {
                if (!Bits.test(bits, 0, next)) {
                    Bits.set(bits, 0, next);
                    todo.add(next);
                }
            }
        }
        return bits;
    }

    public UUID organizationId() {
        return organizationId;
    }

    /** The revision of the snapshot this catalogue was built from. */
    public long revision() {
        return revision;
    }

    int stageCount() {
        return stages.length;
    }

    /** The slot of {@code stage} (null or empty: 0), or {@link #NOT_FOUND}. */
    int stageSlot(String stage) {
        if (stage == null || stage.isEmpty()) {
            return 0;
        }
        int stageIndexOf = stageIndex.indexOf(stage);
        return stageIndexOf == NOT_FOUND ? NOT_FOUND : stageIndexOf + 1;
    }

    String stage(int slot) {
        return slot == 0 ? null : stages[slot - 1];
    }

    List<String> stages() {
        return List.of(stages);
    }

    int permission(String key) {
        return permissionIndex.indexOf(key);
    }

    int permissionCount() {
        return permissionKeys.length;
    }

    String permissionKey(int permission) {
        return permissionKeys[permission];
    }

    PermissionLevel level(int permission) {
        return levels[permission];
    }

    /** Whether {@code permission} is in the reflexive-transitive implication closure of {@code granted}. */
    boolean implies(int granted, int permission) {
        return Bits.test(implied[granted], 0, permission);
    }

    /** A shortest implication chain from {@code granted} to {@code target}, both included; empty if none. */
    List<String> implicationChain(int granted, int target) {
        int[] previous = new int[permissionKeys.length];
        java.util.Arrays.fill(previous, -2);
        previous[granted] = -1;
        ArrayDeque<Integer> todo = new ArrayDeque<>(List.of(granted));
        while (!todo.isEmpty()) {
            int at = todo.poll();
            if (at == target) {
                ArrayDeque<String> chain = new ArrayDeque<>();
                for (int p = target; p != -1; p = previous[p]) {
                    chain.addFirst(permissionKeys[p]);
                }
                return List.copyOf(chain);
            }
            for (int next : directImplies[at]) {
                if (previous[next] == -2) {
                    previous[next] = at;
                    todo.add(next);
                }
            }
        }
        return List.of();
    }

    int role(String key) {
        return roleIndex.indexOf(key);
    }

    int roleCount() {
        return roleKeys.length;
    }

    String roleKey(int role) {
        return roleKeys[role];
    }

    RoleKind kind(int role) {
        return kinds[role];
    }

    List<RoleGrant> roleGrants(int role) {
        return roleGrants.get(role);
    }

    /** The permissions {@code role} grants in stage slot {@code slot}, implications expanded. Do not modify. */
    long[] rolePermissions(int role, int slot) {
        return rolePermissions[role][slot];
    }

    /** Whether {@code role} grants {@code permission} in stage slot {@code slot}. */
    boolean roleGrants(int role, int slot, int permission) {
        return Bits.test(rolePermissions[role][slot], 0, permission);
    }

    int app(String key) {
        return appIndex.indexOf(key);
    }

    int appCount() {
        return appKeys.length;
    }

    String appKey(int app) {
        return appKeys[app];
    }

    int permissionWords() {
        return permissionWords;
    }

    int roleWords() {
        return roleWords;
    }
}
