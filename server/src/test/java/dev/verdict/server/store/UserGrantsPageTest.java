package dev.verdict.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdict.server.TestServer;
import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.Principal;
import dev.verdict.server.domain.PrincipalGrants;
import dev.verdict.server.domain.PrincipalGrants.Grant;
import dev.verdict.server.domain.PrincipalGrants.Standing;
import dev.verdict.server.store.DecisionStore.UserGrantsPage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link DecisionStore#userGrantsPage} and {@link DecisionStore#apiClientGrants}, the bulk reads of a warm-up,
 * give every principal exactly what the one-principal read {@link DecisionStore#grants} gives it, grant order
 * included, on an organization with every source of grants ({@link VariedOrganization}).
 */
class UserGrantsPageTest {
    private static final int USERS = 600;
    private static final VariedOrganization ORG = new VariedOrganization(USERS, 15, 20_260_501L);
    private static final UUID OTHER = new VariedOrganization(50, 3, 7L).id;

    private final DecisionStore store = new DecisionStore(new Store(TestServer.server().database().dsl()));

    @Test
    void everyPageGivesEachOfItsUsersWhatTheOneUserReadGives() {
        Map<UUID, PrincipalGrants> oneByOne = new HashMap<>();
        for (UUID user : ORG.users) {
            oneByOne.put(user, store.grants(ORG.id, Principal.user(user)));
        }
        assertVaried(oneByOne);

        // A page of one, pages ending inside the users, and one page of everybody.
        for (int limit : new int[] {1, 7, 250, USERS, USERS + 1}) {
            List<UUID> seen = new ArrayList<>();
            UUID after = null;
            while (true) {
                UserGrantsPage page = store.userGrantsPage(ORG.id, after, limit);
                assertThat(page.grants().size()).as("page size at limit %d", limit).isLessThanOrEqualTo(limit);
                page.grants().forEach((user, grants) -> {
                    assertThat(grants).as("user %s in a page of %d", user, limit).isEqualTo(oneByOne.get(user));
                    seen.add(user);
                });
                if (page.grants().size() < limit) {
                    assertThat(page.lastUser()).isEqualTo(page.grants().isEmpty() ? null : seen.getLast());
                    break;
                }
                after = page.lastUser();
            }
            assertThat(seen).as("every user once, at limit %d", limit).hasSize(USERS)
                    .containsExactlyInAnyOrderElementsOf(ORG.users);
            // Postgres orders uuids by their bytes, unsigned: as their text, not as Java's UUID.compareTo.
            assertThat(seen.stream().map(UUID::toString).toList()).as("in id order").isSorted();
        }
    }

    @Test
    void aPageCarriesEachUsersEmailKey() {
        UserGrantsPage page = store.userGrantsPage(ORG.id, null, USERS);
        int index = 0;
        Map<UUID, Integer> created = new HashMap<>();
        for (UUID user : ORG.users) {
            created.put(user, index++);
        }
        page.emailKeys().forEach((user, key) ->
                assertThat(key).isEqualTo("user-" + created.get(user) + "@varied.example"));
        assertThat(page.emailKeys().keySet()).isEqualTo(page.grants().keySet());
    }

    @Test
    void afterTheLastUserThePageIsEmpty() {
        UUID last = store.userGrantsPage(ORG.id, null, USERS).lastUser();
        UserGrantsPage empty = store.userGrantsPage(ORG.id, last, 10);
        assertThat(empty.grants()).isEmpty();
        assertThat(empty.lastUser()).isNull();
    }

    @Test
    void everyApiClientGetsWhatTheOneClientReadGives() {
        var all = store.apiClientGrants(ORG.id);
        // The organization's own administrator client, made with it, and the three seeded ones.
        assertThat(all.keySet()).containsAll(ORG.apiClients).hasSize(ORG.apiClients.size() + 1);
        all.forEach((client, grants) ->
                assertThat(grants).isEqualTo(store.grants(ORG.id, Principal.apiClient(client))));
        assertThat(all.values()).extracting(PrincipalGrants::standing).contains(Standing.ACTIVE, Standing.INACTIVE);
        assertThat(all.keySet().stream().map(UUID::toString).toList()).isSorted();
    }

    @Test
    void aMissingOrganizationIsNotFound() {
        assertThatThrownBy(() -> store.userGrantsPage(UUID.randomUUID(), null, 10))
                .isInstanceOf(DomainException.NotFound.class);
        assertThatThrownBy(() -> store.apiClientGrants(UUID.randomUUID())).isInstanceOf(DomainException.NotFound.class);
        assertThat(store.userGrantsPage(OTHER, null, 1_000).grants()).hasSize(50).doesNotContainKeys(
                ORG.users.toArray(UUID[]::new));
    }

    /** The seed covers what the page must reproduce, so that equality above is not vacuous. */
    private static void assertVaried(Map<UUID, PrincipalGrants> grants) {
        var all = grants.values();
        assertThat(all).extracting(PrincipalGrants::standing).contains(Standing.ACTIVE, Standing.INACTIVE);
        assertThat(all).as("users with nothing").anyMatch(g -> g.grants().isEmpty());
        List<Grant> every = all.stream().flatMap(g -> g.grants().stream()).toList();
        assertThat(every).as("organization-wide assignments")
                .anyMatch(g -> g.assignmentId() != null && g.stage() == null && g.appKey() == null);
        assertThat(every).as("assignments to a stage only")
                .anyMatch(g -> g.assignmentId() != null && g.stage() != null && g.appKey() == null);
        assertThat(every).as("assignments to an app only")
                .anyMatch(g -> g.assignmentId() != null && g.stage() == null && g.appKey() != null);
        assertThat(every).as("direct group grants").anyMatch(g -> g.group() != null && g.group().idp() == null);
        assertThat(every).as("grants through an IdP mapping").anyMatch(g -> g.group() != null && g.group().idp() != null);
        assertThat(all).as("a group reached both directly and through a mapping").anyMatch(g -> g.grants().stream()
                .filter(grant -> grant.group() != null)
                .collect(Collectors.groupingBy(grant -> grant.group().groupId(),
                        Collectors.mapping(grant -> grant.group().idp() == null, Collectors.toSet())))
                .values().stream().anyMatch(kinds -> kinds.size() == 2));
        assertThat(all).as("several assignments and several groups in one user").anyMatch(g ->
                g.grants().stream().filter(grant -> grant.assignmentId() != null).count() > 1
                        && g.grants().stream().map(Grant::group).filter(Objects::nonNull).map(p -> p.groupId())
                                .distinct().count() > 1);
    }
}
