package dev.verdict.server.store;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * One write transaction of one organization. It already holds the organization's next revision; the
 * repository doing the work names the change it makes ({@link #change}) and the users whose decisions it
 * alters ({@link #affects}), and {@link Store} appends that to the change log before committing.
 */
public final class Write {
    private final DSLContext dsl;
    private final UUID organizationId;
    private final long revision;
    private final Set<UUID> affectedUsers = new LinkedHashSet<>();
    private String resourceType;
    private String resourceId;
    private String action;

    Write(DSLContext dsl, UUID organizationId, long revision) {
        this.dsl = dsl;
        this.organizationId = organizationId;
        this.revision = revision;
    }

    /** The transaction's DSL. */
    public DSLContext dsl() {
        return dsl;
    }

    public UUID organizationId() {
        return organizationId;
    }

    public long revision() {
        return revision;
    }

    /** Names what this write changes, for the change log; the last call wins. */
    public Write change(String resourceType, Object resourceId, String action) {
        this.resourceType = resourceType;
        this.resourceId = String.valueOf(resourceId);
        this.action = action;
        return this;
    }

    /** Adds users whose decisions this write alters directly. */
    public Write affects(UUID user) {
        affectedUsers.add(user);
        return this;
    }

    /** Adds users whose decisions this write alters directly. */
    public Write affects(Collection<UUID> users) {
        affectedUsers.addAll(users);
        return this;
    }

    String resourceType() {
        return resourceType;
    }

    String resourceId() {
        return resourceId;
    }

    String action() {
        return action;
    }

    Set<UUID> affectedUsers() {
        return affectedUsers;
    }
}
