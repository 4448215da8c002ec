package dev.verdict.client;

import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.ApiClientServiceGrpc;
import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.AssignmentServiceGrpc;
import dev.verdict.v1.ChangeServiceGrpc;
import dev.verdict.v1.GroupServiceGrpc;
import dev.verdict.v1.OrganizationServiceGrpc;
import dev.verdict.v1.PermissionServiceGrpc;
import dev.verdict.v1.RoleServiceGrpc;
import dev.verdict.v1.UserServiceGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The gRPC service config that retries idempotent calls on UNAVAILABLE: every AccessService method (checks and
 * reverse queries only read), and the unary Get/List/Search methods of the management services. Writes are
 * left out: a create without a request id, or a grant, could be applied twice. gRPC's built-in retries are used
 * rather than an interceptor because they replay only calls the server has not answered, honour the deadline
 * over all attempts, add jitter to the backoff, and are throttled per channel.
 */
final class RetryPolicy {
    private RetryPolicy() {}

    static Map<String, Object> serviceConfig(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        List<Object> names = new ArrayList<>();
        names.add(Map.of("service", AccessServiceGrpc.SERVICE_NAME));
        Stream.of(OrganizationServiceGrpc.getServiceDescriptor(), UserServiceGrpc.getServiceDescriptor(),
                        PermissionServiceGrpc.getServiceDescriptor(), RoleServiceGrpc.getServiceDescriptor(),
                        AppServiceGrpc.getServiceDescriptor(), AssignmentServiceGrpc.getServiceDescriptor(),
                        GroupServiceGrpc.getServiceDescriptor(), ApiClientServiceGrpc.getServiceDescriptor(),
                        ChangeServiceGrpc.getServiceDescriptor())
                .map(ServiceDescriptor::getMethods)
                .flatMap(java.util.Collection::stream)
                .filter(RetryPolicy::isRead)
                .forEach(m -> names.add(Map.of("service", m.getServiceName(), "method", m.getBareMethodName())));
        Map<String, Object> retryPolicy = Map.of(
                "maxAttempts", (double) Math.max(2, maxAttempts),
                "initialBackoff", seconds(initialBackoff),
                "maxBackoff", seconds(maxBackoff),
                "backoffMultiplier", 2.0,
                "retryableStatusCodes", List.of("UNAVAILABLE"));
        // maxAttempts 1 means no retries; gRPC wants at least 2 in a policy, so then the policy is left out.
        Map<String, Object> methodConfig = maxAttempts == 1
                ? Map.of("name", names)
                : Map.of("name", names, "retryPolicy", retryPolicy);
        return Map.of("methodConfig", List.of(methodConfig));
    }

    static boolean isRead(MethodDescriptor<?, ?> method) {
        String name = method.getBareMethodName();
        return method.getType() == MethodDescriptor.MethodType.UNARY
                && name != null
                && (name.startsWith("Get") || name.startsWith("List") || name.startsWith("Search"));
    }

    private static String seconds(Duration duration) {
        return java.math.BigDecimal.valueOf(duration.toNanos(), 9).stripTrailingZeros().toPlainString() + "s";
    }
}
