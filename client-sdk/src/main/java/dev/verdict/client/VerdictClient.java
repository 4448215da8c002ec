package dev.verdict.client;

import dev.verdict.v1.AccessServiceGrpc;
import dev.verdict.v1.AccessServiceGrpc.AccessServiceBlockingStub;
import dev.verdict.v1.CheckAccessRequest;
import dev.verdict.v1.Consistency;
import dev.verdict.v1.ExplainAccessRequest;
import dev.verdict.v1.ExplainAccessResponse;
import dev.verdict.v1.ListAccessibleAppsRequest;
import dev.verdict.v1.ListAccessibleAppsResponse;
import dev.verdict.v1.ListUserPermissionsRequest;
import dev.verdict.v1.ListUserPermissionsResponse;
import dev.verdict.v1.ListUsersWithAccessRequest;
import dev.verdict.v1.ListUsersWithAccessResponse;
import dev.verdict.v1.Target;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelRegistry;
import io.grpc.TlsChannelCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The Verdict client: ask access questions and manage an organization. Immutable and thread-safe; make one per
 * application and share it. Build it with {@link #builder()}:
 *
 * <pre>{@code
 * VerdictClient verdict = VerdictClient.builder()
 *         .target("verdict.internal:8181")
 *         .apiKey(System.getenv("VERDICT_API_KEY"))
 *         .organization(orgId)
 *         .build();
 * if (verdict.isAllowed(Principal.user(userId)).can("app.deploy").in("production", "sales")) { ... }
 * }</pre>
 *
 * <p><b>Which check to use.</b> {@link #isAllowed} answers {@code false} on every failure (server unreachable,
 * deadline, bad key): use it to guard an action, where failing closed is what you want. {@link #check} returns a
 * {@link Decision} with the deny reason and revision, and throws a {@link VerdictException} when the question
 * could not be answered (an unknown permission key is an {@link InvalidArgumentException}): use it where you
 * want to tell a mistake in the question from a deny, in tests, or to log why. A {@code Decision} is only ever
 * allowed on an explicit ALLOWED from the server.
 *
 * <p>{@link #close()} shuts down the connection the client opened (never a caller-provided channel).
 */
public final class VerdictClient implements AutoCloseable {
    private final Calls calls;
    private final ManagedChannel ownedChannel;
    private final String organizationId;
    private final Consistency defaultConsistency;
    private final String description;
    private final AccessServiceBlockingStub access;
    private final Organizations organizations;
    private final Users users;
    private final Permissions permissions;
    private final Roles roles;
    private final Apps apps;
    private final Assignments assignments;
    private final Groups groups;
    private final Imports imports;
    private final ApiClients apiClients;
    private final Changes changes;

    VerdictClient(Calls calls, ManagedChannel ownedChannel, String organizationId, Consistency defaultConsistency,
            String description) {
        this.calls = calls;
        this.ownedChannel = ownedChannel;
        this.organizationId = organizationId;
        this.defaultConsistency = defaultConsistency;
        this.description = description;
        this.access = calls.stub(AccessServiceGrpc::newBlockingStub);
        this.organizations = new Organizations(calls, organizationId);
        this.users = new Users(calls, organizationId);
        this.permissions = new Permissions(calls, organizationId);
        this.roles = new Roles(calls, organizationId);
        this.apps = new Apps(calls, organizationId);
        this.assignments = new Assignments(calls, organizationId);
        this.groups = new Groups(calls, organizationId);
        this.imports = new Imports(calls, organizationId);
        this.apiClients = new ApiClients(calls, organizationId);
        this.changes = new Changes(calls, organizationId);
    }

    /** A builder; see {@link Builder} for the options and their defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A client bound to another organization, sharing this client's connection, settings and remembered
     * revisions. Closing either closes the shared connection.
     */
    public VerdictClient inOrganization(String organizationId) {
        return new VerdictClient(calls, ownedChannel, Builder.uuid(organizationId, "organizationId"),
                defaultConsistency, description);
    }

    /** The organization this client is bound to, if any. */
    public Optional<String> organizationId() {
        return Optional.ofNullable(organizationId);
    }

    // ---- Decisions

    /**
     * Starts an access question whose answer is a {@link Decision}; throws a {@link VerdictException} when the
     * question cannot be answered (bad or unknown key, wrong shape for the permission's level, server down).
     */
    public Check<Decision> check(Principal principal) {
        return new Check<>(principal, null, (query, consistency) -> {
            CheckAccessRequest request = CheckAccessRequest.newBuilder()
                    .setOrganizationId(requireOrganization())
                    .setQuery(query)
                    .setConsistency(consistency(consistency))
                    .build();
            return Decision.of(calls.call(organizationId, request, access::checkAccess), null);
        });
    }

    /**
     * Starts an access question whose answer is {@code true} only when the server explicitly allowed; every
     * failure (an exception, a missing or unspecified decision) answers {@code false}. Fails closed: use this to
     * guard actions. Arguments that are null or blank are programming errors and still throw.
     */
    public Check<Boolean> isAllowed(Principal principal) {
        Check.Asker<Decision> checking = (query, consistency) -> {
            CheckAccessRequest request = CheckAccessRequest.newBuilder()
                    .setOrganizationId(requireOrganization())
                    .setQuery(query)
                    .setConsistency(consistency(consistency))
                    .build();
            return Decision.of(calls.call(organizationId, request, access::checkAccess), null);
        };
        return new Check<>(principal, null, (query, consistency) -> {
            try {
                return checking.ask(query, consistency).allowed();
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    /** Starts a question answered with every path that grants it, or why it is denied ({@code ExplainAccess}). */
    public Check<ExplainAccessResponse> explain(Principal principal) {
        return new Check<>(principal, null, (query, consistency) -> calls.call(organizationId,
                ExplainAccessRequest.newBuilder()
                        .setOrganizationId(requireOrganization())
                        .setQuery(query)
                        .setConsistency(consistency(consistency))
                        .build(),
                access::explainAccess));
    }

    /** Starts a batch of questions decided in one call; see {@link BatchCheck}. */
    public BatchCheck batch() {
        return new BatchCheck(this);
    }

    /**
     * The effective permissions and roles of a principal ({@code ListUserPermissions}).
     *
     * @param stage  the stage, or null for organization-level permissions only
     * @param appKey the app, or null; needs a stage
     */
    public ListUserPermissionsResponse permissionsOf(Principal principal, String stage, String appKey) {
        ListUserPermissionsRequest.Builder request = ListUserPermissionsRequest.newBuilder()
                .setOrganizationId(requireOrganization())
                .setPrincipal(principal.toProto())
                .setConsistency(consistency(null));
        if (stage != null) {
            request.setStage(stage);
        }
        if (appKey != null) {
            request.setAppKey(appKey);
        }
        return calls.call(organizationId, request.build(), access::listUserPermissions);
    }

    /** The apps where a principal holds an APP-level permission in a stage, sorted ({@code ListAccessibleApps}). */
    public List<String> accessibleApps(Principal principal, String permissionKey, String stage) {
        return accessibleApps(ListAccessibleAppsRequest.newBuilder()
                .setPrincipal(principal.toProto())
                .setTarget(Target.newBuilder().setPermissionKey(permissionKey))
                .setStage(stage)
                .build()).getAppKeysList();
    }

    /** {@code ListAccessibleApps} as the protocol has it, for example with a role target. */
    public ListAccessibleAppsResponse accessibleApps(ListAccessibleAppsRequest request) {
        ListAccessibleAppsRequest.Builder filled = request.toBuilder();
        if (!request.hasConsistency()) {
            filled.setConsistency(consistency(null));
        }
        return calls.call(organizationId, filled.build(), access::listAccessibleApps);
    }

    /**
     * The ids of active users who hold a permission on an app in a stage, ordered by id, fetched page by page as
     * the iteration goes ({@code ListUsersWithAccess}).
     *
     * @param stage  the stage, or null when the permission's level takes none
     * @param appKey the app, or null when the permission's level takes none
     */
    public Iterable<String> usersWithAccess(String permissionKey, String stage, String appKey) {
        ListUsersWithAccessRequest.Builder request = ListUsersWithAccessRequest.newBuilder()
                .setTarget(Target.newBuilder().setPermissionKey(permissionKey));
        if (stage != null) {
            request.setStage(stage);
        }
        if (appKey != null) {
            request.setAppKey(appKey);
        }
        return usersWithAccess(request.build());
    }

    /**
     * {@code ListUsersWithAccess} as the protocol has it (a role target, a page size), iterated over every page.
     * Each page is fetched when the previous one is used up; a failure throws from {@code hasNext()}.
     */
    public Iterable<String> usersWithAccess(ListUsersWithAccessRequest request) {
        ListUsersWithAccessRequest first = request.hasConsistency()
                ? request : request.toBuilder().setConsistency(consistency(null)).build();
        return () -> new Iterator<>() {
            private Iterator<String> page = List.<String>of().iterator();
            private String nextToken = first.getPageToken();
            private boolean started;

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && (!started || !nextToken.isEmpty())) {
                    ListUsersWithAccessResponse response = calls.call(organizationId,
                            first.toBuilder().setPageToken(nextToken).build(), access::listUsersWithAccess);
                    started = true;
                    page = response.getUserIdsList().iterator();
                    nextToken = response.getNextPageToken();
                }
                return page.hasNext();
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.next();
            }
        };
    }

    // ---- Management

    /** Organizations: create, get, list, update, delete. */
    public Organizations organizations() {
        return organizations;
    }

    /** Users: invite, activate, deactivate, search, classify, ... */
    public Users users() {
        return users;
    }

    /** The permission catalogue. */
    public Permissions permissions() {
        return permissions;
    }

    /** Roles. */
    public Roles roles() {
        return roles;
    }

    /** Apps. */
    public Apps apps() {
        return apps;
    }

    /** Direct role assignments to users and API clients. */
    public Assignments assignments() {
        return assignments;
    }

    /** End-user groups, their members, role grants and IdP mappings. */
    public Groups groups() {
        return groups;
    }

    /** Bulk import of apps, groups and users. */
    public Imports imports() {
        return imports;
    }

    /** API clients (machine principals) and their secrets. */
    public ApiClients apiClients() {
        return apiClients;
    }

    /** The change log. */
    public Changes changes() {
        return changes;
    }

    /**
     * The newest revision this client has seen in a response for the bound organization, when the client was
     * built with {@link Builder#rememberRevisions(boolean) rememberRevisions(true)}.
     */
    public Optional<Revision> latestRevision() {
        return calls.newest(organizationId);
    }

    /**
     * Shuts down the connection the client opened, waiting up to 5 seconds for calls in flight. A channel the
     * caller provided is left alone.
     */
    @Override
    public void close() {
        if (ownedChannel == null) {
            return;
        }
        ownedChannel.shutdown();
        try {
            if (!ownedChannel.awaitTermination(5, TimeUnit.SECONDS)) {
                ownedChannel.shutdownNow();
            }
        } catch (InterruptedException e) {
            ownedChannel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Describes the settings; never the API key. */
    @Override
    public String toString() {
        return "VerdictClient{" + description + (organizationId == null ? "" : ", organization=" + organizationId)
                + "}";
    }

    /** The consistency to send: the caller's, else read-your-writes of the newest seen revision, else the default. */
    Consistency consistency(Consistency chosen) {
        if (chosen != null) {
            return chosen;
        }
        if (calls.remembersRevisions()) {
            Optional<Revision> newest = calls.newest(organizationId);
            if (newest.isPresent()) {
                return Consistencies.atLeastAsFresh(newest.get());
            }
        }
        return defaultConsistency;
    }

    String requireOrganization() {
        if (organizationId == null) {
            throw new IllegalStateException("the client is bound to no organization: use Builder.organization(id) "
                    + "or client.inOrganization(id) before asking access questions");
        }
        return organizationId;
    }

    Calls calls() {
        return calls;
    }

    AccessServiceBlockingStub access() {
        return access;
    }

    /**
     * Settings of a {@link VerdictClient}. Every setter checks its argument at once; {@link #build()} checks the
     * combination and fails with the reason. Not thread-safe; the client it builds is.
     *
     * <p>Defaults: TLS with the JVM's trusted certificates, no API key, a 10 second deadline on every call,
     * up to 4 attempts on UNAVAILABLE for reads and checks, the server's default consistency, no organization,
     * revisions not remembered.
     */
    public static final class Builder {
        private static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

        private String host;
        private int port;
        private Channel channel;
        private Boolean plaintext;
        private Path trustedCertificates;
        private Path clientCertificate;
        private Path clientKey;
        private String apiKey;
        private Duration deadline = DEFAULT_DEADLINE;
        private int maxAttempts = 4;
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(2);
        private Consistency defaultConsistency = Consistencies.MINIMIZE_LATENCY;
        private String organizationId;
        private boolean rememberRevisions;

        private Builder() {}

        /** The server as {@code host:port}, for example {@code verdict.internal:8181} or {@code [::1]:8181}. */
        public Builder target(String hostAndPort) {
            Objects.requireNonNull(hostAndPort, "target");
            int colon = hostAndPort.lastIndexOf(':');
            if (colon <= 0 || colon == hostAndPort.length() - 1) {
                throw new IllegalArgumentException("target must be host:port, was '" + hostAndPort + "'");
            }
            String h = hostAndPort.substring(0, colon);
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1);
            }
            int p;
            try {
                p = Integer.parseInt(hostAndPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("target must be host:port, was '" + hostAndPort + "'", e);
            }
            if (p < 1 || p > 65535 || h.isBlank()) {
                throw new IllegalArgumentException("target must be host:port with a port from 1 to 65535, was '"
                        + hostAndPort + "'");
            }
            this.host = h;
            this.port = p;
            return this;
        }

        /**
         * Uses a channel the caller made and owns instead of {@link #target}: the client never shuts it down,
         * and the channel's own settings (transport security, retries) apply. The API key and deadline still do.
         */
        public Builder channel(Channel channel) {
            this.channel = Objects.requireNonNull(channel, "channel");
            return this;
        }

        /** Talks without transport security; for local development and tests only. */
        public Builder plaintext() {
            this.plaintext = true;
            return this;
        }

        /** Talks TLS, trusting the JVM's certificate authorities (the default). */
        public Builder tls() {
            this.plaintext = false;
            return this;
        }

        /**
         * Talks TLS, trusting the certificate authorities in a PEM file (one or more {@code BEGIN CERTIFICATE}
         * blocks) instead of the JVM's. The server's certificate must name the target's host (DNS or IP
         * subject alternative name).
         */
        public Builder trustedCertificates(Path caPem) {
            this.trustedCertificates = readable(caPem, "trustedCertificates");
            this.plaintext = false;
            return this;
        }

        /**
         * Talks mutual TLS, presenting this certificate chain and its private key, both PEM files. The key may be
         * unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}, RSA or EC, what gRPC's TLS reads), PKCS#1
         * ({@code BEGIN RSA PRIVATE KEY}) or SEC1 with a named curve ({@code BEGIN EC PRIVATE KEY}); the last two
         * are rewrapped as PKCS#8. Encrypted keys ({@code ENCRYPTED PRIVATE KEY}, or a {@code Proc-Type: 4,ENCRYPTED}
         * header) are refused: decrypt them first, e.g. {@code openssl pkcs8 -topk8 -nocrypt -in key.pem}. The
         * files are read by {@link #build()}, which throws an {@link IllegalArgumentException} naming the problem,
         * also when the key is not the one of the chain's first certificate.
         */
        public Builder clientCertificate(Path certificateChainPem, Path privateKeyPem) {
            this.clientCertificate = readable(certificateChainPem, "clientCertificate");
            this.clientKey = readable(privateKeyPem, "clientKey");
            this.plaintext = false;
            return this;
        }

        /** Sends {@code authorization: Bearer <key>} on every call. The key is never logged nor printed. */
        public Builder apiKey(String key) {
            Objects.requireNonNull(key, "apiKey");
            if (key.isBlank() || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("apiKey must be non-empty printable ASCII without spaces");
            }
            this.apiKey = key;
            return this;
        }

        /** The deadline of every call that has none of its own (default 10 seconds); retries count against it. */
        public Builder defaultDeadline(Duration deadline) {
            Objects.requireNonNull(deadline, "deadline");
            if (deadline.isNegative() || deadline.isZero()) {
                throw new IllegalArgumentException("defaultDeadline must be positive, was " + deadline);
            }
            this.deadline = deadline;
            return this;
        }

        /**
         * How often a read or check is tried when the server answers UNAVAILABLE (default 4; 1 turns retries off;
         * at most 5), with exponential backoff from {@code initialBackoff} doubling up to {@code maxBackoff}.
         * Writes are never retried: they are not all idempotent. Retries are gRPC's own (the service config's
         * retry policy), so only attempts that can be safely replayed are, and the deadline bounds them all.
         */
        public Builder retries(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
            if (maxAttempts < 1 || maxAttempts > 5) {
                throw new IllegalArgumentException("maxAttempts must be from 1 to 5, was " + maxAttempts);
            }
            Objects.requireNonNull(initialBackoff, "initialBackoff");
            Objects.requireNonNull(maxBackoff, "maxBackoff");
            if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("backoff must be positive with maxBackoff >= initialBackoff");
            }
            this.maxAttempts = maxAttempts;
            this.initialBackoff = initialBackoff;
            this.maxBackoff = maxBackoff;
            return this;
        }

        /** The consistency of checks that choose none (default: minimize latency). */
        public Builder defaultConsistency(Consistency consistency) {
            Objects.requireNonNull(consistency, "consistency");
            if (consistency.getRequirementCase() == Consistency.RequirementCase.REQUIREMENT_NOT_SET) {
                throw new IllegalArgumentException("defaultConsistency must set one requirement");
            }
            this.defaultConsistency = consistency;
            return this;
        }

        /** The organization (UUID) that questions and management calls are about unless a request names one. */
        public Builder organization(String organizationId) {
            this.organizationId = uuid(organizationId, "organization");
            return this;
        }

        /**
         * Remembers the newest revision token seen in any response per organization, and asks checks that choose
         * no consistency to be at least that fresh: this client then always reads its own writes.
         */
        public Builder rememberRevisions(boolean remember) {
            this.rememberRevisions = remember;
            return this;
        }

        /**
         * Builds the client. Fails with an {@link IllegalStateException} naming the problem when the settings do
         * not fit together, and with an {@link IllegalArgumentException} when a TLS file cannot be read.
         */
        public VerdictClient build() {
            if (channel == null && host == null) {
                throw new IllegalStateException("set target(host:port) or channel(channel)");
            }
            if (channel != null && host != null) {
                throw new IllegalStateException("set either target(host:port) or channel(channel), not both");
            }
            if (channel != null && (plaintext != null || trustedCertificates != null || clientCertificate != null)) {
                throw new IllegalStateException("transport security belongs to the provided channel: "
                        + "do not combine channel(...) with plaintext(), tls() or certificates");
            }
            if (Boolean.TRUE.equals(plaintext) && (trustedCertificates != null || clientCertificate != null)) {
                throw new IllegalStateException("plaintext() cannot be combined with certificates");
            }
            CallCredentials credentials = apiKey == null ? null : new ApiKeyCredentials(apiKey);
            ManagedChannel owned = null;
            Channel base = channel;
            if (channel == null) {
                io.grpc.ManagedChannelBuilder<?> builder;
                try {
                    builder = Grpc.newChannelBuilderForAddress(host, port, channelCredentials());
                } catch (ManagedChannelRegistry.ProviderNotFoundException e) {
                    // The transport refused the credentials, typically a certificate or key file it cannot parse.
                    throw new IllegalArgumentException("cannot use the TLS certificates or key: " + e.getMessage(), e);
                }
                owned = builder
                        .defaultServiceConfig(RetryPolicy.serviceConfig(maxAttempts, initialBackoff, maxBackoff))
                        .enableRetry()
                        .build();
                base = owned;
            }
            Channel intercepted = ClientInterceptors.intercept(base, new DefaultDeadline(deadline));
            return new VerdictClient(new Calls(intercepted, credentials, rememberRevisions), owned, organizationId,
                    defaultConsistency, describe());
        }

        private ChannelCredentials channelCredentials() {
            if (Boolean.TRUE.equals(plaintext)) {
                return InsecureChannelCredentials.create();
            }
            TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
            try {
                if (trustedCertificates != null) {
                    tls.trustManager(trustedCertificates.toFile());
                }
                if (clientCertificate != null) {
                    try (InputStream chain = Files.newInputStream(clientCertificate)) {
                        byte[] key = PrivateKeyPem.pkcs8(clientKey);
                        PrivateKeyPem.requireMatch(clientCertificate, key, clientKey);
                        tls.keyManager(chain, new ByteArrayInputStream(key));
                    }
                }
            } catch (IllegalArgumentException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("cannot read the TLS certificates or key: " + e.getMessage(), e);
            }
            return tls.build();
        }

        private String describe() {
            String transport = channel != null ? "channel=provided"
                    : "target=" + host + ":" + port + (Boolean.TRUE.equals(plaintext) ? ", plaintext"
                    : clientCertificate != null ? ", mtls" : ", tls");
            return transport + ", apiKey=" + (apiKey == null ? "none" : "set") + ", deadline=" + deadline
                    + ", maxAttempts=" + maxAttempts + ", rememberRevisions=" + rememberRevisions;
        }

        /** Describes the settings; never the API key. */
        @Override
        public String toString() {
            return "VerdictClient.Builder{" + (host == null && channel == null ? "no target" : describe()) + "}";
        }

        private static Path readable(Path file, String name) {
            Objects.requireNonNull(file, name);
            if (!Files.isReadable(file) || Files.isDirectory(file)) {
                throw new IllegalArgumentException(name + " is not a readable file: " + file);
            }
            return file;
        }

        static String uuid(String value, String name) {
            Objects.requireNonNull(value, name);
            try {
                UUID.fromString(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + " must be a UUID, was '" + value + "'", e);
            }
            if (value.length() != 36) {
                throw new IllegalArgumentException(name + " must be a UUID, was '" + value + "'");
            }
            return value;
        }
    }
}
