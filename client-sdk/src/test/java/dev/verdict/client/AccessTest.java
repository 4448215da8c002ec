package dev.verdict.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdict.v1.App;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.DenyReason;
import dev.verdict.v1.ExplainAccessResponse;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.GrantRoleResponse;
import dev.verdict.v1.ListUsersWithAccessRequest;
import dev.verdict.v1.Scope;
import dev.verdict.v1.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fluent decision API against a real Verdict: an organization with the built-in developer role held by an
 * active user (app.change in the first stage only, views everywhere), and an app {@code sales}.
 */
class AccessTest {

    private record World(VerdictClient client, String ana, String bob) {}

    private static World world() {
        VerdictClient client = RealServer.newOrganization();
        client.apps().createApp(CreateAppRequest.newBuilder()
                .setApp(App.newBuilder().setKey("sales").setDisplayName("Sales"))
                .build());
        String ana = activeDeveloper(client, "ana@acme.example");
        String bob = activeDeveloper(client, "bob@acme.example");

        return new World(client, ana, bob);
    }

    private static String activeDeveloper(VerdictClient client, String email) {
        String id = client.users().invite(email, "developer")
                .getUser().getUserId();
        client.users().activate(id);
        return id;
    }

    @Test
    void checksReadLikeTheQuestion() {
        World w = world();
        Principal ana = Principal.user(w.ana());

        Decision inDevelopment = w.client().check(ana).can("app.change").in("development", "sales");
        assertThat(inDevelopment.allowed()).isTrue();
        assertThat(inDevelopment.revisionToken()).isPresent();

        Decision inProduction = w.client().check(ana).can("app.change").in("production", "sales");
        assertThat(inProduction.allowed()).isFalse();
        assertThat(inProduction.reason()).isEqualTo(DenyReason.DENY_REASON_NO_GRANT);

        assertThat(w.client().check(ana).can("users.manage").orgWide().allowed()).isFalse();
        assertThat(w.client().check(ana).can("users.view").orgWide().allowed()).isTrue();
        assertThat(w.client().check(ana).hasRole("developer").inStage("qa").allowed()).isTrue();
        assertThat(w.client().check(ana).fullyConsistent().can("app.view").in("qa", "sales").allowed()).isTrue();
        assertThat(w.client().isAllowed(ana).can("app.change").in("development", "sales")).isTrue();
        assertThat(w.client().isAllowed(ana).can("app.change").in("production", "sales")).isFalse();
    }

    @Test
    void aBadQuestionThrowsFromCheckAndIsADenyFromIsAllowed() {
        World w = world();
        Principal ana = Principal.user(w.ana());

        assertThatThrownBy(() -> w.client().check(ana).can("no.such.permission").in("qa", "sales"))
                .isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.fieldViolations()).isNotEmpty());
        assertThat(w.client().isAllowed(ana).can("no.such.permission").in("qa", "sales")).isFalse();
    }

    @Test
    void readsItsOwnWrites() {
        World w = world();
        Principal ana = Principal.user(w.ana());
        assertThat(w.client().check(ana).can("app.change").in("production", "sales").allowed()).isFalse();

        GrantRoleResponse granted = w.client().assignments().grantRole(GrantRoleRequest.newBuilder()
                .setPrincipal(ana.toProto())
                .setRoleKey("administrator")
                .setScope(Scope.newBuilder().setAppKey("sales"))
                .build());

        Decision after = w.client().check(ana).atLeastAsFresh(Revision.of(granted))
                .can("app.change").in("production", "sales");
        assertThat(after.allowed()).isTrue();
        assertThat(Long.parseLong(after.revisionToken().orElseThrow().token()))
                .isGreaterThanOrEqualTo(Long.parseLong(granted.getRevisionToken()));
    }

    @Test
    void batchAnswersEachItemAndDeniesTheOnesItCannotDecide() {
        World w = world();
        Principal ana = Principal.user(w.ana());

        Map<String, Decision> decisions = w.client().batch()
                .add("change-dev", ana).can("app.change").in("development", "sales")
                .add("change-prod", ana).can("app.change").in("production", "sales")
                .add("unknown", ana).can("no.such.permission").in("qa", "sales")
                .fullyConsistent()
                .check();

        assertThat(decisions).containsOnlyKeys("change-dev", "change-prod", "unknown");
        assertThat(decisions.get("change-dev").allowed()).isTrue();
        assertThat(decisions.get("change-prod").allowed()).isFalse();
        assertThat(decisions.get("unknown").allowed()).isFalse();
        assertThat(decisions.get("unknown").failure()).get().isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> w.client().batch().add("a", ana).can("x").orgWide().add("a", ana))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void explainsAndAnswersTheReverseQuestions() {
        World w = world();
        Principal ana = Principal.user(w.ana());

        ExplainAccessResponse explained = w.client().explain(ana).can("app.change").in("development", "sales");
        assertThat(explained.getDecision()).isEqualTo(dev.verdict.v1.Decision.DECISION_ALLOWED);
        assertThat(explained.getPathsList()).extracting(p -> p.getRoleKey()).contains("developer");
        assertThat(explained.getExplanation()).isNotBlank();

        assertThat(w.client().permissionsOf(ana, "development", "sales").getPermissionKeysList())
                .contains("app.change", "app.view");
        assertThat(w.client().accessibleApps(ana, "app.change", "development")).containsExactly("sales");
        assertThat(w.client().accessibleApps(ana, "app.change", "production")).isEmpty();

        List<String> users = new ArrayList<>();
        w.client().usersWithAccess(ListUsersWithAccessRequest.newBuilder()
                        .setTarget(Target.newBuilder().setPermissionKey("app.change"))
                        .setStage("development")
                        .setAppKey("sales")
                        .setPageSize(1)
                        .build())
                .forEach(users::add);
        assertThat(users).containsExactlyInAnyOrder(w.ana(), w.bob());
        List<String> inProduction = new ArrayList<>();
        w.client().usersWithAccess("app.change", "production", "sales").forEach(inProduction::add);
        assertThat(inProduction).isEmpty();
    }
}
