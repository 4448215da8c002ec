package dev.verdict.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdict.server.Errors;
import dev.verdict.server.TestServer;
import dev.verdict.server.domain.DomainException;
import dev.verdict.v1.CreateGroupRequest;
import dev.verdict.v1.GroupServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Found by RequestFuzzTest: an INVALID_ARGUMENT listing hundreds of violations (or echoing a huge value)
 * overflowed the 8 KiB of trailers a gRPC client accepts, and the caller saw INTERNAL ("http2 exception").
 * The details are now bounded: the first violations, each cut short, and a count of the rest.
 */
class OversizedErrorDetailsTest {

    @Test
    void aThousandBadItemsAreStillInvalidArgumentNamingTheFirst() {
        String org = TestServer.newOrganization();
        CreateGroupRequest.Builder request = CreateGroupRequest.newBuilder().setOrganizationId(org).setName("many").setStage("qa");
        IntStream.range(0, 1000).forEach(i -> request.addUserIds("not-a-uuid-" + "x".repeat(60) + i));
        StatusRuntimeException e = TestServer.failure(() ->
                GroupServiceGrpc.newBlockingStub(TestServer.channel()).createGroup(request.build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        List<String> fields = Errors.badFields(e);
        assertThat(fields).hasSize(StatusMapper.MAX_VIOLATIONS + 1).startsWith("user_ids[0]", "user_ids[1]");
    }

    @Test
    void hugeDescriptionsAreCutShort() {
        String huge = "y".repeat(100_000);
        var status = StatusMapper.toStatus(DomainException.invalid("f" + huge, "d" + huge));
        assertThat(status.getSerializedSize()).isLessThan(2_000);
        assertThat(StatusMapper.toStatus(DomainException.notFound("user", huge)).getSerializedSize()).isLessThan(2_000);
    }
}
