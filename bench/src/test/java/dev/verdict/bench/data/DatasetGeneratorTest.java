package dev.verdict.bench.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.bench.data.Dataset.Permission;
import dev.verdict.bench.data.Dataset.Status;
import dev.verdict.bench.data.Dataset.User;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatasetGeneratorTest {

    @Test
    void sameSeedSameDataOtherSeedOtherData() throws Exception {
        assertThat(fingerprint(DatasetGenerator.generate(Size.S, 7)))
                .isEqualTo(fingerprint(DatasetGenerator.generate(Size.S, 7)))
                .isNotEqualTo(fingerprint(DatasetGenerator.generate(Size.S, 8)));
    }

    @Test
    void sizesAreTheIssues() {
        assertSize(DatasetGenerator.generate(Size.S, 1), 2_000, 50, 200);
        assertSize(DatasetGenerator.generate(Size.M, 1), 100_000, 1_000, 5_000);
    }

    @Test
    void shapeOfS() {
        Dataset dataset = DatasetGenerator.generate(Size.S, 1);
        assertThat(dataset.permissions()).hasSizeBetween(10, 99);
        assertThat(dataset.roles()).anyMatch(r -> r.grants().isEmpty()).anyMatch(r -> r.grants().stream()
                .anyMatch(g -> !g.stages().isEmpty()));
        assertThat(dataset.groups()).allMatch(g -> g.grants().size() >= 1 && g.grants().size() <= 5
                && g.mappings().size() <= 2);
        assertThat(dataset.users().stream().filter(u -> u.status() == Status.ACTIVE).count())
                .isBetween(1_500L, 1_900L);
        assertThat(dataset.users()).anyMatch(u -> u.status() == Status.INVITED)
                .anyMatch(u -> u.status() == Status.DEACTIVATED)
                .anyMatch(u -> !u.assignments().isEmpty());
        // Zipf memberships: most users in 1-3 groups, and one group far above the average of ~10 members.
        long oneToThree = dataset.users().stream().filter(u -> u.groups().length >= 1 && u.groups().length <= 3).count();
        assertThat(oneToThree).isGreaterThan(1_500);
        int[] members = new int[dataset.groups().size()];
        dataset.users().forEach(u -> Arrays.stream(u.groups()).forEach(g -> members[g]++));
        assertThat(Arrays.stream(members).max().orElseThrow()).isGreaterThan(200);
        // Some external groups match a mapping, so some memberships come through an IdP.
        Reference reference = new Reference(dataset);
        assertThat(dataset.users()).anyMatch(u -> reference.effectiveGroups(u).size() > u.groups().length);
    }

    @Test
    void implicationsAreAcyclicAndNameKnownPermissions() {
        Dataset dataset = DatasetGenerator.generate(Size.L, 3);
        Set<String> created = new HashSet<>();
        BuiltIns.PERMISSIONS.forEach(p -> created.add(p.key()));
        for (Permission permission : dataset.permissions()) {
            // Creation order: everything implied exists already, which also rules out cycles.
            assertThat(created).containsAll(permission.implies());
            assertThat(created.add(permission.key())).isTrue();
        }
    }

    @Test
    void mixHasAllowsDeniesColdUsersAndEveryKind() {
        Dataset dataset = DatasetGenerator.generate(Size.S, 1);
        List<Query> mix = new QueryMix(new Reference(dataset)).generate(10_000, 0.05, 1);
        long allowed = mix.stream().filter(Query::allowed).count();
        assertThat(allowed).isBetween(2_000L, 8_000L);
        assertThat(mix.stream().filter(Query::cold).count()).isBetween(300L, 700L);
        for (Query.Kind kind : Query.Kind.values()) {
            assertThat(mix).anyMatch(q -> q.kind() == kind && q.allowed()).anyMatch(q -> q.kind() == kind && !q.allowed());
        }
        assertThat(mix).anyMatch(q -> dataset.users().get(q.user()).status() != Status.ACTIVE);
        // Zipf over users: the most asked-about user is asked far more than the average of 5 times.
        Map<Integer, Integer> perUser = new HashMap<>();
        mix.forEach(q -> perUser.merge(q.user(), 1, Integer::sum));
        assertThat(perUser.values().stream().mapToInt(Integer::intValue).max().orElseThrow()).isGreaterThan(200);
        assertThat(new QueryMix(new Reference(dataset)).generate(10_000, 0.05, 1)).isEqualTo(mix);
    }

    private static void assertSize(Dataset dataset, int users, int apps, int groups) {
        assertThat(dataset.users()).hasSize(users);
        assertThat(dataset.apps()).hasSize(apps).doesNotHaveDuplicates();
        assertThat(dataset.groups()).hasSize(groups);
        assertThat(dataset.groups().stream().map(g -> g.name().toLowerCase()).distinct().count()).isEqualTo(groups);
        assertThat(dataset.users().stream().map(u -> u.email().toLowerCase()).distinct().count()).isEqualTo(users);
    }

    /** A digest of every value (records with arrays do not compare by content). */
    private static String fingerprint(Dataset dataset) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update((dataset.stages() + "|" + dataset.permissions() + "|" + dataset.roles() + "|" + dataset.apps()
                + "|" + dataset.groups()).getBytes());
        for (User user : dataset.users()) {
            digest.update((user.index() + user.status().name() + user.classification() + Arrays.toString(user.groups())
                    + user.externalGroups() + user.assignments()).getBytes());
        }
        return java.util.HexFormat.of().formatHex(digest.digest());
    }
}
