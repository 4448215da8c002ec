package dev.verdict.client;

import dev.verdict.v1.AppServiceGrpc;
import dev.verdict.v1.CreateAppRequest;
import dev.verdict.v1.CreateAppResponse;
import dev.verdict.v1.DeleteAppRequest;
import dev.verdict.v1.DeleteAppResponse;
import dev.verdict.v1.GetAppRequest;
import dev.verdict.v1.GetAppResponse;
import dev.verdict.v1.ListAppsRequest;
import dev.verdict.v1.ListAppsResponse;
import dev.verdict.v1.UpdateAppRequest;
import dev.verdict.v1.UpdateAppResponse;

/**
 * Apps of an organization: what end-user roles and app-level permissions are scoped to. The {@code verdict.v1.AppService}, one method per RPC taking and returning the generated
 * messages. A request whose {@code organization_id} is empty gets the organization the client is bound to. Failures throw a {@link VerdictException}. Thread-safe; get it from
 * {@link VerdictClient#apps()}.
 */
public final class Apps {
    private final Calls calls;
    private final String organizationId;
    private final AppServiceGrpc.AppServiceBlockingStub stub;

    Apps(Calls calls, String organizationId) {
        this.calls = calls;
        this.organizationId = organizationId;
        this.stub = calls.stub(AppServiceGrpc::newBlockingStub);
    }

    /** Registers an app. ({@code verdict.v1.AppService/CreateApp}). */
    public CreateAppResponse createApp(CreateAppRequest request) {
        return calls.call(organizationId, request, stub::createApp);
    }

    /** Gets an app by key. ({@code verdict.v1.AppService/GetApp}). */
    public GetAppResponse getApp(GetAppRequest request) {
        return calls.call(organizationId, request, stub::getApp);
    }

    /** Lists apps ordered by key. ({@code verdict.v1.AppService/ListApps}). */
    public ListAppsResponse listApps(ListAppsRequest request) {
        return calls.call(organizationId, request, stub::listApps);
    }

    /** Changes an app's display name or description. ({@code verdict.v1.AppService/UpdateApp}). */
    public UpdateAppResponse updateApp(UpdateAppRequest request) {
        return calls.call(organizationId, request, stub::updateApp);
    }

    /** Deletes an app; refused while assignments or group grants use it, unless force. ({@code verdict.v1.AppService/DeleteApp}). */
    public DeleteAppResponse deleteApp(DeleteAppRequest request) {
        return calls.call(organizationId, request, stub::deleteApp);
    }
}
