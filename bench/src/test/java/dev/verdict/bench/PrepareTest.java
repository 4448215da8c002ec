package dev.verdict.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.v1.CheckAccessRequest;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrepareTest {

    @Test
    void grpcFrameIsUncompressedFlagBigEndianLengthThenTheMessage() throws Exception {
        CheckAccessRequest request = CheckAccessRequest.newBuilder().setOrganizationId("x".repeat(300)).build();
        byte[] frame = Prepare.framed(request);
        assertThat(frame[0]).isZero();
        assertThat(ByteBuffer.wrap(frame, 1, 4).getInt()).isEqualTo(frame.length - 5).isGreaterThan(255);
        assertThat(CheckAccessRequest.parseFrom(Arrays.copyOfRange(frame, 5, frame.length))).isEqualTo(request);
    }

    @Test
    void jsonStringsAreEscaped() {
        assertThat(Json.string("a\"b\\c\n\u0001")).isEqualTo("\"a\\\"b\\\\c\\n\\u0001\"");
        assertThat(Json.strings(List.of("x", "y"))).isEqualTo("[\"x\", \"y\"]");
    }
}
