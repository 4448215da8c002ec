package dev.verdict.client;

import dev.verdict.v1.ImportDirectoryRequest;
import dev.verdict.v1.ImportDirectoryResponse;
import dev.verdict.v1.ImportServiceGrpc;

/**
 * Bulk loading: apps, groups and users in one all-or-nothing call, for migrating a directory or seeding a large
 * organization. The {@code verdict.v1.ImportService}. A request whose {@code organization_id} is empty gets the
 * organization the client is bound to. Failures throw a {@link VerdictException}. Thread-safe; get it from
 * {@link VerdictClient#imports()}.
 */
public final class Imports {
    private final Calls calls;
    private final String organizationId;
    private final ImportServiceGrpc.ImportServiceBlockingStub stub;

    Imports(Calls calls, String organizationId) {
        this.calls = calls;
        this.organizationId = organizationId;
        this.stub = calls.stub(ImportServiceGrpc::newBlockingStub);
    }

    /**
     * Creates the request's apps, groups and users with their roles, memberships and external groups, or nothing
     * when any item is refused (the error names the item's field). ({@code verdict.v1.ImportService/ImportDirectory}).
     */
    public ImportDirectoryResponse importDirectory(ImportDirectoryRequest request) {
        return calls.call(organizationId, request, stub::importDirectory);
    }
}
