package dev.verdict.server.api;

import static dev.verdict.server.TestServer.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.TestServer;
import dev.verdict.v1.Change;
import dev.verdict.v1.ChangeServiceGrpc;
import dev.verdict.v1.ListChangesRequest;
import dev.verdict.v1.WatchChangesRequest;
import dev.verdict.v1.WatchChangesResponse;
import io.grpc.Context;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChangeServiceTest {
    private final ChangeServiceGrpc.ChangeServiceBlockingStub changes = ChangeServiceGrpc.newBlockingStub(TestServer.channel());

    @Test
    void listsChangesAfterARevisionInOrder() {
        DecisionTestData data = new DecisionTestData();
        data.app("shop");
        String token = data.role("viewer", "END_USER", Map.of());
        var all = changes.listChanges(ListChangesRequest.newBuilder().setOrganizationId(data.organizationId).build());
        assertThat(all.getChangesList()).extracting(Change::getRevision).containsExactly(1L, 2L, 3L);
        assertThat(all.getChanges(0).getResourceType()).isEqualTo("organization");
        assertThat(all.getChanges(0).getAction()).isEqualTo("created");
        assertThat(all.getChanges(2).getResourceType()).isEqualTo("role");
        assertThat(all.getChanges(2).getResourceId()).isEqualTo("viewer");
        assertThat(all.getChanges(2).getRevisionToken()).isEqualTo(token);
        assertThat(all.getChanges(2).hasCommitTime()).isTrue();
        assertThat(all.getLatestRevision()).isEqualTo(3);

        var after = changes.listChanges(ListChangesRequest.newBuilder().setOrganizationId(data.organizationId)
                .setAfterRevision(1).setPageSize(1).build());
        assertThat(after.getChangesList()).extracting(Change::getRevision).containsExactly(2L);
        assertThat(after.getLatestRevision()).isEqualTo(3);
    }

    @Test
    void unknownOrganizationIsNotFound() {
        var e = failure(() -> changes.listChanges(ListChangesRequest.newBuilder()
                .setOrganizationId(UUID.randomUUID().toString()).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        var watch = failure(() -> changes.withDeadlineAfter(5, TimeUnit.SECONDS).watchChanges(WatchChangesRequest.newBuilder()
                .setOrganizationId(UUID.randomUUID().toString()).build()).hasNext());
        assertThat(watch.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void watchSendsTheBacklogThenLiveChangesInOrder() throws Exception {
        DecisionTestData data = new DecisionTestData();
        data.app("shop");
        data.app("billing");
        Context.CancellableContext context = Context.current().withCancellation();
        try {
            List<Long> revisions = new ArrayList<>();
            Context previous = context.attach();
            Iterator<WatchChangesResponse> stream;
            try {
                stream = changes.withDeadlineAfter(20, TimeUnit.SECONDS).watchChanges(WatchChangesRequest.newBuilder()
                        .setOrganizationId(data.organizationId).setAfterRevision(1).build());
            } finally {
                context.detach(previous);
            }
            revisions.add(stream.next().getChange().getRevision());
            revisions.add(stream.next().getChange().getRevision());
            // Live changes, written while the stream is open.
            Thread writer = new Thread(() -> {
                for (int i = 0; i < 5; i++) {
                    data.app("live" + i);
                }
            });
            writer.start();
            for (int i = 0; i < 5; i++) {
                Change change = stream.next().getChange();
                revisions.add(change.getRevision());
                assertThat(change.getResourceId()).isEqualTo("live" + i);
            }
            writer.join();
            assertThat(revisions).containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L);
        } finally {
            context.cancel(null);
        }
    }
}
