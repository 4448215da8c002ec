-- Verdict schema. Every table leads its keys with organization_id so that it can later be distributed by
-- organization (Citus) without a redesign. Keys of permissions, roles and apps are the caller's own keys.

create table organization (
    organization_id uuid        not null primary key,
    name            text        not null,
    stages          text[]      not null,
    -- Latest revision of the organization's change log; bumped (row-locked) by every write, which
    -- serializes an organization's writes and keeps its revisions gapless.
    revision        bigint      not null default 0,
    create_time     timestamptz not null default now()
);
create unique index organization_name_key on organization (lower(name));

create table change_log (
    organization_id uuid        not null references organization on delete cascade,
    revision        bigint      not null,
    resource_type   text        not null,
    resource_id     text        not null,
    action          text        not null,
    -- Users whose decisions this change may alter directly (empty when the change is wider).
    user_ids        uuid[]      not null default '{}',
    commit_time     timestamptz not null default now(),
    primary key (organization_id, revision)
);

-- Idempotency keys of creates: a retried request with the same key returns the first response.
create table request_log (
    organization_id uuid        not null,
    request_id      uuid        not null,
    method          text        not null,
    response        bytea       not null,
    create_time     timestamptz not null default now(),
    primary key (organization_id, request_id, method)
);

create table app_user (
    organization_id  uuid        not null references organization on delete cascade,
    user_id          uuid        not null,
    email            text        not null,
    -- Trimmed and lower-cased email: uniqueness and lookups are case-insensitive.
    email_key        text        not null,
    display_name     text        not null,
    status           text        not null check (status in ('INVITED', 'ACTIVE', 'DEACTIVATED')),
    classification   text        not null check (classification in ('INTERNAL', 'EXTERNAL')),
    create_time      timestamptz not null default now(),
    update_time      timestamptz not null default now(),
    primary key (organization_id, user_id),
    unique (organization_id, email_key)
);
create index app_user_display_name_idx on app_user (organization_id, lower(display_name));

create table external_identity (
    organization_id uuid not null,
    user_id         uuid not null,
    idp             text not null,
    subject         text not null,
    primary key (organization_id, idp, subject),
    foreign key (organization_id, user_id) references app_user on delete cascade
);
create index external_identity_user_idx on external_identity (organization_id, user_id);

create table api_client (
    organization_id uuid        not null references organization on delete cascade,
    api_client_id   uuid        not null,
    name            text        not null,
    -- SHA-256 of the secret; the secret itself is never stored.
    secret_hash     bytea       not null,
    enabled         boolean     not null default true,
    create_time     timestamptz not null default now(),
    primary key (organization_id, api_client_id),
    unique (organization_id, name)
);

create table permission (
    organization_id uuid    not null references organization on delete cascade,
    permission_key  text    not null,
    display_name    text    not null,
    section         text    not null,
    level           text    not null check (level in ('ORGANIZATION', 'STAGE', 'APP')),
    description     text    not null default '',
    built_in        boolean not null default false,
    primary key (organization_id, permission_key)
);

create table permission_implication (
    organization_id uuid not null,
    permission_key  text not null,
    implied_key     text not null,
    primary key (organization_id, permission_key, implied_key),
    foreign key (organization_id, permission_key) references permission on delete cascade,
    foreign key (organization_id, implied_key) references permission on delete cascade,
    check (permission_key <> implied_key)
);

create table role (
    organization_id uuid    not null references organization on delete cascade,
    role_key        text    not null,
    display_name    text    not null,
    description     text    not null default '',
    kind            text    not null check (kind in ('ORGANIZATION', 'END_USER')),
    built_in        boolean not null default false,
    primary key (organization_id, role_key)
);

create table role_permission (
    organization_id uuid   not null,
    role_key        text   not null,
    permission_key  text   not null,
    -- The stages the permission applies in; null means every stage.
    stages          text[],
    primary key (organization_id, role_key, permission_key),
    foreign key (organization_id, role_key) references role on delete cascade,
    foreign key (organization_id, permission_key) references permission on delete cascade
);

create table app (
    organization_id uuid not null references organization on delete cascade,
    app_key         text not null,
    display_name    text not null,
    description     text not null default '',
    primary key (organization_id, app_key)
);

create table assignment (
    organization_id uuid        not null,
    assignment_id   uuid        not null,
    -- Exactly one of user_id and api_client_id is set.
    user_id         uuid,
    api_client_id   uuid,
    role_key        text        not null,
    -- Null stage: every stage; null app_key: every app.
    stage           text,
    app_key         text,
    create_time     timestamptz not null default now(),
    primary key (organization_id, assignment_id),
    foreign key (organization_id, user_id) references app_user on delete cascade,
    foreign key (organization_id, api_client_id) references api_client on delete cascade,
    foreign key (organization_id, role_key) references role on delete cascade,
    foreign key (organization_id, app_key) references app on delete cascade,
    check ((user_id is null) <> (api_client_id is null))
);
create unique index assignment_unique_idx on assignment (organization_id,
    coalesce(user_id, api_client_id), role_key, coalesce(stage, ''), coalesce(app_key, ''));
create index assignment_user_idx on assignment (organization_id, user_id);
create index assignment_api_client_idx on assignment (organization_id, api_client_id);
create index assignment_role_idx on assignment (organization_id, role_key);
create index assignment_app_idx on assignment (organization_id, app_key);

create table user_group (
    organization_id uuid        not null references organization on delete cascade,
    group_id        uuid        not null,
    name            text        not null,
    description     text        not null default '',
    stage           text        not null,
    create_time     timestamptz not null default now(),
    primary key (organization_id, group_id)
);
create unique index user_group_name_key on user_group (organization_id, lower(name));

create table group_member (
    organization_id uuid not null,
    group_id        uuid not null,
    user_id         uuid not null,
    primary key (organization_id, group_id, user_id),
    foreign key (organization_id, group_id) references user_group on delete cascade,
    foreign key (organization_id, user_id) references app_user on delete cascade
);
create index group_member_user_idx on group_member (organization_id, user_id);

create table group_role_grant (
    organization_id uuid not null,
    group_id        uuid not null,
    role_key        text not null,
    app_key         text not null,
    primary key (organization_id, group_id, role_key, app_key),
    foreign key (organization_id, group_id) references user_group on delete cascade,
    foreign key (organization_id, role_key) references role on delete cascade,
    foreign key (organization_id, app_key) references app on delete cascade
);

create table group_idp_mapping (
    organization_id uuid not null,
    group_id        uuid not null,
    idp             text not null,
    external_group  text not null,
    primary key (organization_id, group_id, idp, external_group),
    foreign key (organization_id, group_id) references user_group on delete cascade
);
create index group_idp_mapping_lookup_idx on group_idp_mapping (organization_id, idp, external_group);

-- The user's groups at an identity provider, replaced wholesale at each sign-in through it.
create table external_group_membership (
    organization_id uuid not null,
    user_id         uuid not null,
    idp             text not null,
    external_group  text not null,
    primary key (organization_id, user_id, idp, external_group),
    foreign key (organization_id, user_id) references app_user on delete cascade
);
create index external_group_membership_group_idx on external_group_membership (organization_id, idp, external_group);
