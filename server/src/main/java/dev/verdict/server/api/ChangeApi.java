package dev.verdict.server.api;

import dev.verdict.server.changes.ChangeFeed;
import dev.verdict.server.domain.Change;
import dev.verdict.server.store.ChangeStore;
import dev.verdict.server.store.PageToken;
import dev.verdict.v1.ChangeServiceGrpc;
import dev.verdict.v1.ListChangesRequest;
import dev.verdict.v1.ListChangesResponse;
import dev.verdict.v1.WatchChangesRequest;
import dev.verdict.v1.WatchChangesResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.UUID;

/** {@code verdict.v1.ChangeService}: the change log, listed from the database and watched through the feed. */
final class ChangeApi extends ChangeServiceGrpc.ChangeServiceImplBase {
    private static final int DEFAULT_PAGE_SIZE = 100;

    private final ChangeStore changes;
    private final ChangeFeed feed;

    ChangeApi(ChangeStore changes, ChangeFeed feed) {
        this.changes = changes;
        this.feed = feed;
    }

    @Override
    public void listChanges(ListChangesRequest request, StreamObserver<ListChangesResponse> response) {
        ChangeStore.ChangePage page = changes.list(UUID.fromString(request.getOrganizationId()),
                request.getAfterRevision(), PageToken.size(request.getPageSize(), DEFAULT_PAGE_SIZE));
        Rpc.reply(response, ListChangesResponse.newBuilder()
                .addAllChanges(page.changes().stream().map(ChangeApi::toProto).toList())
                .setLatestRevision(page.latestRevision())
                .build());
    }

    /**
     * Subscribes to the feed first, then sends the backlog from the database, then the feed's changes after
     * the last one sent: in order, without gaps or duplicates, until the client cancels, and only as fast as
     * the client reads ({@link ChangeWatch}: a bounded queue drained when the call is ready; a live watcher
     * that falls further behind is closed with RESOURCE_EXHAUSTED). The handler returns once the first part
     * of the backlog is queued; the rest is read as the client takes it.
     */
    @Override
    public void watchChanges(WatchChangesRequest request, StreamObserver<WatchChangesResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        ServerCallStreamObserver<WatchChangesResponse> call = (ServerCallStreamObserver<WatchChangesResponse>) response;
        ChangeWatch watch = new ChangeWatch(org, request.getAfterRevision(), call, changes::after, ChangeWatch.MAX_QUEUED);
        Runnable unsubscribe = feed.subscribe(watch);
        watch.onClose(unsubscribe);
        call.setOnCancelHandler(watch::onCancel);
        call.setOnReadyHandler(watch::onReady);
        try {
            feed.follow(org); // NOT_FOUND for an unknown organization
        } catch (RuntimeException e) {
            unsubscribe.run();
            throw e;
        }
        watch.readBacklog();
    }

    static dev.verdict.v1.Change toProto(Change change) {
        return dev.verdict.v1.Change.newBuilder()
                .setRevision(change.revision())
                .setRevisionToken(Long.toString(change.revision()))
                .setResourceType(change.resourceType())
                .setResourceId(change.resourceId())
                .setAction(change.action())
                .setCommitTime(Protos.timestamp(change.commitTime()))
                .build();
    }
}
