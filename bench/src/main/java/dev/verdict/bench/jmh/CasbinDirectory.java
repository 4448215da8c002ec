package dev.verdict.bench.jmh;

import dev.verdict.bench.data.Dataset;
import dev.verdict.bench.data.Dataset.Status;
import dev.verdict.bench.data.Dataset.User;
import dev.verdict.bench.data.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.casbin.jcasbin.main.Enforcer;
import org.casbin.jcasbin.model.Model;

/**
 * The dataset as jCasbin RBAC with domains, for APP-level permission checks. A domain is one (stage, app);
 * {@code g(user, role, "stage/app")} for every domain a grant of an ACTIVE user covers (group grants
 * flattened to the users, organization-wide grants to every stage and app); {@code p(role, stage, permission)}
 * for every permission the role holds in the stage, implications expanded. Inactive users hold nothing, as a
 * caller of Casbin would arrange. The matcher compares the cheap request fields first, so the role lookup
 * {@code g} runs only for policies of the asked permission and stage: jCasbin at its best, not at its default.
 */
final class CasbinDirectory {
    static final String MODEL = """
            [request_definition]
            r = sub, dom, stage, act

            [policy_definition]
            p = sub, stage, act

            [role_definition]
            g = _, _, _

            [policy_effect]
            e = some(where (p.eft == allow))

            [matchers]
            m = r.act == p.act && r.stage == p.stage && g(r.sub, p.sub, r.dom)
            """;

    private CasbinDirectory() {}

    static String subject(User user) {
        return "user" + user.index();
    }

    static String domain(String stage, String app) {
        return stage + "/" + app;
    }

    static Enforcer enforcer(Reference reference) {
        Dataset dataset = reference.dataset();
        Enforcer enforcer = new Enforcer(Model.newModelFromString(MODEL));
        enforcer.enableLog(false);
        enforcer.enableAutoBuildRoleLinks(false);
        List<List<String>> policies = new ArrayList<>();
        for (Dataset.Role role : dataset.allRoles()) {
            for (Map.Entry<String, Set<String>> stage : reference.permissionsByStage(role.key()).entrySet()) {
                for (String permission : stage.getValue()) {
                    policies.add(List.of(role.key(), stage.getKey(), permission));
                }
            }
        }
        enforcer.addPolicies(policies);
        List<List<String>> memberships = new ArrayList<>();
        for (User user : dataset.users()) {
            if (user.status() != Status.ACTIVE) {
                continue;
            }
            for (Reference.Grant grant : reference.grants(user)) {
                for (String stage : grant.stage() == null ? dataset.stages() : List.of(grant.stage())) {
                    for (String app : grant.appKey() == null ? dataset.apps() : List.of(grant.appKey())) {
                        memberships.add(List.of(subject(user), grant.roleKey(), domain(stage, app)));
                    }
                }
            }
        }
        enforcer.addGroupingPolicies(memberships);
        enforcer.buildRoleLinks();
        return enforcer;
    }
}
