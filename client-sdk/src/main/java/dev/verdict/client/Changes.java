package dev.verdict.client;

import java.util.Iterator;
import dev.verdict.v1.ChangeServiceGrpc;
import dev.verdict.v1.ListChangesRequest;
import dev.verdict.v1.ListChangesResponse;
import dev.verdict.v1.WatchChangesRequest;
import dev.verdict.v1.WatchChangesResponse;

/**
 * The change log of an organization: every committed write, in order, one revision each. The {@code verdict.v1.ChangeService}, one method per RPC taking and returning the generated
 * messages. A request whose {@code organization_id} is empty gets the organization the client is bound to. Failures throw a {@link VerdictException}. Thread-safe; get it from
 * {@link VerdictClient#changes()}.
 */
public final class Changes {
    private final Calls calls;
    private final String organizationId;
    private final ChangeServiceGrpc.ChangeServiceBlockingStub stub;

    Changes(Calls calls, String organizationId) {
        this.calls = calls;
        this.organizationId = organizationId;
        this.stub = calls.stub(ChangeServiceGrpc::newBlockingStub);
    }

    /** Lists changes after a revision, oldest first. ({@code verdict.v1.ChangeService/ListChanges}). */
    public ListChangesResponse listChanges(ListChangesRequest request) {
        return calls.call(organizationId, request, stub::listChanges);
    }

    /**
     * Streams changes after a revision, oldest first, then every new change as it commits. ({@code verdict.v1.ChangeService/WatchChanges}). A stream has no default deadline; read it on a thread of
     * your own and cancel it with a {@link io.grpc.Context} or by closing the client. A reader that falls more than
     * 1,000 new changes behind is ended by the server with {@code RESOURCE_EXHAUSTED}: watch again with
     * {@code after_revision} set to the last revision it read.
     */
    public Iterator<WatchChangesResponse> watchChanges(WatchChangesRequest request) {
        return calls.stream(organizationId, request, stub::watchChanges);
    }
}
