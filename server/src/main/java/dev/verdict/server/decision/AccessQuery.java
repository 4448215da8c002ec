package dev.verdict.server.decision;

import dev.verdict.server.domain.Principal;

/**
 * One question: who (by id, or a user by email), what (a permission or a role key) and where (stage and app,
 * null when absent).
 */
public record AccessQuery(Principal principal, String userEmail, Target target, String stage, String appKey) {

    /** A permission key or a role key. */
    public record Target(boolean role, String key) {
        public static Target permission(String key) {
            return new Target(false, key);
        }

        public static Target role(String key) {
            return new Target(true, key);
        }
    }
}
