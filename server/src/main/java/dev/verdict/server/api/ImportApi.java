package dev.verdict.server.api;

import dev.verdict.server.domain.App;
import dev.verdict.server.domain.Classification;
import dev.verdict.server.domain.DirectoryImport;
import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.ExternalIdentity;
import dev.verdict.server.domain.GroupRoleGrant;
import dev.verdict.server.domain.IdpMapping;
import dev.verdict.server.domain.UserStatus;
import dev.verdict.server.domain.Written;
import dev.verdict.server.store.ImportStore;
import dev.verdict.v1.ImportDirectoryRequest;
import dev.verdict.v1.ImportDirectoryResponse;
import dev.verdict.v1.ImportServiceGrpc;
import dev.verdict.v1.ImportedApp;
import dev.verdict.v1.ImportedGroup;
import dev.verdict.v1.ImportedUser;
import dev.verdict.v1.UserClassification;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;

/** {@code verdict.v1.ImportService}: maps requests to {@link ImportStore} and back. */
final class ImportApi extends ImportServiceGrpc.ImportServiceImplBase {
    private final ImportStore imports;
    private final Idempotency idempotency;

    ImportApi(ImportStore imports, Idempotency idempotency) {
        this.imports = imports;
        this.idempotency = idempotency;
    }

    @Override
    public void importDirectory(ImportDirectoryRequest request, StreamObserver<ImportDirectoryResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        DirectoryImport directory = new DirectoryImport(
                indexed(request.getAppsList(), ImportApi::toDomain),
                indexed(request.getGroupsList(), ImportApi::toDomain),
                indexed(request.getUsersList(), ImportApi::toDomain));
        Rpc.reply(response, idempotency.once(org, request.getRequestId(), "ImportDirectory",
                ImportDirectoryResponse.parser(), () -> {
                    Written<DirectoryImport.Result> imported = imports.importDirectory(org, directory);
                    return ImportDirectoryResponse.newBuilder()
                            .addAllGroupIds(imported.value().groupIds().stream().map(UUID::toString).toList())
                            .addAllUserIds(imported.value().userIds().stream().map(UUID::toString).toList())
                            .setRevisionToken(imported.revisionToken())
                            .build();
                }));
    }

    private static <P, D> List<D> indexed(List<P> items, BiFunction<P, Integer, D> convert) {
        List<D> converted = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            converted.add(convert.apply(items.get(i), i));
        }
        return converted;
    }

    private static App toDomain(ImportedApp app, int i) {
        String name = app.getDisplayName().strip();
        return new App(app.getAppKey(), name.isEmpty() ? app.getAppKey() : name, "");
    }

    private static DirectoryImport.ImportedGroup toDomain(ImportedGroup group, int i) {
        return new DirectoryImport.ImportedGroup(
                name(group.getName(), "groups[" + i + "].name"),
                group.getDescription(),
                group.getStage(),
                group.getRoleGrantsList().stream().map(g -> new GroupRoleGrant(g.getRoleKey(), g.getAppKey())).toList(),
                group.getIdpMappingsList().stream().map(m -> new IdpMapping(m.getIdp(), m.getExternalGroup())).toList());
    }

    private static DirectoryImport.ImportedUser toDomain(ImportedUser user, int i) {
        String email = user.getEmail().strip();
        String displayName = user.getDisplayName().strip();
        List<String> groupNames = new ArrayList<>();
        for (int j = 0; j < user.getGroupNamesCount(); j++) {
            groupNames.add(name(user.getGroupNames(j), "users[" + i + "].group_names[" + j + "]"));
        }
        return new DirectoryImport.ImportedUser(
                email,
                displayName.isEmpty() ? email : displayName,
                switch (user.getStatus()) {
                    case USER_STATUS_ACTIVE -> UserStatus.ACTIVE;
                    case USER_STATUS_DEACTIVATED -> UserStatus.DEACTIVATED;
                    default -> UserStatus.INVITED;
                },
                user.getClassification() == UserClassification.USER_CLASSIFICATION_EXTERNAL
                        ? Classification.EXTERNAL : Classification.INTERNAL,
                user.getAssignmentsList().stream()
                        .map(a -> new DirectoryImport.ImportedAssignment(a.getRoleKey(),
                                Protos.emptyToNull(a.getStage()), Protos.emptyToNull(a.getAppKey())))
                        .toList(),
                groupNames,
                user.getExternalIdentitiesList().stream().map(e -> new ExternalIdentity(e.getIdp(), e.getSubject())).toList(),
                user.getExternalGroupsList().stream().map(g -> new IdpMapping(g.getIdp(), g.getExternalGroup())).toList());
    }

    /** Group names are compared without surrounding spaces. */
    private static String name(String value, String field) {
        String name = value.strip();
        if (name.isEmpty()) {
            throw DomainException.invalid(field, "must not be blank");
        }
        return name;
    }
}
