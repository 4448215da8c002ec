package dev.verdict.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.verdict.v1.App;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.GrantRoleRequest;
import dev.verdict.v1.GrantRoleResponse;
import dev.verdict.v1.ListUsersWithAccessRequest;
import dev.verdict.v1.Scope;
import dev.verdict.v1.Target;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Builder.defaultConsistency} is what a client sends when a question chooses no consistency: an
 * interceptor on a channel the test owns records the {@code consistency} of every request that has one, on its
 * way to a real Verdict, which answers it.
 */
class DefaultConsistencyTest {
    private static final Consistency FULLY_CONSISTENT = Consistency.newBuilder().setFullyConsistent(true).build();

    private record Sent(String method, Consistency consistency) {}

    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private ManagedChannel channel;
    private VerdictClient client;
    private String ana;
    private String bob;

    @BeforeEach
    void organizationWithTwoDevelopers() {
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", RealServer.port(), InsecureChannelCredentials.create())
                .build();
        String organization = RealServer.newOrganization().organizationId().orElseThrow();
        client = VerdictClient.builder()
                .channel(ClientInterceptors.intercept(channel, new RecordConsistency()))
                .organization(organization)
                .defaultConsistency(FULLY_CONSISTENT)
                .build();
        client.apps().createApp(CreateAppRequest.newBuilder()
                .setApp(App.newBuilder().setKey("sales").setDisplayName("Sales"))
                .build());
        ana = activeDeveloper("ana@acme.example");
        bob = activeDeveloper("bob@acme.example");
        sent.clear();
    }

    @AfterEach
    void close() throws InterruptedException {
        client.close();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void everyDecisionThatChoosesNoneSendsTheDefault() {
        Principal user = Principal.user(ana);

        assertThat(client.check(user).can("app.change").in("development", "sales").allowed()).isTrue();
        assertThat(client.isAllowed(user).can("app.change").in("production", "sales")).isFalse();
        assertThat(client.explain(user).can("app.deploy").in("development", "sales").getDecision())
                .isEqualTo(dev.verdict.v1.Decision.DECISION_ALLOWED);
        assertThat(client.batch()
                .add("change", user).can("app.change").in("development", "sales")
                .add("role", user).hasRole("developer").inStage("qa")
                .check().values()).allMatch(Decision::allowed);
        assertThat(client.permissionsOf(user, "development", "sales").getPermissionKeysList()).contains("app.change");
        assertThat(client.accessibleApps(user, "app.change", "development")).containsExactly("sales");
        List<String> users = new ArrayList<>();
        client.usersWithAccess(ListUsersWithAccessRequest.newBuilder()
                        .setTarget(Target.newBuilder().setPermissionKey("app.change"))
                        .setStage("development")
                        .setAppKey("sales")
                        .setPageSize(1)
                        .build())
                .forEach(users::add);
        assertThat(users).containsExactlyInAnyOrder(ana, bob);

        assertThat(sent).extracting(Sent::method).containsExactly(
                "CheckAccess", "CheckAccess", "ExplainAccess", "BatchCheckAccess", "ListUserPermissions",
                "ListAccessibleApps", "ListUsersWithAccess", "ListUsersWithAccess");  // two pages of one
        assertThat(sent).extracting(Sent::consistency).containsOnly(FULLY_CONSISTENT);
    }

    @Test
    void aQuestionsOwnChoiceWinsOverTheDefault() {
        Principal user = Principal.user(ana);
        GrantRoleResponse granted = client.assignments().grantRole(GrantRoleRequest.newBuilder()
                .setPrincipal(user.toProto())
                .setRoleKey("administrator")
                .setScope(Scope.newBuilder().setAppKey("sales"))
                .build());
        sent.clear();

        client.check(user).atLeastAsFresh(Revision.of(granted)).can("app.change").in("production", "sales");
        client.check(user).minimizeLatency().can("app.change").in("production", "sales");
        client.inOrganization(client.organizationId().orElseThrow())
                .check(user).can("app.change").in("production", "sales");

        assertThat(sent).extracting(Sent::consistency).containsExactly(
                Consistency.newBuilder().setAtLeastAsFresh(granted.getRevisionToken()).build(),
                Consistency.newBuilder().setMinimizeLatency(true).build(),
                FULLY_CONSISTENT);
    }

    @Test
    void aFullyConsistentDefaultSeesAWriteAtOnce() {
        Principal user = Principal.user(ana);
        // Denied first, so a cached closure would still deny right after the grant.
        assertThat(client.check(user).minimizeLatency().can("app.change").in("production", "sales").allowed())
                .isFalse();

        client.assignments().grantRole(GrantRoleRequest.newBuilder()
                .setPrincipal(user.toProto())
                .setRoleKey("administrator")
                .setScope(Scope.newBuilder().setAppKey("sales"))
                .build());

        assertThat(client.check(user).can("app.change").in("production", "sales").allowed()).isTrue();
    }

    private String activeDeveloper(String email) {
        String id = client.users().invite(email, "developer").getUser().getUserId();
        client.users().activate(id);
        return id;
    }

    /** Records the method and the {@code consistency} field of every outgoing request that has one. */
    private final class RecordConsistency implements ClientInterceptor {
        @Override
        public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
            return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void sendMessage(Q message) {
                    if (message instanceof Message request) {
                        FieldDescriptor field = request.getDescriptorForType().findFieldByName("consistency");
                        if (field != null) {
                            sent.add(new Sent(method.getBareMethodName(), (Consistency) request.getField(field)));
                        }
                    }
                    super.sendMessage(message);
                }
            };
        }
    }
}
