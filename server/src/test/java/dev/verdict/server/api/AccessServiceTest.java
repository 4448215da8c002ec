package dev.verdict.server.api;

import static dev.verdict.server.TestServer.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.Errors;
import dev.verdict.server.TestServer;
import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.BatchCheckAccessItem;
import dev.verdict.v1.BatchCheckAccessRequest;
import dev.verdict.v1.BatchCheckAccessResult;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.CheckAccessResponse;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.Decision;
import dev.verdict.v1.DenyReason;
import dev.verdict.v1.ExplainAccessRequest;
import dev.verdict.v1.GrantPath;
import dev.verdict.v1.ListAccessibleAppsRequest;
import dev.verdict.v1.ListUserPermissionsRequest;
import dev.verdict.v1.ListUsersWithAccessRequest;
import dev.verdict.v1.Principal;
import dev.verdict.v1.Target;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AccessServiceTest {
    private final AccessServiceGrpc.AccessServiceBlockingStub access = AccessServiceGrpc.newBlockingStub(TestServer.channel());

    private static Principal user(UUID id) {
        return Principal.newBuilder().setUserId(id.toString()).build();
    }

    private static AccessQuery permission(Principal who, String key, String stage, String app) {
        return AccessQuery.newBuilder().setPrincipal(who).setTarget(Target.newBuilder().setPermissionKey(key))
                .setStage(stage).setAppKey(app).build();
    }

    private static AccessQuery role(Principal who, String key, String stage, String app) {
        return AccessQuery.newBuilder().setPrincipal(who).setTarget(Target.newBuilder().setRoleKey(key))
                .setStage(stage).setAppKey(app).build();
    }

    private CheckAccessResponse check(DecisionTestData data, AccessQuery query) {
        return check(data, query, Consistency.getDefaultInstance());
    }

    private CheckAccessResponse check(DecisionTestData data, AccessQuery query, Consistency consistency) {
        return access.checkAccess(CheckAccessRequest.newBuilder().setOrganizationId(data.organizationId)
                .setQuery(query).setConsistency(consistency).build());
    }

    private Decision decide(DecisionTestData data, AccessQuery query) {
        return check(data, query).getDecision();
    }

    private static final Decision ALLOWED = Decision.DECISION_ALLOWED;
    private static final Decision DENIED = Decision.DECISION_DENIED;

    /** An org with apps shop and billing and an ACTIVE user holding a role that changes apps in development. */
    private static DecisionTestData developmentChanger(UUID[] user) {
        DecisionTestData data = new DecisionTestData();
        data.app("shop");
        data.app("billing");
        data.role("dev_changer", "ORGANIZATION", Map.of("app.change", List.of("development")));
        user[0] = data.user("dev@example.com", "ACTIVE");
        data.assign(user[0], "dev_changer", null, null);
        return data;
    }

    @Test
    void changeInDevelopmentOnlyMayDebugAndDeployThereButNotInProduction() {
        UUID[] id = new UUID[1];
        DecisionTestData data = developmentChanger(id);
        Principal dev = user(id[0]);
        assertThat(decide(data, permission(dev, "app.debug", "development", "shop"))).isEqualTo(ALLOWED);
        assertThat(decide(data, permission(dev, "app.deploy", "development", "billing"))).isEqualTo(ALLOWED);
        assertThat(decide(data, permission(dev, "app.view", "development", "shop"))).isEqualTo(ALLOWED);
        CheckAccessResponse production = check(data, permission(dev, "app.deploy", "production", "shop"));
        assertThat(production.getDecision()).isEqualTo(DENIED);
        assertThat(production.getReason()).isEqualTo(DenyReason.DENY_REASON_NO_GRANT);
        assertThat(decide(data, permission(dev, "app.change", "production", "shop"))).isEqualTo(DENIED);
        assertThat(decide(data, permission(dev, "app.debug", "qa", "shop"))).isEqualTo(DENIED);
        assertThat(production.getRevisionToken()).isNotEmpty();
    }

    @Test
    void viewEveryAppButChangeOnlyOne() {
        DecisionTestData data = new DecisionTestData();
        data.app("shop");
        data.app("billing");
        data.role("app_viewer", "ORGANIZATION", Map.of("app.view", List.of()));
        data.role("app_changer", "ORGANIZATION", Map.of("app.change", List.of()));
        UUID id = data.user("least@example.com", "ACTIVE");
        data.assign(id, "app_viewer", null, null);
        data.assign(id, "app_changer", null, "shop");
        Principal p = user(id);
        for (String stage : List.of("development", "qa", "production")) {
            assertThat(decide(data, permission(p, "app.view", stage, "billing"))).isEqualTo(ALLOWED);
            assertThat(decide(data, permission(p, "app.view", stage, "shop"))).isEqualTo(ALLOWED);
            assertThat(decide(data, permission(p, "app.change", stage, "shop"))).isEqualTo(ALLOWED);
            assertThat(decide(data, permission(p, "app.change", stage, "billing"))).isEqualTo(DENIED);
        }
        // An app-scoped organization role is held in that app, in any stage, and not without the app.
        assertThat(decide(data, role(p, "app_changer", "", "shop"))).isEqualTo(ALLOWED);
        assertThat(decide(data, role(p, "app_changer", "qa", "shop"))).isEqualTo(ALLOWED);
        assertThat(decide(data, role(p, "app_changer", "", ""))).isEqualTo(DENIED);
        assertThat(decide(data, role(p, "app_viewer", "", ""))).isEqualTo(ALLOWED);
    }

    @Test
    void wrongShapesAndUnknownKeysAreInvalidArgumentsNamingTheField() {
        DecisionTestData data = new DecisionTestData();
        data.app("shop");
        data.role("shopper", "END_USER", Map.of());
        Principal p = user(data.user("shape@example.com", "ACTIVE"));
        assertInvalid(data, permission(p, "no.such", "development", "shop"), "query.target.permission_key");
        assertInvalid(data, role(p, "no_such", "development", "shop"), "query.target.role_key");
        assertInvalid(data, permission(p, "app.view", "staging", "shop"), "query.stage");
        assertInvalid(data, permission(p, "users.manage", "development", ""), "query.stage");
        assertInvalid(data, permission(p, "users.manage", "", "shop"), "query.app_key");
        assertInvalid(data, permission(p, "stage.view", "", ""), "query.stage");
        assertInvalid(data, permission(p, "stage.view", "qa", "shop"), "query.app_key");
        assertInvalid(data, permission(p, "app.view", "qa", ""), "query.app_key");
        assertInvalid(data, permission(p, "app.view", "", "shop"), "query.stage");
        assertInvalid(data, role(p, "shopper", "qa", ""), "query.app_key");
        assertInvalid(data, role(p, "shopper", "", "shop"), "query.stage");
    }

    private void assertInvalid(DecisionTestData data, AccessQuery query, String field) {
        var e = failure(() -> check(data, query));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly(field);
    }

    @Test
    void unknownAppIsDeniedAsAppNotFound() {
        UUID[] id = new UUID[1];
        DecisionTestData data = developmentChanger(id);
        CheckAccessResponse response = check(data, permission(user(id[0]), "app.view", "development", "nowhere"));
        assertThat(response.getDecision()).isEqualTo(DENIED);
        assertThat(response.getReason()).isEqualTo(DenyReason.DENY_REASON_APP_NOT_FOUND);
    }

    @Test
    void principalsThatAreMissingOrInactiveAreDeniedWithTheirReason() {
        DecisionTestData data = new DecisionTestData();
        UUID invited = data.user("invited@example.com", "INVITED");
        UUID active = data.user("active@example.com", "ACTIVE");
        UUID disabled = data.apiClient(false);
        UUID enabled = data.apiClient(true);
        for (UUID principal : List.of(invited, active)) {
            data.assign(principal, "administrator", null, null);
        }
        data.assign(disabled, true, "administrator", null, null);
        data.assign(enabled, true, "administrator", null, null);
        assertThat(check(data, permission(user(invited), "users.manage", "", "")).getReason())
                .isEqualTo(DenyReason.DENY_REASON_PRINCIPAL_INACTIVE);
        assertThat(decide(data, permission(user(active), "users.manage", "", ""))).isEqualTo(ALLOWED);
        Principal byEmail = Principal.newBuilder().setUserEmail("  Active@Example.com ").build();
        assertThat(decide(data, permission(byEmail, "users.manage", "", ""))).isEqualTo(ALLOWED);
        assertThat(check(data, permission(user(UUID.randomUUID()), "users.manage", "", "")).getReason())
                .isEqualTo(DenyReason.DENY_REASON_PRINCIPAL_NOT_FOUND);
        assertThat(check(data, permission(Principal.newBuilder().setUserEmail("nobody@example.com").build(),
                "users.manage", "", "")).getReason()).isEqualTo(DenyReason.DENY_REASON_PRINCIPAL_NOT_FOUND);
        Principal disabledClient = Principal.newBuilder().setApiClientId(disabled.toString()).build();
        Principal enabledClient = Principal.newBuilder().setApiClientId(enabled.toString()).build();
        assertThat(check(data, permission(disabledClient, "users.manage", "", "")).getReason())
                .isEqualTo(DenyReason.DENY_REASON_PRINCIPAL_INACTIVE);
        assertThat(decide(data, permission(enabledClient, "users.manage", "", ""))).isEqualTo(ALLOWED);
        // A user id asked for as an API client is another principal: not found.
        assertThat(check(data, permission(Principal.newBuilder().setApiClientId(active.toString()).build(),
                "users.manage", "", "")).getReason()).isEqualTo(DenyReason.DENY_REASON_PRINCIPAL_NOT_FOUND);

        String token = data.status(active, "DEACTIVATED");
        CheckAccessResponse deactivated = check(data, permission(user(active), "users.manage", "", ""),
                Consistency.newBuilder().setAtLeastAsFresh(token).build());
        assertThat(deactivated.getReason()).isEqualTo(DenyReason.DENY_REASON_PRINCIPAL_INACTIVE);
        assertThat(Long.parseLong(deactivated.getRevisionToken())).isGreaterThanOrEqualTo(Long.parseLong(token));
    }

    @Test
    void aNewAssignmentIsSeenWithItsTokenFullyConsistentlyAndSoonWithoutEither() throws InterruptedException {
        DecisionTestData data = new DecisionTestData();
        data.app("shop");
        Principal p = user(data.user("fresh@example.com", "ACTIVE"));
        AccessQuery query = permission(p, "app.deploy", "qa", "shop");
        assertThat(decide(data, query)).isEqualTo(DENIED); // now cached
        String token = data.assign(UUID.fromString(p.getUserId()), "administrator", "qa", "shop");
        CheckAccessResponse withToken = check(data, query, Consistency.newBuilder().setAtLeastAsFresh(token).build());
        assertThat(withToken.getDecision()).isEqualTo(ALLOWED);
        assertThat(Long.parseLong(withToken.getRevisionToken())).isGreaterThanOrEqualTo(Long.parseLong(token));
        assertThat(check(data, query, Consistency.newBuilder().setFullyConsistent(true).build()).getDecision())
                .isEqualTo(ALLOWED);

        // Another principal, cached before the write, converges without a token.
        Principal other = user(data.user("later@example.com", "ACTIVE"));
        AccessQuery otherQuery = permission(other, "app.deploy", "qa", "shop");
        assertThat(decide(data, otherQuery)).isEqualTo(DENIED);
        data.assign(UUID.fromString(other.getUserId()), "administrator", null, null);
        long deadline = System.currentTimeMillis() + 1000;
        Decision seen = DENIED;
        while (seen != ALLOWED && System.currentTimeMillis() < deadline) {
            seen = decide(data, otherQuery);
            Thread.sleep(10);
        }
        assertThat(seen).isEqualTo(ALLOWED);
    }

    @Test
    void aRoleChangeRebuildsTheCatalogue() {
        DecisionTestData data = new DecisionTestData();
        Principal p = user(data.user("catalogue@example.com", "ACTIVE"));
        data.assign(UUID.fromString(p.getUserId()), "administrator", null, null);
        assertInvalid(data, permission(p, "reports.view", "", ""), "query.target.permission_key");
        data.permission("reports.view", "ORGANIZATION");
        String token = data.role("reporter", "ORGANIZATION", Map.of("reports.view", List.of()));
        Principal q = user(data.user("reporter@example.com", "ACTIVE"));
        String assigned = data.assign(UUID.fromString(q.getUserId()), "reporter", null, null);
        assertThat(check(data, permission(q, "reports.view", "", ""),
                Consistency.newBuilder().setAtLeastAsFresh(assigned).build()).getDecision()).isEqualTo(ALLOWED);
        assertThat(check(data, permission(p, "reports.view", "", ""),
                Consistency.newBuilder().setAtLeastAsFresh(token).build()).getDecision())
                .as("administrator does not hold the new permission unless granted").isEqualTo(DENIED);
    }

    @Test
    void badConsistencyTokenIsInvalid() {
        DecisionTestData data = new DecisionTestData();
        Principal p = user(data.user("token@example.com", "ACTIVE"));
        for (String token : List.of("abc", "-1", "1.5")) {
            var e = failure(() -> check(data, permission(p, "users.manage", "", ""),
                    Consistency.newBuilder().setAtLeastAsFresh(token).build()));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(Errors.badFields(e)).containsExactly("consistency.at_least_as_fresh");
        }
    }

    @Test
    void unknownOrganizationIsNotFound() {
        var e = failure(() -> access.checkAccess(CheckAccessRequest.newBuilder()
                .setOrganizationId(UUID.randomUUID().toString())
                .setQuery(permission(user(UUID.randomUUID()), "users.manage", "", "")).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void groupsGrantEndUserRolesDirectlyAndThroughIdpMappings() {
        DecisionTestData data = new DecisionTestData();
        data.app("shop");
        data.role("shopper", "END_USER", Map.of());
        UUID group = data.group("Buyers", "qa");
        data.groupGrant(group, "shopper", "shop");
        UUID direct = data.user("direct@example.com", "ACTIVE");
        UUID mapped = data.user("mapped@example.com", "ACTIVE");
        UUID wrongCase = data.user("case@example.com", "ACTIVE");
        data.member(group, direct);
        data.mapping(group, "okta", "Buyers-EU");
        data.externalGroup(mapped, "okta", "Buyers-EU");
        String token = data.externalGroup(wrongCase, "okta", "buyers-eu");
        Consistency fresh = Consistency.newBuilder().setAtLeastAsFresh(token).build();
        assertThat(check(data, role(user(direct), "shopper", "qa", "shop"), fresh).getDecision()).isEqualTo(ALLOWED);
        assertThat(check(data, role(user(mapped), "shopper", "qa", "shop"), fresh).getDecision()).isEqualTo(ALLOWED);
        assertThat(check(data, role(user(wrongCase), "shopper", "qa", "shop"), fresh).getDecision()).isEqualTo(DENIED);
        assertThat(check(data, role(user(direct), "shopper", "production", "shop"), fresh).getDecision()).isEqualTo(DENIED);

        var explained = access.explainAccess(ExplainAccessRequest.newBuilder().setOrganizationId(data.organizationId)
                .setQuery(role(user(mapped), "shopper", "qa", "shop")).build());
        assertThat(explained.getDecision()).isEqualTo(ALLOWED);
        assertThat(explained.getPathsList()).singleElement().satisfies(path -> {
            assertThat(path.getGroupId()).isEqualTo(group.toString());
            assertThat(path.getGroupName()).isEqualTo("Buyers");
            assertThat(path.getViaIdp()).isEqualTo("okta");
            assertThat(path.getViaExternalGroup()).isEqualTo("Buyers-EU");
            assertThat(path.getRoleKey()).isEqualTo("shopper");
            assertThat(path.getScope().getStage()).isEqualTo("qa");
            assertThat(path.getScope().getAppKey()).isEqualTo("shop");
        });

        var users = access.listUsersWithAccess(ListUsersWithAccessRequest.newBuilder().setOrganizationId(data.organizationId)
                .setTarget(Target.newBuilder().setRoleKey("shopper")).setStage("qa").setAppKey("shop").build());
        assertThat(users.getUserIdsList()).containsExactlyInAnyOrder(direct.toString(), mapped.toString());
    }

    @Test
    void explainShowsTheAssignmentRoleAndImplicationChain() {
        UUID[] id = new UUID[1];
        DecisionTestData data = developmentChanger(id);
        var explained = access.explainAccess(ExplainAccessRequest.newBuilder().setOrganizationId(data.organizationId)
                .setQuery(permission(user(id[0]), "app.view", "development", "shop")).build());
        assertThat(explained.getDecision()).isEqualTo(ALLOWED);
        assertThat(explained.getPathsList()).singleElement().satisfies(path -> {
            assertThat(path.getAssignmentId()).isNotEmpty();
            assertThat(path.getGroupId()).isEmpty();
            assertThat(path.getRoleKey()).isEqualTo("dev_changer");
            assertThat(path.getGrantedPermissionKey()).isEqualTo("app.change");
            assertThat(path.getGrantedStagesList()).containsExactly("development");
            assertThat(path.getImplicationChain(0)).isEqualTo("app.change");
            assertThat(path.getImplicationChainList()).hasSize(3).endsWith("app.view");
        });
        var denied = access.explainAccess(ExplainAccessRequest.newBuilder().setOrganizationId(data.organizationId)
                .setQuery(permission(user(id[0]), "app.view", "production", "shop")).build());
        assertThat(denied.getDecision()).isEqualTo(DENIED);
        assertThat(denied.getReason()).isEqualTo(DenyReason.DENY_REASON_NO_GRANT);
        assertThat(denied.getPathsList()).isEmpty();
        assertThat(denied.getExplanation()).contains("app.view");
    }

    @Test
    void batchAnswersEachItemAtOneRevision() {
        UUID[] id = new UUID[1];
        DecisionTestData data = developmentChanger(id);
        Principal p = user(id[0]);
        var response = access.batchCheckAccess(BatchCheckAccessRequest.newBuilder().setOrganizationId(data.organizationId)
                .addItems(BatchCheckAccessItem.newBuilder().setCorrelationId("a").setQuery(permission(p, "app.deploy", "development", "shop")))
                .addItems(BatchCheckAccessItem.newBuilder().setCorrelationId("b").setQuery(permission(p, "app.deploy", "production", "shop")))
                .addItems(BatchCheckAccessItem.newBuilder().setCorrelationId("c").setQuery(permission(p, "no.such", "", "")))
                .addItems(BatchCheckAccessItem.newBuilder().setCorrelationId("d").setQuery(permission(p, "app.view", "qa", "gone")))
                .build());
        assertThat(response.getResultsList()).extracting(BatchCheckAccessResult::getCorrelationId).containsExactly("a", "b", "c", "d");
        assertThat(response.getResults(0).getResponse().getDecision()).isEqualTo(ALLOWED);
        assertThat(response.getResults(1).getResponse().getReason()).isEqualTo(DenyReason.DENY_REASON_NO_GRANT);
        assertThat(response.getResults(2).getError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(response.getResults(3).getResponse().getReason()).isEqualTo(DenyReason.DENY_REASON_APP_NOT_FOUND);
        assertThat(response.getResults(0).getResponse().getRevisionToken()).isEqualTo(response.getRevisionToken());

        BatchCheckAccessRequest.Builder tooMany = BatchCheckAccessRequest.newBuilder().setOrganizationId(data.organizationId);
        for (int i = 0; i < 1001; i++) {
            tooMany.addItems(BatchCheckAccessItem.newBuilder().setQuery(permission(p, "app.view", "qa", "shop")));
        }
        var e = failure(() -> access.batchCheckAccess(tooMany.build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Errors.badFields(e)).containsExactly("items");
    }

    @Test
    void batchItemsSharingAPrincipalThenSwitchingAreEachAnsweredForTheirOwn() {
        UUID[] id = new UUID[1];
        DecisionTestData data = developmentChanger(id);
        UUID otherId = data.user("other@example.com", "ACTIVE");
        data.assign(otherId, "dev_changer", null, "billing");
        Principal dev = user(id[0]);
        Principal other = user(otherId);
        // The same id text as dev's, but as an API client: no such principal.
        Principal client = Principal.newBuilder().setApiClientId(id[0].toString()).build();
        Principal upper = Principal.newBuilder().setUserId(id[0].toString().toUpperCase(java.util.Locale.ROOT)).build();
        Principal email = Principal.newBuilder().setUserEmail("dev@example.com").build();
        List<AccessQuery> queries = List.of(
                permission(dev, "app.deploy", "development", "shop"),
                permission(dev, "app.deploy", "production", "shop"),
                permission(dev, "no.such", "", ""),
                permission(dev, "app.view", "development", "shop"),
                permission(other, "app.deploy", "development", "shop"),
                permission(other, "app.deploy", "development", "billing"),
                permission(dev, "app.deploy", "development", "billing"),
                permission(client, "app.deploy", "development", "shop"),
                permission(dev, "app.deploy", "development", "shop"),
                permission(upper, "app.deploy", "development", "shop"),
                permission(email, "app.deploy", "development", "shop"),
                permission(dev, "app.deploy", "production", "shop"));
        BatchCheckAccessRequest.Builder batch = BatchCheckAccessRequest.newBuilder().setOrganizationId(data.organizationId);
        for (int i = 0; i < queries.size(); i++) {
            batch.addItems(BatchCheckAccessItem.newBuilder().setCorrelationId("item-" + i).setQuery(queries.get(i)));
        }
        var response = access.batchCheckAccess(batch.build());

        assertThat(response.getResultsList()).extracting(BatchCheckAccessResult::getCorrelationId)
                .containsExactly("item-0", "item-1", "item-2", "item-3", "item-4", "item-5", "item-6", "item-7",
                        "item-8", "item-9", "item-10", "item-11");
        List<String> answers = response.getResultsList().stream().map(r -> r.hasError()
                ? Status.fromCodeValue(r.getError().getCode()).getCode().name()
                : r.getResponse().getDecision() + "/" + r.getResponse().getReason()).toList();
        String allowed = "DECISION_ALLOWED/DENY_REASON_UNSPECIFIED";
        String noGrant = "DECISION_DENIED/DENY_REASON_NO_GRANT";
        assertThat(answers).containsExactly(allowed, noGrant, "INVALID_ARGUMENT", allowed, noGrant, allowed, allowed,
                "DECISION_DENIED/DENY_REASON_PRINCIPAL_NOT_FOUND", allowed, allowed, allowed, noGrant);
        // Each item as its own CheckAccess says the same.
        for (int i = 0; i < queries.size(); i++) {
            AccessQuery query = queries.get(i);
            BatchCheckAccessResult result = response.getResults(i);
            if (result.hasError()) {
                var e = failure(() -> check(data, query));
                assertThat(e.getStatus().getCode().value()).as("item-" + i).isEqualTo(result.getError().getCode());
                assertThat(e.getStatus().getDescription()).as("item-" + i).isEqualTo(result.getError().getMessage());
            } else {
                CheckAccessResponse alone = check(data, query);
                assertThat(alone.getDecision()).as("item-" + i).isEqualTo(result.getResponse().getDecision());
                assertThat(alone.getReason()).as("item-" + i).isEqualTo(result.getResponse().getReason());
            }
        }
    }

    @Test
    void listsPermissionsRolesAndApps() {
        DecisionTestData data = new DecisionTestData();
        data.app("shop");
        data.app("billing");
        data.app("crm");
        data.role("app_viewer", "ORGANIZATION", Map.of("app.view", List.of("qa")));
        data.role("app_changer", "ORGANIZATION", Map.of("app.change", List.of()));
        UUID id = data.user("lists@example.com", "ACTIVE");
        data.assign(id, "app_viewer", null, "billing");
        data.assign(id, "app_changer", null, "shop");
        var held = access.listUserPermissions(ListUserPermissionsRequest.newBuilder().setOrganizationId(data.organizationId)
                .setPrincipal(user(id)).setStage("qa").setAppKey("shop").build());
        assertThat(held.getPermissionKeysList()).containsExactly("app.change", "app.debug", "app.deploy", "app.view");
        assertThat(held.getRoleKeysList()).containsExactly("app_changer");
        var orgLevel = access.listUserPermissions(ListUserPermissionsRequest.newBuilder().setOrganizationId(data.organizationId)
                .setPrincipal(user(id)).build());
        assertThat(orgLevel.getPermissionKeysList()).isEmpty();
        var e = failure(() -> access.listUserPermissions(ListUserPermissionsRequest.newBuilder()
                .setOrganizationId(data.organizationId).setPrincipal(user(id)).setAppKey("shop").build()));
        assertThat(Errors.badFields(e)).containsExactly("app_key");

        var viewable = access.listAccessibleApps(ListAccessibleAppsRequest.newBuilder().setOrganizationId(data.organizationId)
                .setPrincipal(user(id)).setTarget(Target.newBuilder().setPermissionKey("app.view")).setStage("qa").build());
        assertThat(viewable.getAppKeysList()).containsExactly("billing", "shop");
        var inProduction = access.listAccessibleApps(ListAccessibleAppsRequest.newBuilder().setOrganizationId(data.organizationId)
                .setPrincipal(user(id)).setTarget(Target.newBuilder().setPermissionKey("app.view")).setStage("production").build());
        assertThat(inProduction.getAppKeysList()).containsExactly("shop");
        var notFound = failure(() -> access.listAccessibleApps(ListAccessibleAppsRequest.newBuilder()
                .setOrganizationId(data.organizationId).setPrincipal(user(UUID.randomUUID()))
                .setTarget(Target.newBuilder().setPermissionKey("app.view")).setStage("qa").build()));
        assertThat(notFound.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void listsUsersWithAccessPageByPageInIdOrder() {
        DecisionTestData data = new DecisionTestData();
        data.app("shop");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            UUID id = data.user("holder" + i + "@example.com", "ACTIVE");
            data.assign(id, "developer", null, i % 2 == 0 ? "shop" : null);
            expected.add(id.toString());
        }
        UUID inactive = data.user("inactive@example.com", "DEACTIVATED");
        data.assign(inactive, "developer", null, null);
        UUID elsewhere = data.user("elsewhere@example.com", "ACTIVE");
        data.assign(elsewhere, "developer", "production", null);
        List<String> seen = new ArrayList<>();
        String token = "";
        do {
            var page = access.listUsersWithAccess(ListUsersWithAccessRequest.newBuilder()
                    .setOrganizationId(data.organizationId).setTarget(Target.newBuilder().setPermissionKey("app.deploy"))
                    .setStage("development").setAppKey("shop").setPageSize(2).setPageToken(token).build());
            assertThat(page.getUserIdsCount()).isLessThanOrEqualTo(2);
            seen.addAll(page.getUserIdsList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(seen).isSortedAccordingTo((a, b) -> a.replace("-", "").compareTo(b.replace("-", "")));
        var e = failure(() -> access.listUsersWithAccess(ListUsersWithAccessRequest.newBuilder()
                .setOrganizationId(data.organizationId).setTarget(Target.newBuilder().setPermissionKey("app.deploy"))
                .setStage("development").build()));
        assertThat(Errors.badFields(e)).containsExactly("app_key");
        var unknownApp = access.listUsersWithAccess(ListUsersWithAccessRequest.newBuilder()
                .setOrganizationId(data.organizationId).setTarget(Target.newBuilder().setPermissionKey("app.deploy"))
                .setStage("development").setAppKey("gone").build());
        assertThat(unknownApp.getUserIdsList()).isEmpty();
    }

    @Test
    void cacheStatisticsCountHits() {
        UUID[] id = new UUID[1];
        DecisionTestData data = developmentChanger(id);
        var engine = TestServer.server().engine();
        decide(data, permission(user(id[0]), "app.view", "qa", "shop"));
        long hits = engine.closureStats().hitCount();
        decide(data, permission(user(id[0]), "app.view", "qa", "shop"));
        assertThat(engine.closureStats().hitCount()).isGreaterThan(hits);
    }
}
