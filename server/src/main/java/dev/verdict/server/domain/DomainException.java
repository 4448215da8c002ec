package dev.verdict.server.domain;

import java.util.List;

/**
 * A failure the caller can act on, in the domain's words. {@code api.StatusMapper} is the one place that
 * turns these into gRPC statuses; anything else thrown is an internal fault and is never shown to callers.
 */
public abstract sealed class DomainException extends RuntimeException {

    private DomainException(String message) {
        super(message, null, false, false);
    }

    /** One bad field of a request: its path as the caller wrote it (e.g. {@code role.grants[1].stages}). */
    public record FieldViolation(String field, String description) {}

    public static InvalidArgument invalid(String field, String description) {
        return new InvalidArgument(List.of(new FieldViolation(field, description)));
    }

    public static NotFound notFound(String resourceType, String resourceName) {
        return new NotFound(resourceType, resourceName);
    }

    public static AlreadyExists alreadyExists(String resourceType, String resourceName) {
        return new AlreadyExists(resourceType, resourceName);
    }

    public static FailedPrecondition failedPrecondition(String type, String subject, String description) {
        return new FailedPrecondition(type, subject, description);
    }

    /** The request is malformed or names something unknown where a known value is required. */
    public static final class InvalidArgument extends DomainException {
        private final List<FieldViolation> violations;

        public InvalidArgument(List<FieldViolation> violations) {
            super(violations.getFirst().field() + ": " + violations.getFirst().description());
            this.violations = List.copyOf(violations);
        }

        public List<FieldViolation> violations() {
            return violations;
        }
    }

    /** The named resource does not exist in the caller's organization. */
    public static final class NotFound extends DomainException {
        private final String resourceType;
        private final String resourceName;

        NotFound(String resourceType, String resourceName) {
            super(resourceType + " " + resourceName + " not found");
            this.resourceType = resourceType;
            this.resourceName = resourceName;
        }

        public String resourceType() {
            return resourceType;
        }

        public String resourceName() {
            return resourceName;
        }
    }

    /** A resource with the same identity already exists. */
    public static final class AlreadyExists extends DomainException {
        private final String resourceType;
        private final String resourceName;

        AlreadyExists(String resourceType, String resourceName) {
            super(resourceType + " " + resourceName + " already exists");
            this.resourceType = resourceType;
            this.resourceName = resourceName;
        }

        public String resourceType() {
            return resourceType;
        }

        public String resourceName() {
            return resourceName;
        }
    }

    /**
     * The request is well-formed but the state forbids it (a built-in role, a group's stage, a non-empty group).
     * {@code type} is a short upper-case code such as {@code BUILT_IN} or {@code NOT_EMPTY}.
     */
    public static final class FailedPrecondition extends DomainException {
        private final String type;
        private final String subject;
        private final String description;

        FailedPrecondition(String type, String subject, String description) {
            super(description);
            this.type = type;
            this.subject = subject;
            this.description = description;
        }

        public String type() {
            return type;
        }

        public String subject() {
            return subject;
        }

        public String description() {
            return description;
        }
    }

    /** The call carries no valid credentials; deliberately says nothing about which part was wrong. */
    public static final class Unauthenticated extends DomainException {
        public Unauthenticated() {
            super("missing or invalid credentials");
        }
    }

    /**
     * The caller is known but may not do this; {@code permissions} names every permission it lacks (empty when
     * no permission would allow the call).
     */
    public static final class PermissionDenied extends DomainException {
        private final List<String> permissions;

        public PermissionDenied(String message, List<String> permissions) {
            super(message);
            this.permissions = List.copyOf(permissions);
        }

        /** The first missing permission, or null when no permission would allow the call. */
        public String permission() {
            return permissions.isEmpty() ? null : permissions.getFirst();
        }

        /** Every missing permission, in the order of the RPC's rule; empty when no permission would allow it. */
        public List<String> permissions() {
            return permissions;
        }
    }

    /**
     * The caller used up a resource the server bounds for it, e.g. a change stream it read too slowly; the
     * message says how to carry on.
     */
    public static final class ResourceExhausted extends DomainException {
        public ResourceExhausted(String message) {
            super(message);
        }
    }

    /** The database cannot be reached; the caller may retry. */
    public static final class Unavailable extends DomainException {
        public Unavailable(String message) {
            super(message);
        }
    }
}
