package dev.verdict.bench.load;

import dev.verdict.bench.data.Query;
import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.Principal;
import dev.verdict.v1.Target;
import java.util.UUID;

/** Questions of the mix as Verdict's wire messages, principals by user id (the hot path: no email lookup). */
public final class Requests {
    private Requests() {}

    public static AccessQuery accessQuery(Query query, UUID[] userIds) {
        Target.Builder target = Target.newBuilder();
        if (query.kind() == Query.Kind.END_USER_ROLE) {
            target.setRoleKey(query.target());
        } else {
            target.setPermissionKey(query.target());
        }
        AccessQuery.Builder builder = AccessQuery.newBuilder()
                .setPrincipal(Principal.newBuilder().setUserId(userIds[query.user()].toString()))
                .setTarget(target);
        if (query.stage() != null) {
            builder.setStage(query.stage());
        }
        if (query.app() != null) {
            builder.setAppKey(query.app());
        }
        return builder.build();
    }

    public static CheckAccessRequest checkAccess(String organizationId, Query query, UUID[] userIds) {
        return CheckAccessRequest.newBuilder()
                .setOrganizationId(organizationId)
                .setQuery(accessQuery(query, userIds))
                .build();
    }
}
