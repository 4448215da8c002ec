package dev.verdict.server.api;

import dev.verdict.server.store.UserStore;
import dev.verdict.v1.UserServiceGrpc;

/** {@code verdict.v1.UserService}. (Skeleton: filled in by the UserService work.) */
final class UserApi extends UserServiceGrpc.UserServiceImplBase {
    private final UserStore users;
    private final Idempotency idempotency;

    UserApi(UserStore users, Idempotency idempotency) {
        this.users = users;
        this.idempotency = idempotency;
    }
}
