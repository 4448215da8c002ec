package dev.verdict.server.domain;

import java.util.List;
import java.util.UUID;

/**
 * The raw grants of one principal, read in one snapshot at {@code revision}: whether it exists and may be
 * allowed anything, and every grant it holds, each with the path it comes from.
 */
public record PrincipalGrants(long revision, Standing standing, List<Grant> grants) {

    /** Whether the principal exists and is an ACTIVE user or an enabled API client. */
    public enum Standing { ACTIVE, INACTIVE, NOT_FOUND }

    public static PrincipalGrants notFound(long revision) {
        return new PrincipalGrants(revision, Standing.NOT_FOUND, List.of());
    }

    /**
     * A role held in a scope; a null stage or app means every stage or app. It comes from an assignment
     * ({@code assignmentId}) or from a group ({@code group}).
     */
    public record Grant(String roleKey, String stage, String appKey, UUID assignmentId, GroupPath group) {}

    /**
     * How a user is in a group: directly ({@code idp} null) or through the IdP mapping
     * ({@code idp}, {@code externalGroup}).
     */
    public record GroupPath(UUID groupId, String name, String idp, String externalGroup) {}
}
