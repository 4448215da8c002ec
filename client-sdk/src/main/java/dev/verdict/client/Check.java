package dev.verdict.client;

import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.Target;
import java.util.Objects;

/**
 * An access question being written, first step: the principal is chosen, now say what for. Immutable: every
 * method returns a new step, so a partial question can be kept and reused.
 *
 * <pre>{@code
 * client.check(Principal.user(id)).can("app.deploy").in("production", "sales");   // an APP-level permission
 * client.check(Principal.user(id)).can("deployment.promote").inStage("qa");       // a STAGE-level permission
 * client.check(Principal.user(id)).can("users.manage").orgWide();                 // an ORGANIZATION one
 * client.check(Principal.user(id)).hasRole("sales_viewer").in("production", "sales");
 * client.check(Principal.user(id)).atLeastAsFresh(revision).can("app.view").in("qa", "sales");
 * }</pre>
 *
 * @param <R> what answering gives: a {@link Decision}, a {@code boolean}, an explanation, or the batch
 */
public final class Check<R> {
    private final Principal principal;
    private final Consistency consistency;
    private final Asker<R> asker;

    Check(Principal principal, Consistency consistency, Asker<R> asker) {
        this.principal = Objects.requireNonNull(principal, "principal");
        this.consistency = consistency;
        this.asker = asker;
    }

    /** Asks whether the principal holds a permission (key such as {@code app.deploy}, implications included). */
    public Where<R> can(String permissionKey) {
        return new Where<>(principal, Target.newBuilder().setPermissionKey(key(permissionKey)).build(), consistency, asker);
    }

    /** Asks whether the principal holds a role (key such as {@code sales_viewer}). */
    public Where<R> hasRole(String roleKey) {
        return new Where<>(principal, Target.newBuilder().setRoleKey(key(roleKey)).build(), consistency, asker);
    }

    /** Requires the answer to be made at {@code revision} or newer (read-your-writes). */
    public Check<R> atLeastAsFresh(Revision revision) {
        return new Check<>(principal, Consistencies.atLeastAsFresh(revision), asker);
    }

    /** Requires the answer to be made against the database now, bypassing caches (slower). */
    public Check<R> fullyConsistent() {
        return new Check<>(principal, Consistencies.FULLY_CONSISTENT, asker);
    }

    /** Accepts an answer from the cache with bounded staleness (the server's default). */
    public Check<R> minimizeLatency() {
        return new Check<>(principal, Consistencies.MINIMIZE_LATENCY, asker);
    }

    private static String key(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isBlank()) {
            throw new IllegalArgumentException("a permission or role key must not be blank");
        }
        return key;
    }

    /**
     * An access question being written, last step: say where, which asks it. Which of the three fits is fixed by
     * the permission's level: {@link #in} for APP permissions and end-user roles, {@link #inStage} for STAGE
     * permissions and organization roles, {@link #orgWide} for ORGANIZATION permissions.
     *
     * @param <R> what answering gives
     */
    public static final class Where<R> {
        private final Principal principal;
        private final Target target;
        private final Consistency consistency;
        private final Asker<R> asker;

        Where(Principal principal, Target target, Consistency consistency, Asker<R> asker) {
            this.principal = principal;
            this.target = target;
            this.consistency = consistency;
            this.asker = asker;
        }

        /** Asks the question for one app in one stage. */
        public R in(String stage, String appKey) {
            return asker.ask(query().setStage(place(stage, "stage")).setAppKey(place(appKey, "appKey")).build(),
                    consistency);
        }

        /** Asks the question for a stage (every app in it). */
        public R inStage(String stage) {
            return asker.ask(query().setStage(place(stage, "stage")).build(), consistency);
        }

        /** Asks the question for the organization as a whole (no stage, no app). */
        public R orgWide() {
            return asker.ask(query().build(), consistency);
        }

        /** Requires the answer to be made at {@code revision} or newer (read-your-writes). */
        public Where<R> atLeastAsFresh(Revision revision) {
            return new Where<>(principal, target, Consistencies.atLeastAsFresh(revision), asker);
        }

        /** Requires the answer to be made against the database now, bypassing caches (slower). */
        public Where<R> fullyConsistent() {
            return new Where<>(principal, target, Consistencies.FULLY_CONSISTENT, asker);
        }

        /** Accepts an answer from the cache with bounded staleness (the server's default). */
        public Where<R> minimizeLatency() {
            return new Where<>(principal, target, Consistencies.MINIMIZE_LATENCY, asker);
        }

        private AccessQuery.Builder query() {
            return AccessQuery.newBuilder().setPrincipal(principal.toProto()).setTarget(target);
        }

        private static String place(String value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be blank");
            }
            return value;
        }
    }

    /** Answers a finished question; {@code consistency} is null when the caller did not choose one. */
    @FunctionalInterface
    interface Asker<R> {
        R ask(AccessQuery query, Consistency consistency);
    }
}
