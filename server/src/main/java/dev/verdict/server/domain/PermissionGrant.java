package dev.verdict.server.domain;

import java.util.List;

/** One permission of a role, in the listed stages, or in every stage when {@code stages} is empty. */
public record PermissionGrant(String permissionKey, List<String> stages) {
    public boolean allStages() {
        return stages.isEmpty();
    }
}
