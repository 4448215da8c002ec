package dev.verdict.server.domain;

import java.util.List;

/**
 * A bulk import: apps, then groups, then users that may join those groups (or existing ones) by name. It is
 * written in one transaction, all or nothing.
 */
public record DirectoryImport(List<App> apps, List<ImportedGroup> groups, List<ImportedUser> users) {
    public DirectoryImport {
        apps = List.copyOf(apps);
        groups = List.copyOf(groups);
        users = List.copyOf(users);
    }

    /** A group to create, with its end-user role grants and IdP mappings. */
    public record ImportedGroup(String name, String description, String stage, List<GroupRoleGrant> roleGrants,
            List<IdpMapping> idpMappings) {}

    /** A role assignment of an imported user; a null stage or app means every one. */
    public record ImportedAssignment(String roleKey, String stage, String appKey) {}

    /** A user to create, with its status, roles, groups (by name), identities and external groups. */
    public record ImportedUser(String email, String displayName, UserStatus status, Classification classification,
            List<ImportedAssignment> assignments, List<String> groupNames, List<ExternalIdentity> externalIdentities,
            List<IdpMapping> externalGroups) {}

    /** What an import created, in the order of the request. */
    public record Result(List<java.util.UUID> groupIds, List<java.util.UUID> userIds) {}
}
