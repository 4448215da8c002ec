package dev.verdict.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdict.v1.AccessQuery;
import dev.verdict.v1.BatchCheckAccessRequest;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.Principal;
import dev.verdict.v1.Target;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files the load tools read: gRPC frames (h2load bodies) and Prepare's query files. */
class LoadFilesTest {

    @Test
    void unframeReturnsTheMessageOfOneUncompressedFrame() {
        byte[] message = query(0).toByteArray();
        byte[] framed = ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length).put(message).array();

        assertThat(FramedCall.unframe(framed)).isEqualTo(message);
        assertThat(FramedCall.unframe(new byte[5])).isEmpty();
    }

    @Test
    void unframeRefusesWhatH2loadWouldSendWrong() {
        byte[] compressed = {1, 0, 0, 0, 0};
        byte[] truncated = {0, 0, 0, 0, 9, 1, 2};
        assertThatThrownBy(() -> FramedCall.unframe(compressed)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FramedCall.unframe(truncated)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void batchesKeepTheQueriesInOrderSoAnswersAreCheckedByPosition(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream queries = new ByteArrayOutputStream();
        for (int i = 0; i < 250; i++) {
            query(i).writeDelimitedTo(queries);
        }
        Files.write(dir.resolve("queries.bin"), queries.toByteArray());
        Files.write(dir.resolve("expected.bin"), new byte[250]);
        Files.writeString(dir.resolve("org.json"), "{\"apiKey\": \"k\", \"size\": \"S\"}");

        LoadGenerator.Dataset dataset = LoadGenerator.Dataset.read(dir);
        List<BatchCheckAccessRequest> batches = dataset.batches(100);

        assertThat(dataset.count()).isEqualTo(250);
        assertThat(batches).hasSize(2);
        assertThat(batches.get(1).getItems(7).getQuery()).isEqualTo(dataset.query(107).getQuery());
        assertThat(batches.get(0).getOrganizationId()).isEqualTo(dataset.query(0).getOrganizationId());
    }

    @Test
    void aDatasetWhoseExpectedDecisionsDoNotMatchItsQueriesIsRefused(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream queries = new ByteArrayOutputStream();
        query(0).writeDelimitedTo(queries);
        Files.write(dir.resolve("queries.bin"), queries.toByteArray());
        Files.write(dir.resolve("expected.bin"), new byte[2]);
        Files.writeString(dir.resolve("org.json"), "{\"apiKey\": \"k\"}");

        assertThatThrownBy(() -> LoadGenerator.Dataset.read(dir)).hasMessageContaining("1 queries but 2 expected");
    }

    private static CheckAccessRequest query(int i) {
        return CheckAccessRequest.newBuilder()
                .setOrganizationId("00000000-0000-4000-8000-000000000001")
                .setQuery(AccessQuery.newBuilder()
                        .setPrincipal(Principal.newBuilder().setUserId(String.format("00000000-0000-4000-8000-%012d", i)))
                        .setTarget(Target.newBuilder().setPermissionKey("app.view"))
                        .setStage("production")
                        .setAppKey("app" + i))
                .build();
    }
}
