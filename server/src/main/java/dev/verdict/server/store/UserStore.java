package dev.verdict.server.store;

import static dev.verdict.server.store.schema.Tables.APP_USER;
import static dev.verdict.server.store.schema.Tables.ASSIGNMENT;
import static dev.verdict.server.store.schema.Tables.EXTERNAL_GROUP_MEMBERSHIP;
import static dev.verdict.server.store.schema.Tables.EXTERNAL_IDENTITY;
import static dev.verdict.server.store.schema.Tables.GROUP_IDP_MAPPING;
import static dev.verdict.server.store.schema.Tables.GROUP_MEMBER;
import static dev.verdict.server.store.schema.Tables.ROLE;

import dev.verdict.server.domain.Classification;
import dev.verdict.server.domain.DomainException;
import dev.verdict.server.domain.EndUserRoleGrant;
import dev.verdict.server.domain.ExternalIdentity;
import dev.verdict.server.domain.Invitation;
import dev.verdict.server.domain.LicenseUsage;
import dev.verdict.server.domain.Page;
import dev.verdict.server.domain.Principal;
import dev.verdict.server.domain.RoleKind;
import dev.verdict.server.domain.User;
import dev.verdict.server.domain.UserChanges;
import dev.verdict.server.domain.UserFilter;
import dev.verdict.server.domain.UserStatus;
import dev.verdict.server.domain.Written;
import dev.verdict.server.store.schema.tables.records.AppUserRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record3;
import org.jooq.impl.DSL;

/**
 * Users of an organization: invitation (with roles, groups and identities in the same transaction), reads,
 * search, updates, the lifecycle INVITED → ACTIVE ⇄ DEACTIVATED, deletion, classification, external groups
 * and license usage.
 */
public final class UserStore {
    private final Store store;

    public UserStore(Store store) {
        this.store = store;
    }

    /** Invites a user with everything the invitation asks for, or nothing when any part is refused. */
    public Written<User> invite(UUID org, Invitation invitation) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            requireFreeEmail(tx, org, invitation.email(), null);
            UUID id = UUID.randomUUID();
            tx.insertInto(APP_USER)
                    .set(APP_USER.ORGANIZATION_ID, org)
                    .set(APP_USER.USER_ID, id)
                    .set(APP_USER.EMAIL, invitation.email())
                    .set(APP_USER.EMAIL_KEY, User.emailKey(invitation.email()))
                    .set(APP_USER.DISPLAY_NAME, invitation.displayName())
                    .set(APP_USER.STATUS, UserStatus.INVITED.name())
                    .set(APP_USER.CLASSIFICATION, invitation.classification().name())
                    .execute();
            Principal user = Principal.user(id);
            for (int i = 0; i < invitation.organizationRoleKeys().size(); i++) {
                String field = "organization_role_keys[" + i + "]";
                AssignmentStore.assign(tx, org, user, invitation.organizationRoleKeys().get(i), null, null,
                        RoleKind.ORGANIZATION, new AssignmentStore.Fields(field, field, field, field));
            }
            var seen = new HashSet<EndUserRoleGrant>();
            for (int i = 0; i < invitation.endUserRoles().size(); i++) {
                EndUserRoleGrant grant = invitation.endUserRoles().get(i);
                String field = "end_user_roles[" + i + "]";
                if (!seen.add(grant)) {
                    throw DomainException.invalid(field, "repeats an earlier end-user role grant");
                }
                AssignmentStore.assign(tx, org, user, grant.roleKey(), emptyToNull(grant.stage()), emptyToNull(grant.appKey()),
                        RoleKind.END_USER,
                        new AssignmentStore.Fields(field, field + ".role_key", field + ".stage", field + ".app_key"));
            }
            for (int i = 0; i < invitation.groupIds().size(); i++) {
                UUID group = invitation.groupIds().get(i);
                Lookups.requireGroup(tx, org, group, "group_ids[" + i + "]");
                tx.insertInto(GROUP_MEMBER)
                        .set(GROUP_MEMBER.ORGANIZATION_ID, org)
                        .set(GROUP_MEMBER.GROUP_ID, group)
                        .set(GROUP_MEMBER.USER_ID, id)
                        .execute();
            }
            insertIdentities(tx, org, id, invitation.externalIdentities(), "external_identities");
            w.change("user", id, "invited").affects(id);
            return get(tx, org, id);
        });
    }

    /** The user, or NOT_FOUND. */
    public User get(UUID org, UUID id) {
        return store.read(db -> get(db, org, id));
    }

    /** The user with this email (compared case-insensitively after trimming), or NOT_FOUND. */
    public User getByEmail(UUID org, String email) {
        return store.read(db -> {
            AppUserRecord row = db.selectFrom(APP_USER)
                    .where(APP_USER.ORGANIZATION_ID.eq(org), APP_USER.EMAIL_KEY.eq(User.emailKey(email)))
                    .fetchOne();
            if (row == null) {
                throw DomainException.notFound("user", email.strip());
            }
            return withIdentities(db, org, List.of(row)).getFirst();
        });
    }

    /**
     * Users matching every filter that is set, ordered by email key then id. The page token carries the sort
     * key of the last user and a fingerprint of the filters, so a token is refused under other filters.
     */
    public Page<User> search(UUID org, UserFilter filter, int pageSize, String pageToken) {
        String fingerprint = fingerprint(filter);
        List<String> after = PageToken.decode(pageToken, 3);
        if (after != null && !after.get(0).equals(fingerprint)) {
            throw DomainException.invalid("page_token", "was issued for other filters; repeat the first request's filters");
        }
        Condition where = APP_USER.ORGANIZATION_ID.eq(org);
        String query = filter.query() == null ? "" : filter.query().strip();
        if (!query.isEmpty()) {
            where = where.and(APP_USER.EMAIL_KEY.startsWith(User.emailKey(query))
                    .or(APP_USER.DISPLAY_NAME.startsWithIgnoreCase(query)));
        }
        if (filter.status() != null) {
            where = where.and(APP_USER.STATUS.eq(filter.status().name()));
        }
        if (filter.classification() != null) {
            where = where.and(APP_USER.CLASSIFICATION.eq(filter.classification().name()));
        }
        if (filter.roleKey() != null) {
            where = where.and(DSL.exists(DSL.selectOne().from(ASSIGNMENT).where(
                    ASSIGNMENT.ORGANIZATION_ID.eq(APP_USER.ORGANIZATION_ID),
                    ASSIGNMENT.USER_ID.eq(APP_USER.USER_ID),
                    ASSIGNMENT.ROLE_KEY.eq(filter.roleKey()))));
        }
        if (filter.groupId() != null) {
            where = where.and(DSL.exists(DSL.selectOne().from(GROUP_MEMBER).where(
                    GROUP_MEMBER.ORGANIZATION_ID.eq(APP_USER.ORGANIZATION_ID),
                    GROUP_MEMBER.USER_ID.eq(APP_USER.USER_ID),
                    GROUP_MEMBER.GROUP_ID.eq(filter.groupId()))));
        }
        if (after != null) {
            where = where.and(DSL.row(APP_USER.EMAIL_KEY, APP_USER.USER_ID).gt(after.get(1), tokenId(after.get(2))));
        }
        Condition condition = where;
        return store.read(db -> {
            List<AppUserRecord> rows = db.selectFrom(APP_USER)
                    .where(condition)
                    .orderBy(APP_USER.EMAIL_KEY, APP_USER.USER_ID)
                    .limit(pageSize + 1)
                    .fetch();
            if (rows.size() <= pageSize) {
                return new Page<>(withIdentities(db, org, rows), "");
            }
            List<AppUserRecord> page = rows.subList(0, pageSize);
            AppUserRecord last = page.getLast();
            return new Page<>(withIdentities(db, org, page),
                    PageToken.encode(fingerprint, last.getEmailKey(), last.getUserId().toString()));
        });
    }

    /** Applies {@code changes}; a missing user is NOT_FOUND. An empty display name falls back to the email. */
    public Written<User> update(UUID org, UUID id, UserChanges changes) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            User current = get(tx, org, id);
            Map<Field<?>, Object> values = new LinkedHashMap<>();
            String email = current.email();
            if (changes.email() != null) {
                email = changes.email();
                requireFreeEmail(tx, org, email, id);
                values.put(APP_USER.EMAIL, email);
                values.put(APP_USER.EMAIL_KEY, User.emailKey(email));
            }
            if (changes.displayName() != null) {
                values.put(APP_USER.DISPLAY_NAME, changes.displayName().isEmpty() ? email : changes.displayName());
            }
            if (changes.classification() != null) {
                values.put(APP_USER.CLASSIFICATION, changes.classification().name());
            }
            values.put(APP_USER.UPDATE_TIME, DSL.currentOffsetDateTime());
            tx.update(APP_USER).set(values)
                    .where(APP_USER.ORGANIZATION_ID.eq(org), APP_USER.USER_ID.eq(id))
                    .execute();
            if (changes.externalIdentities() != null) {
                tx.deleteFrom(EXTERNAL_IDENTITY)
                        .where(EXTERNAL_IDENTITY.ORGANIZATION_ID.eq(org), EXTERNAL_IDENTITY.USER_ID.eq(id))
                        .execute();
                insertIdentities(tx, org, id, changes.externalIdentities(), "user.external_identities");
            }
            w.change("user", id, "updated").affects(id);
            return get(tx, org, id);
        });
    }

    /** INVITED or DEACTIVATED → ACTIVE; an active user stays active. */
    public Written<User> activate(UUID org, UUID id) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            get(tx, org, id);
            setStatus(tx, org, id, UserStatus.ACTIVE);
            w.change("user", id, "activated").affects(id);
            return get(tx, org, id);
        });
    }

    /**
     * ACTIVE → DEACTIVATED; a deactivated user stays deactivated. An invited user has nothing to deactivate:
     * FAILED_PRECONDITION {@code NOT_ACTIVE} (the invitation is deleted instead).
     */
    public Written<User> deactivate(UUID org, UUID id) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            if (get(tx, org, id).status() == UserStatus.INVITED) {
                throw DomainException.failedPrecondition("NOT_ACTIVE", "users/" + id,
                        "user " + id + " has not activated yet; delete the invitation instead");
            }
            setStatus(tx, org, id, UserStatus.DEACTIVATED);
            w.change("user", id, "deactivated").affects(id);
            return get(tx, org, id);
        });
    }

    /** Deletes a user; its assignments, memberships and identities go with it (the foreign keys cascade). */
    public Written<Void> delete(UUID org, UUID id) {
        return store.write(org, w -> {
            int deleted = w.dsl().deleteFrom(APP_USER)
                    .where(APP_USER.ORGANIZATION_ID.eq(org), APP_USER.USER_ID.eq(id))
                    .execute();
            if (deleted == 0) {
                throw DomainException.notFound("user", id.toString());
            }
            w.change("user", id, "deleted").affects(id);
            return null;
        });
    }

    /** Sets the classification of every listed user, or of none when one is unknown. */
    public Written<List<User>> classify(UUID org, List<UUID> ids, Classification classification) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            Set<UUID> existing = new HashSet<>(tx.select(APP_USER.USER_ID).from(APP_USER)
                    .where(APP_USER.ORGANIZATION_ID.eq(org), APP_USER.USER_ID.in(ids))
                    .fetch(APP_USER.USER_ID));
            for (int i = 0; i < ids.size(); i++) {
                if (!existing.contains(ids.get(i))) {
                    throw DomainException.invalid("user_ids[" + i + "]", "no user " + ids.get(i) + " in this organization");
                }
            }
            tx.update(APP_USER)
                    .set(APP_USER.CLASSIFICATION, classification.name())
                    .set(APP_USER.UPDATE_TIME, DSL.currentOffsetDateTime())
                    .where(APP_USER.ORGANIZATION_ID.eq(org), APP_USER.USER_ID.in(ids))
                    .execute();
            w.change("user", ids.stream().map(UUID::toString).collect(Collectors.joining(",")), "classified").affects(ids);
            Map<UUID, User> byId = new HashMap<>();
            for (User user : withIdentities(tx, org, tx.selectFrom(APP_USER)
                    .where(APP_USER.ORGANIZATION_ID.eq(org), APP_USER.USER_ID.in(ids))
                    .fetch())) {
                byId.put(user.id(), user);
            }
            return ids.stream().map(byId::get).toList();
        });
    }

    /**
     * Replaces the user's external groups at {@code idp} with {@code groups} (names kept exactly) and returns
     * the ids of the groups mapped to one of them, ordered by id.
     */
    public Written<List<UUID>> syncExternalGroups(UUID org, UUID id, String idp, List<String> groups) {
        return store.write(org, w -> {
            DSLContext tx = w.dsl();
            get(tx, org, id);
            tx.deleteFrom(EXTERNAL_GROUP_MEMBERSHIP)
                    .where(EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID.eq(org),
                            EXTERNAL_GROUP_MEMBERSHIP.USER_ID.eq(id),
                            EXTERNAL_GROUP_MEMBERSHIP.IDP.eq(idp))
                    .execute();
            if (!groups.isEmpty()) {
                var insert = tx.insertInto(EXTERNAL_GROUP_MEMBERSHIP,
                        EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID, EXTERNAL_GROUP_MEMBERSHIP.USER_ID,
                        EXTERNAL_GROUP_MEMBERSHIP.IDP, EXTERNAL_GROUP_MEMBERSHIP.EXTERNAL_GROUP);
                for (String group : groups) {
                    insert = insert.values(org, id, idp, group);
                }
                insert.execute();
            }
            w.change("user", id, "external_groups_synced").affects(id);
            return tx.selectDistinct(GROUP_IDP_MAPPING.GROUP_ID).from(GROUP_IDP_MAPPING)
                    .where(GROUP_IDP_MAPPING.ORGANIZATION_ID.eq(org),
                            GROUP_IDP_MAPPING.IDP.eq(idp),
                            GROUP_IDP_MAPPING.EXTERNAL_GROUP.in(groups))
                    .orderBy(GROUP_IDP_MAPPING.GROUP_ID)
                    .fetch(GROUP_IDP_MAPPING.GROUP_ID);
        });
    }

    /**
     * Counts the organization's users for licensing. Deactivated users are not counted. A user holding any
     * organization role is a member; any other user holding an end-user role or effectively in a group
     * (directly, or through an external group a group is mapped to) is an end-user of its classification.
     */
    public LicenseUsage licenseUsage(UUID org) {
        return store.read(db -> {
            Condition member = holdsRoleOfKind(RoleKind.ORGANIZATION);
            Condition endUser = holdsRoleOfKind(RoleKind.END_USER)
                    .or(DSL.exists(DSL.selectOne().from(GROUP_MEMBER).where(
                            GROUP_MEMBER.ORGANIZATION_ID.eq(APP_USER.ORGANIZATION_ID),
                            GROUP_MEMBER.USER_ID.eq(APP_USER.USER_ID))))
                    .or(DSL.exists(DSL.selectOne().from(EXTERNAL_GROUP_MEMBERSHIP)
                            .join(GROUP_IDP_MAPPING).on(
                                    GROUP_IDP_MAPPING.ORGANIZATION_ID.eq(EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID),
                                    GROUP_IDP_MAPPING.IDP.eq(EXTERNAL_GROUP_MEMBERSHIP.IDP),
                                    GROUP_IDP_MAPPING.EXTERNAL_GROUP.eq(EXTERNAL_GROUP_MEMBERSHIP.EXTERNAL_GROUP))
                            .where(EXTERNAL_GROUP_MEMBERSHIP.ORGANIZATION_ID.eq(APP_USER.ORGANIZATION_ID),
                                    EXTERNAL_GROUP_MEMBERSHIP.USER_ID.eq(APP_USER.USER_ID))));
            Condition licensed = DSL.not(member).and(endUser);
            Record3<Integer, Integer, Integer> counts = db.select(
                            DSL.count().filterWhere(member),
                            DSL.count().filterWhere(licensed.and(APP_USER.CLASSIFICATION.eq(Classification.INTERNAL.name()))),
                            DSL.count().filterWhere(licensed.and(APP_USER.CLASSIFICATION.eq(Classification.EXTERNAL.name()))))
                    .from(APP_USER)
                    .where(APP_USER.ORGANIZATION_ID.eq(org), APP_USER.STATUS.ne(UserStatus.DEACTIVATED.name()))
                    .fetchOne();
            return new LicenseUsage(counts.value1(), counts.value2(), counts.value3());
        });
    }

    private static Condition holdsRoleOfKind(RoleKind kind) {
        return DSL.exists(DSL.selectOne().from(ASSIGNMENT)
                .join(ROLE).on(ROLE.ORGANIZATION_ID.eq(ASSIGNMENT.ORGANIZATION_ID), ROLE.ROLE_KEY.eq(ASSIGNMENT.ROLE_KEY))
                .where(ASSIGNMENT.ORGANIZATION_ID.eq(APP_USER.ORGANIZATION_ID),
                        ASSIGNMENT.USER_ID.eq(APP_USER.USER_ID),
                        ROLE.KIND.eq(kind.name())));
    }

    /** The user read in {@code db}'s transaction, or NOT_FOUND. */
    private static User get(DSLContext db, UUID org, UUID id) {
        AppUserRecord row = db.selectFrom(APP_USER)
                .where(APP_USER.ORGANIZATION_ID.eq(org), APP_USER.USER_ID.eq(id))
                .fetchOne();
        if (row == null) {
            throw DomainException.notFound("user", id.toString());
        }
        return withIdentities(db, org, List.of(row)).getFirst();
    }

    private static void setStatus(DSLContext tx, UUID org, UUID id, UserStatus status) {
        tx.update(APP_USER)
                .set(APP_USER.STATUS, status.name())
                .set(APP_USER.UPDATE_TIME, DSL.currentOffsetDateTime())
                .where(APP_USER.ORGANIZATION_ID.eq(org), APP_USER.USER_ID.eq(id))
                .execute();
    }

    /** Another user with the same email key (in any letter case) is ALREADY_EXISTS. */
    private static void requireFreeEmail(DSLContext tx, UUID org, String email, UUID except) {
        Condition same = APP_USER.ORGANIZATION_ID.eq(org).and(APP_USER.EMAIL_KEY.eq(User.emailKey(email)));
        if (except != null) {
            same = same.and(APP_USER.USER_ID.ne(except));
        }
        if (tx.fetchExists(APP_USER, same)) {
            throw DomainException.alreadyExists("user", email);
        }
    }

    /**
     * Adds identities of user {@code id}. One repeated in the list is INVALID_ARGUMENT on {@code field[i]}; one
     * that another user of the organization already has is ALREADY_EXISTS.
     */
    private static void insertIdentities(DSLContext tx, UUID org, UUID id, List<ExternalIdentity> identities, String field) {
        var seen = new HashSet<ExternalIdentity>();
        for (int i = 0; i < identities.size(); i++) {
            ExternalIdentity identity = identities.get(i);
            if (!seen.add(identity)) {
                throw DomainException.invalid(field + "[" + i + "]", "repeats an earlier identity");
            }
            if (tx.fetchExists(EXTERNAL_IDENTITY, EXTERNAL_IDENTITY.ORGANIZATION_ID.eq(org),
                    EXTERNAL_IDENTITY.IDP.eq(identity.idp()), EXTERNAL_IDENTITY.SUBJECT.eq(identity.subject()))) {
                throw DomainException.alreadyExists("external identity", identity.idp() + "/" + identity.subject());
            }
            tx.insertInto(EXTERNAL_IDENTITY)
                    .set(EXTERNAL_IDENTITY.ORGANIZATION_ID, org)
                    .set(EXTERNAL_IDENTITY.USER_ID, id)
                    .set(EXTERNAL_IDENTITY.IDP, identity.idp())
                    .set(EXTERNAL_IDENTITY.SUBJECT, identity.subject())
                    .execute();
        }
    }

    /** The users of {@code rows}, in order, each with its external identities (one query for all). */
    private static List<User> withIdentities(DSLContext db, UUID org, Collection<AppUserRecord> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        List<UUID> ids = rows.stream().map(AppUserRecord::getUserId).toList();
        Map<UUID, List<ExternalIdentity>> identities = new HashMap<>();
        db.selectFrom(EXTERNAL_IDENTITY)
                .where(EXTERNAL_IDENTITY.ORGANIZATION_ID.eq(org), EXTERNAL_IDENTITY.USER_ID.in(ids))
                .orderBy(EXTERNAL_IDENTITY.IDP, EXTERNAL_IDENTITY.SUBJECT)
                .forEach(r -> identities.computeIfAbsent(r.getUserId(), k -> new ArrayList<>())
                        .add(new ExternalIdentity(r.getIdp(), r.getSubject())));
        return rows.stream().map(r -> new User(
                        r.getUserId(),
                        r.getEmail(),
                        r.getDisplayName(),
                        UserStatus.valueOf(r.getStatus()),
                        Classification.valueOf(r.getClassification()),
                        List.copyOf(identities.getOrDefault(r.getUserId(), List.of())),
                        r.getCreateTime().toInstant(),
                        r.getUpdateTime().toInstant()))
                .toList();
    }

    /** A short, stable digest of the filters a page token was issued for. */
    private static String fingerprint(UserFilter filter) {
        String filters = String.join("\u001f",
                Objects.toString(filter.query() == null ? "" : filter.query().strip()),
                Objects.toString(filter.status(), ""),
                Objects.toString(filter.roleKey(), ""),
                Objects.toString(filter.groupId(), ""),
                Objects.toString(filter.classification(), ""));
        CRC32 crc = new CRC32();
        crc.update(filters.getBytes(StandardCharsets.UTF_8));
        return Long.toHexString(crc.getValue());
    }

    private static UUID tokenId(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid("page_token", "is not a token this listing issued");
        }
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
