package dev.verdict.server.api;

import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.Page;
import dev.verdict.server.domain.Written;
import dev.verdict.server.store.AppStore;
import dev.verdict.server.store.PageToken;
import dev.verdict.v1.App;
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
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.UUID;

/** {@code verdict.v1.AppService}: maps requests to {@link AppStore} and back. */
final class AppApi extends AppServiceGrpc.AppServiceImplBase {
    private static final int DEFAULT_PAGE_SIZE = 100;

    private final AppStore apps;
    private final Idempotency idempotency;

    AppApi(AppStore apps, Idempotency idempotency) {
        this.apps = apps;
        this.idempotency = idempotency;
    }

    @Override
    public void createApp(CreateAppRequest request, StreamObserver<CreateAppResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        App app = request.getApp();
        String key = requireKey(app.getKey());
        Rpc.reply(response, idempotency.once(org, request.getRequestId(), "CreateApp", CreateAppResponse.parser(), () -> {
            Written<dev.verdict.server.domain.App> created = apps.create(org,
                    new dev.verdict.server.domain.App(key, displayName(app.getDisplayName(), key), app.getDescription()));
            return CreateAppResponse.newBuilder()
                    .setApp(toProto(created.value()))
                    .setRevisionToken(created.revisionToken())
                    .build();
        }));
    }

    @Override
    public void getApp(GetAppRequest request, StreamObserver<GetAppResponse> response) {
        var app = apps.get(UUID.fromString(request.getOrganizationId()), request.getKey())
                .orElseThrow(() -> DomainException.notFound("app", request.getKey()));
        Rpc.reply(response, GetAppResponse.newBuilder().setApp(toProto(app)).build());
    }

    @Override
    public void listApps(ListAppsRequest request, StreamObserver<ListAppsResponse> response) {
        Page<dev.verdict.server.domain.App> page = apps.list(UUID.fromString(request.getOrganizationId()),
                PageToken.size(request.getPageSize(), DEFAULT_PAGE_SIZE), request.getPageToken());
        Rpc.reply(response, ListAppsResponse.newBuilder()
                .addAllApps(page.items().stream().map(AppApi::toProto).toList())
                .setNextPageToken(page.nextPageToken())
                .build());
    }

    @Override
    public void updateApp(UpdateAppRequest request, StreamObserver<UpdateAppResponse> response) {
        UUID org = UUID.fromString(request.getOrganizationId());
        App changes = request.getApp();
        String key = requireKey(changes.getKey());
        Set<String> paths = Protos.maskPaths(request.getUpdateMask(), Set.of("display_name", "description"));
        String displayName = paths.contains("display_name") ? displayName(changes.getDisplayName(), key) : null;
        String description = paths.contains("description") ? changes.getDescription() : null;
        var updated = apps.update(org, key, displayName, description);
        Rpc.reply(response, UpdateAppResponse.newBuilder()
                .setApp(toProto(updated.value()))
                .setRevisionToken(updated.revisionToken())
                .build());
    }

    @Override
    public void deleteApp(DeleteAppRequest request, StreamObserver<DeleteAppResponse> response) {
        var deleted = apps.delete(UUID.fromString(request.getOrganizationId()), request.getKey(), request.getForce());
        Rpc.reply(response, DeleteAppResponse.newBuilder().setRevisionToken(deleted.revisionToken()).build());
    }

    /** The proto's pattern already refuses an empty key; this keeps the field name explicit if it ever changes. */
    private static String requireKey(String key) {
        if (key.isEmpty()) {
            throw DomainException.invalid("app.key", "is required");
        }
        return key;
    }

    /** A blank display name falls back to the key, so that every app has something to show. */
    private static String displayName(String requested, String key) {
        String name = requested.strip();
        return name.isEmpty() ? key : name;
    }

    static App toProto(dev.verdict.server.domain.App app) {
        return App.newBuilder()
                .setKey(app.key())
                .setDisplayName(app.displayName())
                .setDescription(app.description())
                .build();
    }
}
