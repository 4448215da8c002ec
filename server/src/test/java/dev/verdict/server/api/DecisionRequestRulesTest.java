package dev.verdict.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.verdict.server.domain.DomainException.FieldViolation;
import dev.verdict.server.fuzz.RequestGenerator;
import dev.verdict.v1.BatchCheckAccessRequest;
import dev.verdict.v1.CheckAccessRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * DecisionRequestRules is protovalidate's verdict on the decision requests, written out for speed: on random
 * and mutated requests (the fuzzer's generator) both name the same fields, or both find nothing, and its quick
 * valid() answers as the named check does.
 */
class DecisionRequestRulesTest {
    private static final int REQUESTS = 10_000;

    private final RequestValidator validator = new RequestValidator();

    @Test
    void namesExactlyTheFieldsProtovalidateNames() throws Exception {
        long seed = Long.getLong("verdict.seed", 20_261_201L);
        RequestGenerator generator = new RequestGenerator(new Random(seed), new Values());
        int valid = 0;
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            Message request = i % 2 == 0
                    ? CheckAccessRequest.parseFrom(generator.request(CheckAccessRequest.getDescriptor()).toByteString())
                    : BatchCheckAccessRequest.parseFrom(generator.request(BatchCheckAccessRequest.getDescriptor()).toByteString());
            List<String> expected = paths(validator.protovalidateViolations(request));
            List<String> actual = paths(request instanceof CheckAccessRequest check
                    ? DecisionRequestRules.violations(check)
                    : DecisionRequestRules.violations((BatchCheckAccessRequest) request));
            boolean quick = request instanceof CheckAccessRequest checkRequest
                    ? DecisionRequestRules.valid(checkRequest) : DecisionRequestRules.valid((BatchCheckAccessRequest) request);
            if ((!expected.equals(actual) || quick != expected.isEmpty()) && mismatches.size() < 10) {
                mismatches.add(request + " protovalidate " + expected + " hand-written " + actual + " valid() " + quick);
            }
            valid += expected.isEmpty() ? 1 : 0;
        }
        System.out.printf("DecisionRequestRulesTest: seed %d, %d requests, %d valid%n", seed, REQUESTS, valid);
        assertThat(mismatches).as("seed " + seed).isEmpty();
        // Both kinds of answer are exercised, so agreement means something.
        assertThat(valid).isBetween(REQUESTS / 100, REQUESTS - REQUESTS / 100);
    }

    private static List<String> paths(List<FieldViolation> violations) {
        return violations.stream().map(FieldViolation::field).sorted().toList();
    }

    /** Plausible values, so that many requests get past the first rule. */
    private static final class Values implements RequestGenerator.FuzzSeed {
        private static List<String> uuids() {
            return IntStream.range(0, 4).mapToObj(i -> UUID.randomUUID().toString()).toList();
        }

        private final List<String> organizations = uuids();
        private final List<String> users = uuids();
        private final List<String> clients = uuids();

        @Override public List<String> organizationIds() { return organizations; }
        @Override public List<String> userIds() { return users; }
        @Override public List<String> apiClientIds() { return clients; }
        @Override public List<String> groupIds() { return users; }
        @Override public List<String> assignmentIds() { return users; }
        @Override public List<String> emails() { return List.of("ana@acme.example", "BO@acme.example"); }
        @Override public List<String> appKeys() { return List.of("sales", "crm-2", "a_b"); }
        @Override public List<String> roleKeys() { return List.of("developer", "sales.viewer", "administrator"); }
        @Override public List<String> permissionKeys() { return List.of("app.deploy", "users.manage", "a1.b_2"); }
        @Override public List<String> stages() { return List.of("development", "qa", "production"); }
    }
}
