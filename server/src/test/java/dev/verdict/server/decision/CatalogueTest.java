package dev.verdict.server.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.domain.CatalogueSnapshot;
import dev.verdict.server.domain.CatalogueSnapshot.PermissionEntry;
import dev.verdict.server.domain.CatalogueSnapshot.RoleEntry;
import dev.verdict.server.domain.CatalogueSnapshot.RoleGrant;
import dev.verdict.server.domain.PermissionLevel;
import dev.verdict.server.domain.PrincipalGrants;
import dev.verdict.server.domain.PrincipalGrants.Grant;
import dev.verdict.server.domain.PrincipalGrants.Standing;
import dev.verdict.server.domain.RoleKind;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CatalogueTest {
    private static final List<String> STAGES = List.of("development", "qa", "production");

    private static Catalogue catalogue() {
        return Catalogue.of(new CatalogueSnapshot(UUID.randomUUID(), 7, STAGES,
                List.of(
                        new PermissionEntry("app.change", PermissionLevel.APP, List.of("app.debug", "app.deploy")),
                        new PermissionEntry("app.debug", PermissionLevel.APP, List.of("app.view")),
                        new PermissionEntry("app.deploy", PermissionLevel.APP, List.of("app.view")),
                        new PermissionEntry("app.view", PermissionLevel.APP, List.of()),
                        new PermissionEntry("stage.view", PermissionLevel.STAGE, List.of()),
                        new PermissionEntry("users.manage", PermissionLevel.ORGANIZATION, List.of())),
                List.of(
                        new RoleEntry("dev", RoleKind.ORGANIZATION, List.of(
                                new RoleGrant("app.change", List.of("development")),
                                new RoleGrant("stage.view", null))),
                        new RoleEntry("admin", RoleKind.ORGANIZATION, List.of(new RoleGrant("users.manage", null))),
                        new RoleEntry("viewer", RoleKind.END_USER, List.of())),
                List.of("billing", "shop")));
    }

    @Test
    void implicationClosureIsReflexiveAndTransitive() {
        Catalogue c = catalogue();
        int change = c.permission("app.change");
        assertThat(c.implies(change, change)).isTrue();
        assertThat(c.implies(change, c.permission("app.view"))).isTrue();
        assertThat(c.implies(c.permission("app.view"), change)).isFalse();
        assertThat(c.implicationChain(change, c.permission("app.view"))).containsExactly("app.change", "app.debug", "app.view");
    }

    @Test
    void rolePermissionsArePerStageSlot() {
        Catalogue c = catalogue();
        int dev = c.role("dev");
        int deploy = c.permission("app.deploy");
        assertThat(c.roleGrants(dev, c.stageSlot("development"), deploy)).isTrue();
        assertThat(c.roleGrants(dev, c.stageSlot("production"), deploy)).isFalse();
        assertThat(c.roleGrants(dev, 0, deploy)).as("no stage: only grants for all stages").isFalse();
        assertThat(c.roleGrants(dev, 0, c.permission("stage.view"))).isTrue();
        assertThat(c.stageSlot("staging")).isEqualTo(Catalogue.NOT_FOUND);
    }

    @Test
    void closureCoversByStageAndApp() {
        Catalogue c = catalogue();
        List<Grant> grants = new ArrayList<>();
        grants.add(new Grant("dev", null, "shop", UUID.randomUUID(), null));
        grants.add(new Grant("admin", null, null, UUID.randomUUID(), null));
        grants.add(new Grant("viewer", "qa", "billing", UUID.randomUUID(), null));
        grants.add(new Grant("unknown-role", null, null, UUID.randomUUID(), null));
        PrincipalClosure closure = PrincipalClosure.of(c, new PrincipalGrants(9, Standing.ACTIVE, grants));
        int dev = c.stageSlot("development");
        int prod = c.stageSlot("production");
        int shop = c.app("shop");
        int billing = c.app("billing");
        assertThat(closure.hasPermission(c.permission("app.deploy"), dev, shop)).isTrue();
        assertThat(closure.hasPermission(c.permission("app.deploy"), prod, shop)).isFalse();
        assertThat(closure.hasPermission(c.permission("app.deploy"), dev, billing)).isFalse();
        assertThat(closure.hasPermission(c.permission("users.manage"), 0, -1)).isTrue();
        assertThat(closure.hasRole(c.role("viewer"), c.stageSlot("qa"), billing)).isTrue();
        assertThat(closure.hasRole(c.role("viewer"), dev, billing)).isFalse();
        assertThat(closure.hasRole(c.role("viewer"), c.stageSlot("qa"), -1)).as("an app grant never covers no app").isFalse();
        assertThat(closure.hasRole(c.role("admin"), prod, shop)).as("an org-wide grant covers every scope").isTrue();
        assertThat(closure.hasRole(c.role("dev"), 0, -1)).as("an app grant does not cover a request without app").isFalse();
        assertThat(closure.revision()).isEqualTo(9);
    }

    @Test
    void stageScopedGrantDoesNotCoverARequestWithoutStage() {
        Catalogue c = catalogue();
        PrincipalClosure closure = PrincipalClosure.of(c, new PrincipalGrants(1, Standing.ACTIVE,
                List.of(new Grant("admin", "qa", null, UUID.randomUUID(), null))));
        assertThat(closure.hasPermission(c.permission("users.manage"), 0, -1)).isFalse();
        assertThat(closure.hasRole(c.role("admin"), c.stageSlot("qa"), -1)).isTrue();
        assertThat(closure.hasRole(c.role("admin"), c.stageSlot("qa"), c.app("shop"))).isTrue();
    }

    @Test
    void inactivePrincipalHoldsNothing() {
        Catalogue c = catalogue();
        PrincipalClosure closure = PrincipalClosure.of(c, new PrincipalGrants(1, Standing.INACTIVE,
                List.of(new Grant("admin", null, null, UUID.randomUUID(), null))));
        assertThat(closure.standing()).isEqualTo(Standing.INACTIVE);
        assertThat(closure.hasRole(c.role("admin"), 0, -1)).isFalse();
    }

    @Test
    void manyPermissionsSpanSeveralWords() {
        List<PermissionEntry> permissions = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            permissions.add(new PermissionEntry("p" + i, PermissionLevel.ORGANIZATION,
                    i + 1 < 150 ? List.of("p" + (i + 1)) : List.of()));
        }
        Catalogue c = Catalogue.of(new CatalogueSnapshot(UUID.randomUUID(), 1, STAGES, permissions,
                List.of(new RoleEntry("r", RoleKind.ORGANIZATION, List.of(new RoleGrant("p70", null)))), List.of()));
        PrincipalClosure closure = PrincipalClosure.of(c, new PrincipalGrants(1, Standing.ACTIVE,
                List.of(new Grant("r", null, null, UUID.randomUUID(), null))));
        assertThat(closure.hasPermission(c.permission("p149"), 0, -1)).isTrue();
        assertThat(closure.hasPermission(c.permission("p69"), 0, -1)).isFalse();
        assertThat(closure.hasRole(c.role("r"), 0, -1)).isTrue();
    }
}
