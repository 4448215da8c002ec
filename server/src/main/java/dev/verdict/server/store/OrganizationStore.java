package dev.verdict.server.store;

import static dev.verdict.server.store.schema.Tables.ASSIGNMENT;
import static dev.verdict.server.store.schema.Tables.ORGANIZATION;
import static dev.verdict.server.store.schema.Tables.PERMISSION;
import static dev.verdict.server.store.schema.Tables.PERMISSION_IMPLICATION;
import static dev.verdict.server.store.schema.Tables.ROLE;
import static dev.verdict.server.store.schema.Tables.ROLE_PERMISSION;
import static dev.verdict.server.store.schema.Tables.USER_GROUP;

import dev.verdict.server.domain.BuiltInCatalogue;
import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.IssuedSecret;
import dev.verdict.server.domain.Organization;
import dev.verdict.server.domain.Page;
import dev.verdict.server.domain.Permission;
import dev.verdict.server.domain.PermissionGrant;
import dev.verdict.server.domain.Role;
import dev.verdict.server.domain.Written;
import dev.verdict.server.store.schema.tables.records.OrganizationRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Organizations: creation with the built-in catalogue, reads, renames, stage changes and deletion. */
public final class OrganizationStore {
    /** Name of the API client every organization is created with. */
    public static final String ADMIN_CLIENT_NAME = "administrator";

    private final Store store;

    public OrganizationStore(Store store) {
        this.store = store;
    }

    /**
     * Creates an organization with its stages, the built-in permissions and the built-in roles, and its first
     * API client ({@link #ADMIN_CLIENT_NAME}) holding the built-in administrator role organization-wide: without
     * it nobody could manage the new organization, since every other key belongs to one organization.
     */
    public Written<NewOrganization> create(String name, List<String> stages) {
        List<String> orgStages = stages.isEmpty() ? Organization.DEFAULT_STAGES : List.copyOf(stages);
        UUID id = UUID.randomUUID();
        return store.writeNewOrganization(id, w -> {
            DSLContext tx = w.dsl();
            requireUniqueName(tx, name, null);
            tx.insertInto(ORGANIZATION)
                    .set(ORGANIZATION.ORGANIZATION_ID, id)
                    .set(ORGANIZATION.NAME, name)
                    .set(ORGANIZATION.STAGES, orgStages.toArray(String[]::new))
                    .set(ORGANIZATION.REVISION, 1L)
                    .execute();
            seedCatalogue(tx, id, orgStages);
            IssuedSecret admin = ApiClientStore.insert(tx, id, ADMIN_CLIENT_NAME);
            UUID adminId = admin.apiClient().id();
            tx.insertInto(ASSIGNMENT)
                    .set(ASSIGNMENT.ORGANIZATION_ID, id)
                    .set(ASSIGNMENT.ASSIGNMENT_ID, UUID.randomUUID())
                    .set(ASSIGNMENT.API_CLIENT_ID, adminId)
                    .set(ASSIGNMENT.ROLE_KEY, BuiltInCatalogue.ADMINISTRATOR)
                    .execute();
            w.change("organization", id, "created").affects(adminId);
            return new NewOrganization(get(tx, id).orElseThrow(), admin);
        });
    }

    /** A just-created organization with its administrator API client and that client's key. */
    public record NewOrganization(Organization organization, IssuedSecret administrator) {}

    private static void seedCatalogue(DSLContext tx, UUID org, List<String> stages) {
        for (Permission p : BuiltInCatalogue.PERMISSIONS) {
            tx.insertInto(PERMISSION)
                    .set(PERMISSION.ORGANIZATION_ID, org)
                    .set(PERMISSION.PERMISSION_KEY, p.key())
                    .set(PERMISSION.DISPLAY_NAME, p.displayName())
                    .set(PERMISSION.SECTION, p.section())
                    .set(PERMISSION.LEVEL, p.level().name())
                    .set(PERMISSION.DESCRIPTION, p.description())
                    .set(PERMISSION.BUILT_IN, true)
                    .execute();
        }
        for (Permission p : BuiltInCatalogue.PERMISSIONS) {
            for (String implied : p.implies()) {
                tx.insertInto(PERMISSION_IMPLICATION)
                        .set(PERMISSION_IMPLICATION.ORGANIZATION_ID, org)
                        .set(PERMISSION_IMPLICATION.PERMISSION_KEY, p.key())
                        .set(PERMISSION_IMPLICATION.IMPLIED_KEY, implied)
                        .execute();
            }
        }
        for (Role role : BuiltInCatalogue.roles(stages)) {
            tx.insertInto(ROLE)
                    .set(ROLE.ORGANIZATION_ID, org)
                    .set(ROLE.ROLE_KEY, role.key())
                    .set(ROLE.DISPLAY_NAME, role.displayName())
                    .set(ROLE.DESCRIPTION, role.description())
                    .set(ROLE.KIND, role.kind().name())
                    .set(ROLE.BUILT_IN, true)
                    .execute();
            for (PermissionGrant grant : role.grants()) {
                tx.insertInto(ROLE_PERMISSION)
                        .set(ROLE_PERMISSION.ORGANIZATION_ID, org)
                        .set(ROLE_PERMISSION.ROLE_KEY, role.key())
                        .set(ROLE_PERMISSION.PERMISSION_KEY, grant.permissionKey())
                        .set(ROLE_PERMISSION.STAGES, grant.allStages() ? null : grant.stages().toArray(String[]::new))
                        .execute();
            }
        }
    }

    public Optional<Organization> get(UUID id) {
        return store.read(db -> get(db, id));
    }

    /** The organization, read in {@code db}'s transaction. */
    public static Optional<Organization> get(DSLContext db, UUID id) {
        return db.selectFrom(ORGANIZATION)
                .where(ORGANIZATION.ORGANIZATION_ID.eq(id))
                .fetchOptional()
                .map(OrganizationStore::toOrganization);
    }

    /** Organizations ordered by name, then id. */
    public Page<Organization> list(int pageSize, String pageToken) {
        List<String> after = PageToken.decode(pageToken, 2);
        return store.read(db -> {
            var query = db.selectFrom(ORGANIZATION).where(DSL.trueCondition());
            if (after != null) {
                UUID afterId = parseId(after.get(1));
                query = query.and(DSL.row(ORGANIZATION.NAME, ORGANIZATION.ORGANIZATION_ID).gt(after.get(0), afterId));
            }
            List<Organization> rows = query.orderBy(ORGANIZATION.NAME, ORGANIZATION.ORGANIZATION_ID)
                    .limit(pageSize + 1)
                    .fetch(OrganizationStore::toOrganization);
            return page(rows, pageSize);
        });
    }

    private static Page<Organization> page(List<Organization> rows, int pageSize) {
        if (rows.size() <= pageSize) {
            return new Page<>(rows, "");
        }
        List<Organization> items = rows.subList(0, pageSize);
        Organization last = items.getLast();
        return new Page<>(List.copyOf(items), PageToken.encode(last.name(), last.id().toString()));
    }

    /** Renames an organization and/or changes its stages; a stage still in use cannot be removed. */
    public Written<Organization> update(UUID id, String name, List<String> stages) {
        return store.write(id, w -> {
            DSLContext tx = w.dsl();
            Organization current = get(tx, id).orElseThrow();
            if (name != null) {
                requireUniqueName(tx, name, id);
                tx.update(ORGANIZATION).set(ORGANIZATION.NAME, name).where(ORGANIZATION.ORGANIZATION_ID.eq(id)).execute();
            }
            if (stages != null) {
                if (stages.isEmpty()) {
                    throw DomainException.invalid("organization.stages", "must name at least one stage");
                }
                for (String removed : current.stages()) {
                    if (!stages.contains(removed) && stageInUse(tx, id, removed)) {
                        throw DomainException.failedPrecondition("STAGE_IN_USE", "stages/" + removed,
                                "stage " + removed + " is used by assignments, groups or roles and cannot be removed");
                    }
                }
                tx.update(ORGANIZATION)
                        .set(ORGANIZATION.STAGES, stages.toArray(String[]::new))
                        .where(ORGANIZATION.ORGANIZATION_ID.eq(id))
                        .execute();
            }
            w.change("organization", id, "updated");
            return get(tx, id).orElseThrow();
        });
    }

    private static boolean stageInUse(DSLContext tx, UUID org, String stage) {
        return tx.fetchExists(ASSIGNMENT, ASSIGNMENT.ORGANIZATION_ID.eq(org).and(ASSIGNMENT.STAGE.eq(stage)))
                || tx.fetchExists(USER_GROUP, USER_GROUP.ORGANIZATION_ID.eq(org).and(USER_GROUP.STAGE.eq(stage)))
                || tx.fetchExists(ROLE_PERMISSION, ROLE_PERMISSION.ORGANIZATION_ID.eq(org)
                        .and(DSL.val(stage).eq(DSL.any(ROLE_PERMISSION.STAGES))));
    }

    /** Deletes an organization and everything in it. */
    public void delete(UUID id) {
        int deleted = store.transaction(db -> db.deleteFrom(ORGANIZATION).where(ORGANIZATION.ORGANIZATION_ID.eq(id)).execute());
        if (deleted == 0) {
            throw DomainException.notFound("organization", id.toString());
        }
    }

    private static void requireUniqueName(DSLContext tx, String name, UUID except) {
        var sameName = ORGANIZATION.NAME.lower().eq(name.toLowerCase(java.util.Locale.ROOT));
        if (except != null) {
            sameName = sameName.and(ORGANIZATION.ORGANIZATION_ID.ne(except));
        }
        if (tx.fetchExists(ORGANIZATION, sameName)) {
            throw DomainException.alreadyExists("organization", name);
        }
    }

    private static UUID parseId(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid("page_token", "is not a token this listing issued");
        }
    }

    static Organization toOrganization(OrganizationRecord r) {
        return new Organization(r.getOrganizationId(), r.getName(), List.of(r.getStages()),
                r.getCreateTime().toInstant(), r.getRevision());
    }

    /** The stages of an organization, or NOT_FOUND. */
    public static List<String> stages(DSLContext db, UUID org) {
        String[] stages = db.select(ORGANIZATION.STAGES).from(ORGANIZATION)
                .where(ORGANIZATION.ORGANIZATION_ID.eq(org)).fetchOne(ORGANIZATION.STAGES);
        if (stages == null) {
            throw DomainException.notFound("organization", org.toString());
        }
        return new ArrayList<>(List.of(stages));
    }
}
