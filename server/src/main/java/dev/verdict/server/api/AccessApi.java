package dev.verdict.server.api;

import dev.verdict.server.decision.AccessQuery;
import dev.verdict.server.decision.Consistency;
import dev.verdict.server.decision.Decision;
import dev.verdict.server.decision.DecisionEngine;
import dev.verdict.server.decision.Explanation;
import dev.verdict.server.decision.Outcome;
import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.Principal;
import dev.verdict.server.store.DecisionStore;
import dev.verdict.server.store.PageToken;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.BatchCheckAccessRequest;
import dev.verdict.v1.BatchCheckAccessResponse;
import dev.verdict.v1.BatchCheckAccessResult;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.CheckAccessResponse;
import dev.verdict.v1.DenyReason;
import dev.verdict.v1.ExplainAccessRequest;
import dev.verdict.v1.ExplainAccessResponse;
import dev.verdict.v1.GrantPath;
import dev.verdict.v1.ListAccessibleAppsRequest;
import dev.verdict.v1.ListAccessibleAppsResponse;
import dev.verdict.v1.ListUserPermissionsRequest;
import dev.verdict.v1.ListUserPermissionsResponse;
import dev.verdict.v1.ListUsersWithAccessRequest;
import dev.verdict.v1.ListUsersWithAccessResponse;
import dev.verdict.v1.Scope;
import dev.verdict.v1.Target;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code verdict.v1.AccessService}: maps requests to {@link DecisionEngine} and back. CheckAccess and
 * BatchCheckAccess may run on a network thread (see {@code VerdictServer}): they answer from memory there and
 * hand the call to the worker pool only when deciding needs the database. The other RPCs run on workers.
 */
final class AccessApi extends AccessServiceGrpc.AccessServiceImplBase {
    private static final int DEFAULT_PAGE_SIZE = 100;

    private final DecisionEngine engine;
    private final DecisionStore decisions;
    private final int maxBatchItems;
    private final Workers workers;

    AccessApi(DecisionEngine engine, DecisionStore decisions, int maxBatchItems, Workers workers) {
        this.engine = engine;
        this.decisions = decisions;
        this.maxBatchItems = maxBatchItems;
        this.workers = workers;
    }

    @Override
    public void checkAccess(CheckAccessRequest request, StreamObserver<CheckAccessResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        AccessQuery query = query(request.getQuery());
        Consistency consistency = consistency(request.hasConsistency() ? request.getConsistency() : null);
        Decision cached = engine.checkCached(org, query, consistency);
        if (cached != null) {
            Rpc.reply(response, toProto(cached.outcome(), cached.revision()));
            return;
        }
        workers.reply(response, () -> {
            Decision decision = engine.check(org, query, consistency);
            return toProto(decision.outcome(), decision.revision());
        });
    }

    @Override
    public void batchCheckAccess(BatchCheckAccessRequest request, StreamObserver<BatchCheckAccessResponse> response) {
        if (request.getItemsCount() > maxBatchItems) {
            throw DomainException.invalid("items", "at most " + maxBatchItems + " items per call, got "
                    + request.getItemsCount());
        }
        UUID org = UUID.fromString(request.getOrganizationId());
        Consistency consistency = consistency(request.hasConsistency() ? request.getConsistency() : null);
        DecisionEngine.Session cachedSession = engine.cachedSession(org, consistency);
        BatchCheckAccessResponse cached = cachedSession == null ? null : decideAll(cachedSession, request, false);
        if (cached != null) {
            Rpc.reply(response, cached);
            return;
        }
        workers.reply(response, () -> decideAll(engine.session(org, consistency), request, true));
    }

    /** Every item at the session's final revision; null when an item needs the database and !mayLoad. */
    private static BatchCheckAccessResponse decideAll(DecisionEngine.Session session, BatchCheckAccessRequest request,
            boolean mayLoad) {
        int items = request.getItemsCount();
        Outcome[] outcomes = new Outcome[items];
        com.google.rpc.Status[] errors = null; // only once an item cannot be decided
        // A batch mostly asks about one principal: an item naming the same one as the item before reuses its
        // parsed id.
        dev.verdict.v1.Principal previousAsked = null;
        Principal byId = null;
        for (int i = 0; i < items; i++) {
            dev.verdict.v1.AccessQuery asked = request.getItems(i).getQuery();
            if (previousAsked == null || !sameId(asked.getPrincipal(), previousAsked)) {
                byId = principalById(asked.getPrincipal());
            }
            previousAsked = asked.getPrincipal();
            try {
                AccessQuery query = query(asked, byId);
                Outcome outcome = mayLoad ? session.check(query) : session.checkCached(query);
                if (outcome == null) {
                    return null;
                }
                outcomes[i] = outcome;
            } catch (DomainException e) {
                if (errors == null) {
                    errors = new com.google.rpc.Status[items];
                }
                errors[i] = StatusMapper.toStatus(e);
            }
        }
        // Every item is answered at the session's final revision: the newest snapshot any item read. The
        // answers are immutable messages, so items with the same outcome share one.
        long revision = session.revision();
        CheckAccessResponse[] answers = new CheckAccessResponse[Outcome.values().length];
        BatchCheckAccessResponse.Builder reply = BatchCheckAccessResponse.newBuilder()
                .setRevisionToken(Long.toString(revision));
        for (int i = 0; i < items; i++) {
            BatchCheckAccessResult.Builder result = BatchCheckAccessResult.newBuilder()
                    .setCorrelationId(request.getItems(i).getCorrelationId());
            Outcome outcome = outcomes[i];
            if (outcome != null) {
                CheckAccessResponse answer = answers[outcome.ordinal()];
                if (answer == null) {
                    answer = toProto(outcome, revision);
                    answers[outcome.ordinal()] = answer;
                }
                result.setResponse(answer);
            } else {
                result.setError(errors[i]);
            }
            reply.addResults(result);
        }
        return reply.build();
    }

    /** Whether two principals name the same user or API client by the same id text (never for emails). */
    private static boolean sameId(dev.verdict.v1.Principal a, dev.verdict.v1.Principal b) {
        return a.getKindCase() == b.getKindCase() && switch (a.getKindCase()) {
            case USER_ID -> a.getUserId().equals(b.getUserId());
            case API_CLIENT_ID -> a.getApiClientId().equals(b.getApiClientId());
            default -> false;
        };
    }

    @Override
    public void explainAccess(ExplainAccessRequest request, StreamObserver<ExplainAccessResponse> response) {
        DecisionEngine.Session session = engine.session(UUID.fromString(request.getOrganizationId()),
                consistency(request.hasConsistency() ? request.getConsistency() : null));
        Explanation explanation = session.explain(query(request.getQuery()));
        ExplainAccessResponse.Builder reply = ExplainAccessResponse.newBuilder()
                .setDecision(decision(explanation.outcome()))
                .setReason(reason(explanation.outcome()))
                .setExplanation(explanation.sentence())
                .setRevisionToken(Long.toString(explanation.revision()));
        for (Explanation.Path path : explanation.paths()) {
            reply.addPaths(GrantPath.newBuilder()
                    .setAssignmentId(path.assignmentId() == null ? "" : path.assignmentId().toString())
                    .setGroupId(path.groupId() == null ? "" : path.groupId().toString())
                    .setGroupName(Protos.nullToEmpty(path.groupName()))
                    .setViaIdp(Protos.nullToEmpty(path.viaIdp()))
                    .setViaExternalGroup(Protos.nullToEmpty(path.viaExternalGroup()))
                    .setRoleKey(path.roleKey())
                    .setScope(Scope.newBuilder()
                            .setStage(Protos.nullToEmpty(path.stage()))
                            .setAppKey(Protos.nullToEmpty(path.appKey())))
                    .setGrantedPermissionKey(Protos.nullToEmpty(path.grantedPermissionKey()))
                    .addAllGrantedStages(path.grantedStages())
                    .addAllImplicationChain(path.implicationChain()));
        }
        Rpc.reply(response, reply.build());
    }

    @Override
    public void listUserPermissions(ListUserPermissionsRequest request,
            StreamObserver<ListUserPermissionsResponse> response) {
        DecisionEngine.Session session = engine.session(UUID.fromString(request.getOrganizationId()),
                consistency(request.hasConsistency() ? request.getConsistency() : null));
        var principal = request.getPrincipal();
        DecisionEngine.Holdings holdings = session.holdings(principalById(principal), email(principal),
                Protos.emptyToNull(request.getStage()), Protos.emptyToNull(request.getAppKey()));
        Rpc.reply(response, ListUserPermissionsResponse.newBuilder()
                .addAllPermissionKeys(holdings.permissionKeys())
                .addAllRoleKeys(holdings.roleKeys())
                .setRevisionToken(Long.toString(session.revision()))
                .build());
    }

    @Override
    public void listAccessibleApps(ListAccessibleAppsRequest request, StreamObserver<ListAccessibleAppsResponse> response) {
        DecisionEngine.Session session = engine.session(UUID.fromString(request.getOrganizationId()),
                consistency(request.hasConsistency() ? request.getConsistency() : null));
        var principal = request.getPrincipal();
        List<String> apps = session.accessibleApps(principalById(principal), email(principal),
                target(request.getTarget()), request.getStage());
        Rpc.reply(response, ListAccessibleAppsResponse.newBuilder()
                .addAllAppKeys(apps)
                .setRevisionToken(Long.toString(session.revision()))
                .build());
    }

    @Override
    public void listUsersWithAccess(ListUsersWithAccessRequest request,
            StreamObserver<ListUsersWithAccessResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        DecisionEngine.Session session = engine.session(org,
                consistency(request.hasConsistency() ? request.getConsistency() : null));
        String stage = Protos.emptyToNull(request.getStage());
        String app = Protos.emptyToNull(request.getAppKey());
        Set<String> roles = session.rolesGranting(target(request.getTarget()), stage, app);
        int pageSize = PageToken.size(request.getPageSize(), DEFAULT_PAGE_SIZE);
        List<String> after = PageToken.decode(request.getPageToken(), 1);
        UUID afterUser = after == null ? null : pageTokenUser(after.getFirst());
        ListUsersWithAccessResponse.Builder reply = ListUsersWithAccessResponse.newBuilder();
        if (roles != null) {
            DecisionStore.UsersWithRoles users = decisions.usersWithRoles(org, roles, stage, app, afterUser, pageSize + 1);
            session.readAt(users.revision());
            List<UUID> ids = users.userIds();
            List<UUID> page = ids.size() > pageSize ? ids.subList(0, pageSize) : ids;
            page.forEach(id -> reply.addUserIds(id.toString()));
            if (ids.size() > pageSize) {
                reply.setNextPageToken(PageToken.encode(page.getLast().toString()));
            }
        }
        Rpc.reply(response, reply.setRevisionToken(Long.toString(session.revision())).build());
    }

    private static UUID pageTokenUser(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid("page_token", "is not a token this listing issued");
        }
    }

    static Consistency consistency(dev.verdict.v1.Consistency consistency) {
        if (consistency == null) {
            return Consistency.MINIMIZE_LATENCY;
        }
        return switch (consistency.getRequirementCase()) {
            case AT_LEAST_AS_FRESH -> {
                String token = consistency.getAtLeastAsFresh();
                long revision;
                try {
                    revision = Long.parseLong(token);
                } catch (NumberFormatException e) {
                    revision = -1;
                }
                if (revision < 0 || !token.chars().allMatch(Character::isDigit)) {
                    throw DomainException.invalid("consistency.at_least_as_fresh",
                            "must be a revision token from a response");
                }
                yield Consistency.atLeastAsFresh(revision);
            }
            case FULLY_CONSISTENT -> Consistency.FULLY_CONSISTENT;
            case MINIMIZE_LATENCY, REQUIREMENT_NOT_SET -> Consistency.MINIMIZE_LATENCY;
        };
    }

    private static AccessQuery query(dev.verdict.v1.AccessQuery query) {
        return query(query, principalById(query.getPrincipal()));
    }

    /** {@code query} with its principal's id already parsed ({@code byId}, null for an email). */
    private static AccessQuery query(dev.verdict.v1.AccessQuery query, Principal byId) {
        return new AccessQuery(byId, email(query.getPrincipal()), target(query.getTarget()),
                Protos.emptyToNull(query.getStage()), Protos.emptyToNull(query.getAppKey()));
    }

    private static Principal principalById(dev.verdict.v1.Principal principal) {
        return switch (principal.getKindCase()) {
            case USER_ID -> Principal.user(UUID.fromString(principal.getUserId()));
            case API_CLIENT_ID -> Principal.apiClient(UUID.fromString(principal.getApiClientId()));
            default -> null;
        };
    }

    private static String email(dev.verdict.v1.Principal principal) {
        return principal.getKindCase() == dev.verdict.v1.Principal.KindCase.USER_EMAIL ? principal.getUserEmail() : null;
    }

    private static AccessQuery.Target target(Target target) {
        return target.getKindCase() == Target.KindCase.ROLE_KEY
                ? AccessQuery.Target.role(target.getRoleKey())
                : AccessQuery.Target.permission(target.getPermissionKey());
    }

    private static CheckAccessResponse toProto(Outcome outcome, long revision) {
        return CheckAccessResponse.newBuilder()
                .setDecision(decision(outcome))
                .setReason(reason(outcome))
                .setRevisionToken(Long.toString(revision))
                .build();
    }

    private static dev.verdict.v1.Decision decision(Outcome outcome) {
        return outcome.allowed() ? dev.verdict.v1.Decision.DECISION_ALLOWED : dev.verdict.v1.Decision.DECISION_DENIED;
    }

    private static DenyReason reason(Outcome outcome) {
        return switch (outcome) {
            case ALLOWED -> DenyReason.DENY_REASON_UNSPECIFIED;
            case NO_GRANT -> DenyReason.DENY_REASON_NO_GRANT;
            case PRINCIPAL_INACTIVE -> DenyReason.DENY_REASON_PRINCIPAL_INACTIVE;
            case PRINCIPAL_NOT_FOUND -> DenyReason.DENY_REASON_PRINCIPAL_NOT_FOUND;
            case APP_NOT_FOUND -> DenyReason.DENY_REASON_APP_NOT_FOUND;
        };
    }
}
