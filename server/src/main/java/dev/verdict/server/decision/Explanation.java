package dev.verdict.server.decision;

import java.util.List;
import java.util.UUID;

/** A decision with every path that grants it (empty for a deny) and a sentence for people. */
public record Explanation(Outcome outcome, List<Path> paths, String sentence, long revision) {

    /**
     * One granting path: an assignment or a group (directly or via an IdP mapping), the role, the grant's
     * scope, and for a permission target the permission the role grants (in {@code grantedStages}, empty
     * for every stage) with its implication chain to the target.
     */
    public record Path(
            UUID assignmentId,
            UUID groupId,
            String groupName,
            String viaIdp,
            String viaExternalGroup,
            String roleKey,
            String stage,
            String appKey,
            String grantedPermissionKey,
            List<String> grantedStages,
            List<String> implicationChain) {}
}
