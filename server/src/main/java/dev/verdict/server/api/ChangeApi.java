package dev.verdict.server.api;

import dev.verdict.server.changes.ChangeFeed;
import dev.verdict.server.domain.Change;
import dev.verdict.server.domain.DomainException;
import dev.verdict.server.store.ChangeStore;
import dev.verdict.server.store.PageToken;
import dev.verdict.v1.ChangeServiceGrpc;
import dev.verdict.v1.ListChangesRequest;
import dev.verdict.v1.ListChangesResponse;
import dev.verdict.v1.WatchChangesRequest;
import dev.verdict.v1.WatchChangesResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** {@code verdict.v1.ChangeService}: the change log, listed from the database and watched through the feed. */
final class ChangeApi extends ChangeServiceGrpc.ChangeServiceImplBase {
    private static final int DEFAULT_PAGE_SIZE = 100;
    private static final int BACKLOG_BATCH = 500;

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
     * Subscribes to the feed first (buffering), then sends the backlog from the database, then the buffered
     * and live changes after the last one sent: in order, without gaps or duplicates, until the client
     * cancels. The handler returns once the backlog is sent; live changes are sent from the feed.
     */
    @Override
    public void watchChanges(WatchChangesRequest request, StreamObserver<WatchChangesResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        ServerCallStreamObserver<WatchChangesResponse> call = (ServerCallStreamObserver<WatchChangesResponse>) response;
        Watch watch = new Watch(org, call, request.getAfterRevision());
        Runnable unsubscribe = feed.subscribe(watch);
        call.setOnCancelHandler(unsubscribe);
        try {
            feed.follow(org); // NOT_FOUND for an unknown organization
            long last = request.getAfterRevision();
            while (true) {
                List<Change> batch = changes.after(org, last, BACKLOG_BATCH);
                for (Change change : batch) {
                    watch.send(change);
                    last = change.revision();
                }
                if (batch.size() < BACKLOG_BATCH) {
                    break;
                }
            }
            watch.goLive();
        } catch (RuntimeException e) {
            unsubscribe.run();
            throw e;
        }
    }

    /** One watching client: buffers live changes until its backlog is sent. */
    private static final class Watch implements ChangeFeed.Listener {
        private final UUID org;
        private final ServerCallStreamObserver<WatchChangesResponse> call;
        private final List<Change> buffered = new ArrayList<>();
        private long lastSent;
        private boolean live;
        private boolean closed;

        Watch(UUID org, ServerCallStreamObserver<WatchChangesResponse> call, long after) {
            this.org = org;
            this.call = call;
            this.lastSent = after;
        }

        @Override
        public synchronized void onChange(Change change) {
            if (!change.organizationId().equals(org) || closed) {
                return;
            }
            if (live) {
                send(change);
            } else {
                buffered.add(change);
            }
        }

        @Override
        public synchronized void onOrganizationDeleted(UUID organizationId) {
            if (organizationId.equals(org) && !closed) {
                closed = true;
                if (!call.isCancelled()) {
                    call.onError(StatusMapper.toStatusException(DomainException.notFound("organization", org.toString())));
                }
            }
        }

        synchronized void goLive() {
            for (Change change : buffered) {
                send(change);
            }
            buffered.clear();
            live = true;
        }

        synchronized void send(Change change) {
            if (closed || change.revision() <= lastSent || call.isCancelled()) {
                return;
            }
            try {
                call.onNext(WatchChangesResponse.newBuilder().setChange(toProto(change)).build());
                lastSent = change.revision();
            } catch (RuntimeException e) {
                closed = true;
                if (!call.isCancelled()) {
                    call.onError(StatusMapper.toStatusException(new DomainException.Unavailable("the change stream failed")));
                }
            }
        }
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
