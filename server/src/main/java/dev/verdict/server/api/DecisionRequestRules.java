package dev.verdict.server.api;

import dev.verdict.server.domain.DomainException.FieldViolation;
import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.BatchCheckAccessItem;
import dev.verdict.v1.BatchCheckAccessRequest;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.Principal;
import dev.verdict.v1.Target;
import java.util.ArrayList;
import java.util.List;

/**
 * The protovalidate rules of CheckAccessRequest and BatchCheckAccessRequest (access.proto, common.proto),
 * written out by hand: on the decision path protovalidate's general evaluator costs more than everything
 * else in a check together. The protos stay the specification: DecisionRequestRulesTest compares these
 * checks with protovalidate's on random and mutated requests, field path by field path. Like
 * {@link RequestValidator}, a string holding a NUL character is refused too.
 */
final class DecisionRequestRules {
    private static final int KEY_MAX = 100;
    private static final int SLUG_MAX = 63;

    private DecisionRequestRules() {}

    static List<FieldViolation> violations(CheckAccessRequest request) {
        return valid(request) ? List.of() : named(request);
    }

    // The valid* predicates decide; the named methods below say why, building field paths only for a refusal.

    static boolean valid(CheckAccessRequest request) {
        return isUuid(request.getOrganizationId()) && request.hasQuery() && valid(request.getQuery())
                && (!request.hasConsistency() || valid(request.getConsistency()));
    }

    static boolean valid(BatchCheckAccessRequest request) {
        int items = request.getItemsCount();
        if (!isUuid(request.getOrganizationId()) || items < 1 || items > 10_000
                || (request.hasConsistency() && !valid(request.getConsistency()))) {
            return false;
        }
        for (int i = 0; i < items; i++) {
            BatchCheckAccessItem item = request.getItems(i);
            String correlation = item.getCorrelationId();
            if ((correlation.length() > 100 && length(correlation) > 100) || hasNul(correlation) || !item.hasQuery()
                    || !valid(item.getQuery())) {
                return false;
            }
        }
        return true;
    }

    private static boolean valid(AccessQuery query) {
        return query.hasPrincipal() && valid(query.getPrincipal()) && query.hasTarget() && valid(query.getTarget())
                && (query.getStage().isEmpty() || isSlug(query.getStage()))
                && (query.getAppKey().isEmpty() || isSlug(query.getAppKey()));
    }

    private static boolean valid(Principal principal) {
        return switch (principal.getKindCase()) {
            case USER_ID -> isUuid(principal.getUserId());
            case API_CLIENT_ID -> isUuid(principal.getApiClientId());
            case USER_EMAIL -> {
                int length = length(principal.getUserEmail());
                yield !hasNul(principal.getUserEmail()) && length >= 3 && length <= 320;
            }
            case KIND_NOT_SET -> false;
        };
    }

    private static boolean valid(Target target) {
        return switch (target.getKindCase()) {
            case PERMISSION_KEY -> isKey(target.getPermissionKey());
            case ROLE_KEY -> isKey(target.getRoleKey());
            case KIND_NOT_SET -> false;
        };
    }

    private static boolean valid(Consistency consistency) {
        if (consistency.getRequirementCase() != Consistency.RequirementCase.AT_LEAST_AS_FRESH) {
            return true;
        }
        int length = length(consistency.getAtLeastAsFresh());
        return !hasNul(consistency.getAtLeastAsFresh()) && length >= 1 && length <= 40;
    }

    /** Every violation, each naming its field: only for a request that is refused. */
    private static List<FieldViolation> named(CheckAccessRequest request) {
        List<FieldViolation> violations = new ArrayList<>(0);
        uuid(request.getOrganizationId(), "organization_id", violations);
        if (request.hasQuery()) {
            query(request.getQuery(), "query.", violations);
        } else {
            violations.add(required("query"));
        }
        if (request.hasConsistency()) {
            consistency(request.getConsistency(), violations);
        }
        return violations;
    }

    static List<FieldViolation> violations(BatchCheckAccessRequest request) {
        return valid(request) ? List.of() : named(request);
    }

    /** Every violation, each naming its field: only for a request that is refused. */
    private static List<FieldViolation> named(BatchCheckAccessRequest request) {
        List<FieldViolation> violations = new ArrayList<>(0);
        uuid(request.getOrganizationId(), "organization_id", violations);
        int items = request.getItemsCount();
        if (items < 1 || items > 10_000) {
            violations.add(new FieldViolation("items", "value must contain between 1 and 10000 items"));
        }
        for (int i = 0; i < items; i++) {
            BatchCheckAccessItem item = request.getItems(i);
            String prefix = "items[" + i + "].";
            String correlation = item.getCorrelationId();
            nul(correlation, prefix + "correlation_id", violations);
            if (length(correlation) > 100) {
                violations.add(tooLong(prefix + "correlation_id", 100));
            }
            if (item.hasQuery()) {
                query(item.getQuery(), prefix + "query.", violations);
            } else {
                violations.add(required(prefix + "query"));
            }
        }
        if (request.hasConsistency()) {
            consistency(request.getConsistency(), violations);
        }
        return violations;
    }

    private static void query(AccessQuery query, String prefix, List<FieldViolation> violations) {
        if (query.hasPrincipal()) {
            principal(query.getPrincipal(), prefix + "principal.", violations);
        } else {
            violations.add(required(prefix + "principal"));
        }
        if (query.hasTarget()) {
            target(query.getTarget(), prefix + "target.", violations);
        } else {
            violations.add(required(prefix + "target"));
        }
        slug(query.getStage(), prefix + "stage", violations);
        slug(query.getAppKey(), prefix + "app_key", violations);
    }

    private static void principal(Principal principal, String prefix, List<FieldViolation> violations) {
        switch (principal.getKindCase()) {
            case USER_ID -> uuid(principal.getUserId(), prefix + "user_id", violations);
            case API_CLIENT_ID -> uuid(principal.getApiClientId(), prefix + "api_client_id", violations);
            case USER_EMAIL -> {
                String email = principal.getUserEmail();
                nul(email, prefix + "user_email", violations);
                int length = length(email);
                if (length < 3) {
                    violations.add(new FieldViolation(prefix + "user_email", "value length must be at least 3 characters"));
                } else if (length > 320) {
                    violations.add(tooLong(prefix + "user_email", 320));
                }
            }
            case KIND_NOT_SET -> violations.add(new FieldViolation(prefix + "kind", "exactly one field is required in oneof"));
        }
    }

    private static void target(Target target, String prefix, List<FieldViolation> violations) {
        switch (target.getKindCase()) {
            case PERMISSION_KEY -> key(target.getPermissionKey(), prefix + "permission_key", violations);
            case ROLE_KEY -> key(target.getRoleKey(), prefix + "role_key", violations);
            case KIND_NOT_SET -> violations.add(new FieldViolation(prefix + "kind", "exactly one field is required in oneof"));
        }
    }

    private static void consistency(Consistency consistency, List<FieldViolation> violations) {
        if (consistency.getRequirementCase() == Consistency.RequirementCase.AT_LEAST_AS_FRESH) {
            String token = consistency.getAtLeastAsFresh();
            String field = "consistency.at_least_as_fresh";
            nul(token, field, violations);
            int length = length(token);
            if (length < 1) {
                violations.add(new FieldViolation(field, "value length must be at least 1 characters"));
            } else if (length > 40) {
                violations.add(tooLong(field, 40));
            }
        }
    }

    /** A permission or role key: {@code ^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$}, at most 100 characters. */
    private static void key(String value, String field, List<FieldViolation> violations) {
        nul(value, field, violations);
        if (length(value) > KEY_MAX) {
            violations.add(tooLong(field, KEY_MAX));
        }
        if (!matchesKey(value)) {
            violations.add(new FieldViolation(field,
                    "value does not match regex pattern `^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$`"));
        }
    }

    private static boolean isKey(String value) {
        // A match is ASCII without NUL, so its length in code points is its length(): one pass, not three.
        return value.length() <= KEY_MAX && matchesKey(value);
    }

    private static boolean matchesKey(String value) {
        boolean matches = !value.isEmpty();
        boolean segmentStart = true;
        for (int i = 0; i < value.length() && matches; i++) {
            char c = value.charAt(i);
            if (segmentStart) {
                matches = c >= 'a' && c <= 'z';
                segmentStart = false;
            } else if (c == '.') {
                segmentStart = true;
            } else {
                matches = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
            }
        }
        return matches && !segmentStart;
    }

    /** A stage or app key, unless empty: {@code ^[a-z][a-z0-9_-]*$}, at most 63 characters. */
    private static void slug(String value, String field, List<FieldViolation> violations) {
        if (value.isEmpty()) {
            return;
        }
        nul(value, field, violations);
        if (length(value) > SLUG_MAX) {
            violations.add(tooLong(field, SLUG_MAX));
        }
        if (!matchesSlug(value)) {
            violations.add(new FieldViolation(field, "value does not match regex pattern `^[a-z][a-z0-9_-]*$`"));
        }
    }

    private static boolean isSlug(String value) {
        return value.length() <= SLUG_MAX && matchesSlug(value);
    }

    private static boolean matchesSlug(String value) {
        boolean matches = !value.isEmpty() && value.charAt(0) >= 'a' && value.charAt(0) <= 'z';
        for (int i = 1; i < value.length() && matches; i++) {
            char c = value.charAt(i);
            matches = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        }
        return matches;
    }

    /** A UUID in its 8-4-4-4-12 hexadecimal form, either case. */
    private static void uuid(String value, String field, List<FieldViolation> violations) {
        nul(value, field, violations);
        if (!isUuid(value)) {
            violations.add(new FieldViolation(field, value.isEmpty() ? "value is empty, which is not a valid UUID"
                    : "value must be a valid UUID"));
        }
    }

    private static boolean isUuid(String value) {
        if (value.length() != 36 || value.charAt(8) != '-' || value.charAt(13) != '-' || value.charAt(18) != '-'
                || value.charAt(23) != '-') {
            return false;
        }
        // Every other character hexadecimal; '-' passes the table too, but only where checked above (4 of them).
        int dashes = 0;
        for (int i = 0; i < 36; i++) {
            char c = value.charAt(i);
            if (c >= 128 || !HEX_OR_DASH[c]) {
                return false;
            }
            dashes += c == '-' ? 1 : 0;
        }
        return dashes == 4;
    }

    private static final boolean[] HEX_OR_DASH = new boolean[128];

    static {
        for (char c : "0123456789abcdefABCDEF-".toCharArray()) {
            HEX_OR_DASH[c] = true;
        }
    }

    private static boolean hasNul(String value) {
        return value.indexOf('\u0000') >= 0;
    }

    private static void nul(String value, String field, List<FieldViolation> violations) {
        if (hasNul(value)) {
            violations.add(new FieldViolation(field, "must not contain a NUL character"));
        }
    }

    /** Length in characters (code points), as protovalidate counts. */
    private static int length(String value) {
        return value.codePointCount(0, value.length());
    }

    private static FieldViolation required(String field) {
        return new FieldViolation(field, "value is required");
    }

    private static FieldViolation tooLong(String field, int max) {
        return new FieldViolation(field, "value length must be at most " + max + " characters");
    }
}
