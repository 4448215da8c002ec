package dev.verdict.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.CheckAccessResponse;
import dev.verdict.v1.DenyReason;
import dev.verdict.v1.InviteUserRequest;
import dev.verdict.v1.InviteUserResponse;
import dev.verdict.v1.UserServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the transport does — retries, the API key header, deadlines, failing closed on odd answers — against a
 * scripted server, since a healthy Verdict never answers UNAVAILABLE or an UNSPECIFIED decision on demand.
 */
class TransportTest {
    private static final String ORG = UUID.randomUUID().toString();

    private final Queue<Object> checkAnswers = new ArrayDeque<>();
    private final AtomicInteger checkCalls = new AtomicInteger();
    private final AtomicInteger inviteCalls = new AtomicInteger();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private Server server;

    @BeforeEach
    void start() throws Exception {
        ServerInterceptor recordAuthorization = new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                String value = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
                authorizations.add(value == null ? "<none>" : value);
                return next.startCall(call, headers);
            }
        };
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(new ScriptedAccess(), recordAuthorization))
                .addService(new FailingUsers())
                .build()
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private VerdictClient.Builder client() {
        return VerdictClient.builder().target("127.0.0.1:" + server.getPort()).plaintext().organization(ORG)
                .retries(4, Duration.ofMillis(10), Duration.ofMillis(50));
    }

    @Test
    void checksAreRetriedOnUnavailableWithBackoff() {
        checkAnswers.add(Status.UNAVAILABLE);
        checkAnswers.add(Status.UNAVAILABLE);
        checkAnswers.add(allowed());
        try (VerdictClient client = client().build()) {
            Decision decision = client.check(Principal.user(UUID.randomUUID().toString())).can("app.view")
                    .in("qa", "sales");
            assertThat(decision.allowed()).isTrue();
            assertThat(decision.revisionToken()).contains(Revision.of("7"));
        }
        assertThat(checkCalls).hasValue(3);
    }

    @Test
    void retriesGiveUpAfterMaxAttemptsAndCanBeTurnedOff() {
        for (int i = 0; i < 10; i++) {
            checkAnswers.add(Status.UNAVAILABLE);
        }
        try (VerdictClient client = client().build()) {
            assertThatThrownBy(() -> client.check(Principal.user("u")).can("app.view").in("qa", "sales"))
                    .isInstanceOf(UnavailableException.class);
        }
        assertThat(checkCalls).hasValue(4);
        checkCalls.set(0);
        try (VerdictClient client = client().retries(1, Duration.ofMillis(10), Duration.ofMillis(10)).build()) {
            assertThat(client.isAllowed(Principal.user("u")).can("app.view").in("qa", "sales")).isFalse();
        }
        assertThat(checkCalls).hasValue(1);
    }

    @Test
    void writesAreNeverRetried() {
        try (VerdictClient client = client().build()) {
            assertThatThrownBy(() -> client.users().invite("ana@acme.example"))
                    .isInstanceOf(UnavailableException.class);
        }
        assertThat(inviteCalls).hasValue(1);
    }

    @Test
    void sendsTheApiKeyAsABearerToken() {
        checkAnswers.add(allowed());
        checkAnswers.add(allowed());
        try (VerdictClient client = client().apiKey("k-123").build()) {
            client.check(Principal.user("u")).can("app.view").in("qa", "sales");
        }
        try (VerdictClient client = client().build()) {
            client.check(Principal.user("u")).can("app.view").in("qa", "sales");
        }
        assertThat(authorizations).containsExactly("Bearer k-123", "<none>");
    }

    @Test
    void anUnspecifiedDecisionIsADeny() {
        checkAnswers.add(CheckAccessResponse.getDefaultInstance());
        checkAnswers.add(CheckAccessResponse.getDefaultInstance());
        try (VerdictClient client = client().build()) {
            Decision decision = client.check(Principal.user("u")).can("app.view").in("qa", "sales");
            assertThat(decision.allowed()).isFalse();
            assertThat(decision.denied()).isTrue();
            assertThat(decision.revisionToken()).isEmpty();
            assertThat(client.isAllowed(Principal.user("u")).can("app.view").in("qa", "sales")).isFalse();
        }
    }

    @Test
    void errorsThrowFromCheckAndDenyFromIsAllowed() {
        com.google.rpc.Status invalid = com.google.rpc.Status.newBuilder()
                .setCode(Status.Code.INVALID_ARGUMENT.value())
                .setMessage("unknown permission")
                .addDetails(Any.pack(BadRequest.newBuilder()
                        .addFieldViolations(BadRequest.FieldViolation.newBuilder()
                                .setField("query.target.permission_key").setDescription("no such permission"))
                        .build()))
                .build();
        checkAnswers.add(invalid);
        checkAnswers.add(invalid);
        try (VerdictClient client = client().build()) {
            assertThatThrownBy(() -> client.check(Principal.user("u")).can("nope").in("qa", "sales"))
                    .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                        assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.fieldViolations()).containsExactly(
                                new FieldViolation("query.target.permission_key", "no such permission"));
                    });
            assertThat(client.isAllowed(Principal.user("u")).can("nope").in("qa", "sales")).isFalse();
        }
    }

    @Test
    void everyUnaryCallGetsTheDefaultDeadlineAndACallersChannelIsLeftOpen() {
        checkAnswers.add(allowed());
        AtomicReference<Deadline> seen = new AtomicReference<>();
        ManagedChannel own = Grpc.newChannelBuilderForAddress("127.0.0.1", server.getPort(),
                io.grpc.InsecureChannelCredentials.create()).build();
        Channel recording = ClientInterceptors.intercept(own, new ClientInterceptor() {
            @Override
            public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
                seen.set(options.getDeadline());
                return next.newCall(method, options);
            }
        });
        try (VerdictClient client = VerdictClient.builder().channel(recording).organization(ORG)
                .defaultDeadline(Duration.ofSeconds(3)).build()) {
            client.check(Principal.user("u")).can("app.view").in("qa", "sales");
        }
        assertThat(seen.get()).isNotNull();
        assertThat(seen.get().timeRemaining(TimeUnit.MILLISECONDS)).isBetween(1_000L, 3_000L);
        assertThat(own.isShutdown()).isFalse();
        own.shutdownNow();
    }

    private static CheckAccessResponse allowed() {
        return CheckAccessResponse.newBuilder()
                .setDecision(dev.verdict.v1.Decision.DECISION_ALLOWED)
                .setReason(DenyReason.DENY_REASON_UNSPECIFIED)
                .setRevisionToken("7")
                .build();
    }

    private final class ScriptedAccess extends AccessServiceGrpc.AccessServiceImplBase {
        @Override
        public void checkAccess(CheckAccessRequest request, StreamObserver<CheckAccessResponse> observer) {
            checkCalls.incrementAndGet();
            Object answer = checkAnswers.poll();
            if (answer instanceof CheckAccessResponse response) {
                observer.onNext(response);
                observer.onCompleted();
            } else if (answer instanceof Status status) {
                observer.onError(status.asRuntimeException());
            } else if (answer instanceof com.google.rpc.Status status) {
                observer.onError(StatusProto.toStatusRuntimeException(status));
            } else {
                observer.onError(Status.INTERNAL.withDescription("no scripted answer").asRuntimeException());
            }
        }
    }

    private final class FailingUsers extends UserServiceGrpc.UserServiceImplBase {
        @Override
        public void inviteUser(InviteUserRequest request, StreamObserver<InviteUserResponse> observer) {
            inviteCalls.incrementAndGet();
            observer.onError(Status.UNAVAILABLE.asRuntimeException());
        }
    }
}
