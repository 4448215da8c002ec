package dev.verdict.server.api;

import static dev.verdict.server.store.schema.Tables.CHANGE_LOG;
import static dev.verdict.server.store.schema.Tables.ORGANIZATION;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import dev.verdict.server.TestServer;
import dev.verdict.server.store.Store;
import dev.verdict.v1.App;
import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.ChangeServiceGrpc;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.ListChangesRequest;
import dev.verdict.v1.UpdateAppRequest;
import dev.verdict.v1.WatchChangesRequest;
import dev.verdict.v1.WatchChangesResponse;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * WatchChanges over real calls while thousands of changes are written: a watcher that never reads (manual flow
 * control, nothing requested) is closed with RESOURCE_EXHAUSTED instead of being buffered without bound, while
 * a watcher that reads gets every change, in order, on the same server at the same time. After one write through
 * the API, the changes are appended to the change log a hundred per transaction, exactly as {@code Store} appends
 * a write's (revision bumped, row, notification): an organization's API writes are serialized and cost a commit
 * each, and thousands of them would make this test take a minute for nothing.
 */
class WatchChangesBackPressureTest {
    /** Enough to fill the transport's buffers (a 16 KiB stream window, 32 KiB on the server) and the queue. */
    private static final int CHANGES = 3 * ChangeWatch.MAX_QUEUED;

    @Test
    void aWatcherThatNeverReadsIsClosedWithResourceExhaustedWhileAReaderGetsEveryChange() throws Exception {
        String org = TestServer.newOrganization();
        var apps = AppServiceGrpc.newBlockingStub(TestServer.channel());
        apps.createApp(CreateAppRequest.newBuilder().setOrganizationId(org)
                .setApp(App.newBuilder().setKey("watched").setDisplayName("Watched")).build());
        long after = ChangeServiceGrpc.newBlockingStub(TestServer.channel())
                .listChanges(ListChangesRequest.newBuilder().setOrganizationId(org).setPageSize(1).build())
                .getLatestRevision();
        WatchChangesRequest watch = WatchChangesRequest.newBuilder().setOrganizationId(org).setAfterRevision(after).build();

        ManagedChannel slowChannel = NettyChannelBuilder.forAddress("127.0.0.1", TestServer.server().port())
                .usePlaintext().initialFlowControlWindow(16 * 1024).build();
        try {
            Watcher slow = new Watcher(slowChannel, watch, false);
            Watcher reader = new Watcher(TestServer.channel(), watch, true);

            // One change first, which the slow watcher does read: both calls are then live on the server.
            apps.updateApp(UpdateAppRequest.newBuilder().setOrganizationId(org)
                    .setApp(App.newBuilder().setKey("watched").setDisplayName("Watched again"))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("display_name")).build());
            slow.call.request(1);
            awaitSize(slow.revisions, 1);
            awaitSize(reader.revisions, 1);

            long start = System.nanoTime();
            appendChanges(UUID.fromString(org), CHANGES - 1);
            double writeSeconds = (System.nanoTime() - start) / 1e9;
            long last = after + CHANGES;
            awaitSize(reader.revisions, CHANGES);
            assertThat(reader.revisions).as("the reading watcher")
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(after + 1, last).boxed().toList());
            assertThat(reader.closed).as("the reading watcher is still open").isNotDone();
            reader.call.cancel("done", null);

            // Only now does the slow watcher read: what the transport held for it, then the status.
            slow.call.request(Integer.MAX_VALUE);
            Status status = slow.closed.get(30, TimeUnit.SECONDS);
            assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(status.getDescription()).contains("fell behind").contains("after_revision");
            // Unbounded, the server would have kept all of them for it (and this watcher would now get them all).
            assertThat(slow.revisions).as("what the slow watcher got before it was dropped").hasSizeLessThan(CHANGES);
            assertThat(slow.revisions).as("in order from the start")
                    .containsExactlyElementsOf(java.util.stream.LongStream
                            .rangeClosed(after + 1, after + slow.revisions.size()).boxed().toList());
            System.out.printf("WatchChangesBackPressureTest: %d changes written in %.1f s; the reader got all of them, "
                    + "the watcher that never read was closed (RESOURCE_EXHAUSTED) holding %d in the transport%n",
                    CHANGES, writeSeconds, slow.revisions.size());
        } finally {
            slowChannel.shutdownNow();
        }
    }

    private static void awaitSize(List<Long> received, int size) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (received.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    /** Appends {@code count} changes to the organization's change log, a hundred per transaction, as Store does. */
    private static void appendChanges(UUID org, int count) {
        DSLContext db = TestServer.server().database().dsl();
        for (int done = 0; done < count; done += 100) {
            int n = Math.min(100, count - done);
            db.transaction(c -> {
                DSLContext tx = c.dsl();
                long last = tx.update(ORGANIZATION).set(ORGANIZATION.REVISION, ORGANIZATION.REVISION.plus(n))
                        .where(ORGANIZATION.ORGANIZATION_ID.eq(org))
                        .returning(ORGANIZATION.REVISION).fetchOne(ORGANIZATION.REVISION);
                var rows = tx.insertInto(CHANGE_LOG, CHANGE_LOG.ORGANIZATION_ID, CHANGE_LOG.REVISION,
                        CHANGE_LOG.RESOURCE_TYPE, CHANGE_LOG.RESOURCE_ID, CHANGE_LOG.ACTION);
                for (long revision = last - n + 1; revision <= last; revision++) {
                    rows = rows.values(org, revision, "app", "watched", "updated");
                }
                rows.execute();
                tx.select(DSL.function("pg_notify", Object.class, DSL.val(Store.CHANGES_CHANNEL), DSL.val(org + ":" + last)))
                        .fetch();
            });
        }
    }

    /** A raw WatchChanges call with manual flow control: it asks for one message at a time, or for none. */
    private static final class Watcher {
        final ClientCall<WatchChangesRequest, WatchChangesResponse> call;
        final List<Long> revisions = new CopyOnWriteArrayList<>();
        final CompletableFuture<Status> closed = new CompletableFuture<>();

        Watcher(ManagedChannel channel, WatchChangesRequest request, boolean reads) {
            call = channel.newCall(ChangeServiceGrpc.getWatchChangesMethod(),
                    CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.MINUTES));
            call.start(new ClientCall.Listener<>() {
                @Override
                public void onMessage(WatchChangesResponse message) {
                    revisions.add(message.getChange().getRevision());
                    if (reads) {
                        call.request(1);
                    }
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    closed.complete(status);
                }
            }, new Metadata());
            call.sendMessage(request);
            call.halfClose();
            if (reads) {
                call.request(1);
            }
        }
    }
}
