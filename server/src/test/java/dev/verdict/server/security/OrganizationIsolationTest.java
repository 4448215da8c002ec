package dev.verdict.server.security;

import static dev.verdict.server.SecureTestServer.BOOTSTRAP_KEY;
import static dev.verdict.server.SecureTestServer.withKey;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.Message;
import com.google.rpc.ResourceInfo;
import dev.verdict.server.DeclaredServices;
import dev.verdict.server.SecureTestServer;
import dev.verdict.v1.CreateOrganizationResponse;
import dev.verdict.v1.GetOrganizationRequest;
import dev.verdict.v1.Organization;
import dev.verdict.v1.OrganizationServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A key of organization A used on organization B is answered as if B did not exist, for every RPC of every
 * service declared in the protos ({@link DeclaredServices}, so that a new RPC cannot be left out), whatever
 * permissions the key holds in A; and B is left unchanged.
 */
class OrganizationIsolationTest {
    /** RPCs that name no organization: open to the bootstrap key only. */
    private static final Set<String> NAMING_NO_ORGANIZATION = Set.of(
            "verdict.v1.OrganizationService/CreateOrganization", "verdict.v1.OrganizationService/ListOrganizations");

    @Test
    void aKeyOfOneOrganizationFindsNoOtherOrganizationThroughAnyRpc() {
        CreateOrganizationResponse a = SecureTestServer.newOrganization();
        CreateOrganizationResponse b = SecureTestServer.newOrganization();
        String bId = b.getOrganization().getOrganizationId();
        Organization bBefore = organization(bId);
        Channel asAdminOfA = ClientInterceptors.intercept(SecureTestServer.channel(), SecureTestServer.bearer(a.getAdminApiKey()));

        List<String> leaks = new ArrayList<>();
        int checked = 0;
        for (ServiceDescriptor service : DeclaredServices.all()) {
            for (com.google.protobuf.Descriptors.MethodDescriptor method : service.getMethods()) {
                MethodDescriptor<Message, Message> descriptor = descriptor(method);
                String name = descriptor.getFullMethodName();
                assertThat(Rules.of(name)).as("authorization rule of " + name).isPresent();
                if (NAMING_NO_ORGANIZATION.contains(name)) {
                    StatusRuntimeException e = call(asAdminOfA, descriptor, request(descriptor, null));
                    assertThat(e).as(name).isNotNull();
                    assertThat(e.getStatus().getCode()).as(name).isEqualTo(Status.Code.PERMISSION_DENIED);
                    continue;
                }
                checked++;
                String other = UUID.randomUUID().toString();
                StatusRuntimeException onB = call(asAdminOfA, descriptor, request(descriptor, bId));
                StatusRuntimeException onNothing = call(asAdminOfA, descriptor, request(descriptor, other));
                if (onB == null || onNothing == null || onB.getStatus().getCode() != Status.Code.NOT_FOUND
                        || !notFoundOrganization(onB, bId)
                        || !String.valueOf(onB.getStatus().getDescription())
                                .equals(String.valueOf(onNothing.getStatus().getDescription()).replace(other, bId))) {
                    leaks.add(name + " answered " + (onB == null ? "OK" : onB.getStatus()));
                }
            }
        }
        assertThat(leaks).as("RPCs that treat organization B differently from a missing one").isEmpty();
        System.out.println("OrganizationIsolationTest: " + checked + " RPCs naming an organization, "
                + leaks.size() + " leaks");
        assertThat(checked).as("RPCs naming an organization").isGreaterThan(0);
        assertThat(organization(bId)).as("organization B after the attempts").isEqualTo(bBefore);
    }

    /** A gRPC method descriptor built from the proto descriptor, with the generated message types. */
    static MethodDescriptor<Message, Message> descriptor(com.google.protobuf.Descriptors.MethodDescriptor method) {
        return MethodDescriptor.<Message, Message>newBuilder()
                .setType(method.isServerStreaming()
                        ? MethodDescriptor.MethodType.SERVER_STREAMING : MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(
                        method.getService().getFullName(), method.getName()))
                .setRequestMarshaller(ProtoUtils.marshaller(prototype(method.getInputType())))
                .setResponseMarshaller(ProtoUtils.marshaller(prototype(method.getOutputType())))
                .build();
    }

    private static Message prototype(com.google.protobuf.Descriptors.Descriptor type) {
        try {
            return (Message) Class.forName("dev.verdict.v1." + type.getName()).getMethod("getDefaultInstance").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static Organization organization(String id) {
        return withKey(OrganizationServiceGrpc.newBlockingStub(SecureTestServer.channel()), BOOTSTRAP_KEY)
                .getOrganization(GetOrganizationRequest.newBuilder().setOrganizationId(id).build()).getOrganization();
    }

    private static boolean notFoundOrganization(StatusRuntimeException e, String id) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        return status != null && status.getDetailsList().stream()
                .filter(any -> any.is(ResourceInfo.class))
                .map(any -> {
                    try {
                        return any.unpack(ResourceInfo.class);
                    } catch (com.google.protobuf.InvalidProtocolBufferException x) {
                        throw new AssertionError(x);
                    }
                })
                .anyMatch(info -> info.getResourceType().equals("organization") && info.getResourceName().equals(id));
    }

    /** The request's default instance with the organization (top level, or inside {@code organization}) set. */
    static Message request(MethodDescriptor<Message, Message> method, String organizationId) {
        Message prototype = (Message) ((MethodDescriptor.PrototypeMarshaller<?>) method.getRequestMarshaller())
                .getMessagePrototype();
        Message.Builder request = prototype.toBuilder();
        if (organizationId == null) {
            return request.build();
        }
        FieldDescriptor id = prototype.getDescriptorForType().findFieldByName("organization_id");
        if (id != null) {
            return request.setField(id, organizationId).build();
        }
        FieldDescriptor organization = prototype.getDescriptorForType().findFieldByName("organization");
        assertThat(organization).as(method.getFullMethodName() + " names an organization").isNotNull();
        Message.Builder inner = request.getFieldBuilder(organization);
        inner.setField(inner.getDescriptorForType().findFieldByName("organization_id"), organizationId);
        return request.build();
    }

    /** The failure of the call, or null when it succeeded. */
    static StatusRuntimeException call(Channel channel, MethodDescriptor<Message, Message> typed, Message request) {
        MethodDescriptor<Message, Message> method = typed;
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
        try {
            if (method.getType() == MethodDescriptor.MethodType.SERVER_STREAMING) {
                Iterator<Message> responses = ClientCalls.blockingServerStreamingCall(channel, typed, options, request);
                responses.hasNext();
            } else {
                ClientCalls.blockingUnaryCall(channel, typed, options, request);
            }
            return null;
        } catch (StatusRuntimeException e) {
            return e;
        }
    }
}
