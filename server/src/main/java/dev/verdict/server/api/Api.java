package dev.verdict.server.api;

import dev.verdict.server.changes.ChangeFeed;
import dev.verdict.server.decision.DecisionEngine;
import dev.verdict.server.store.AppStore;
import dev.verdict.server.store.DecisionStore;
import dev.verdict.server.store.ApiClientStore;
import dev.verdict.server.store.AssignmentStore;
import dev.verdict.server.store.ChangeStore;
import dev.verdict.server.store.Database;
import dev.verdict.server.store.GroupStore;
import dev.verdict.server.store.ImportStore;
import dev.verdict.server.store.OrganizationStore;
import dev.verdict.server.store.PermissionStore;
import dev.verdict.server.store.RoleStore;
import dev.verdict.server.store.Store;
import dev.verdict.server.store.UserStore;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.util.List;
import java.util.concurrent.Executor;

/** The gRPC services of Verdict with their interceptors: errors mapped outermost, then request validation. */
public final class Api {
    private Api() {}

    /**
     * What the services are built from; {@code workers} is the server's bounded pool, where a decision that
     * started on a network thread goes when it needs the database.
     */
    public record Wiring(Database database, Store store, ChangeStore changes, ChangeFeed feed, DecisionEngine engine,
            int maxBatchItems, Executor workers) {}

    public static List<ServerServiceDefinition> services(Wiring wiring) {
        Store store = wiring.store();
        Idempotency idempotency = new Idempotency(store);
        List<BindableService> services = List.of(
                new OrganizationApi(new OrganizationStore(store), idempotency),
                new UserApi(new UserStore(store), idempotency),
                new PermissionApi(new PermissionStore(store), idempotency),
                new RoleApi(new RoleStore(store), idempotency),
                new AppApi(new AppStore(store), idempotency),
                new AssignmentApi(new AssignmentStore(store), idempotency),
                new GroupApi(new GroupStore(store), idempotency),
                new ApiClientApi(new ApiClientStore(store), idempotency),
                new ImportApi(new ImportStore(store), idempotency),
                new AccessApi(wiring.engine(), new DecisionStore(store), wiring.maxBatchItems(), new Workers(wiring.workers())),
                new ChangeApi(wiring.changes(), wiring.feed()));
        RequestValidator validator = new RequestValidator();
        ErrorTranslator errors = new ErrorTranslator();
        // ServerInterceptors.intercept runs the last interceptor first: errors wrap validation wraps the service.
        return services.stream().map(s -> ServerInterceptors.intercept(s, validator, errors)).toList();
    }
}
