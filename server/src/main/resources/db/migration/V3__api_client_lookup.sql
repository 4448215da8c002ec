-- An API key carries its client's id (vk_<id>_<secret>), so authentication finds the client by id alone,
-- before it knows the organization. Not unique: with the schema distributed by organization (Citus), a unique
-- index must include organization_id; ids are random UUIDs, and authentication compares every match's hash.
create index api_client_id_idx on api_client (api_client_id);
