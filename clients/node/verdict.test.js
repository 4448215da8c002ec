// A Node.js client of Verdict made at run time from the contracts in proto/src/main/proto: proves that the
// protos are all another language needs. Runs against a live server:
// VERDICT_TARGET=host:port VERDICT_BOOTSTRAP_KEY=<the server's bootstrap key> node --test
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const root = path.resolve(__dirname, '..', '..');
const contracts = path.join(root, 'proto', 'src', 'main', 'proto');
// buf/validate and google/rpc protos, unpacked from the Maven dependency jars by the proto module's build.
const imports = path.join(root, 'proto', 'target', 'buf-deps');
const target = process.env.VERDICT_TARGET;
const bootstrapKey = process.env.VERDICT_BOOTSTRAP_KEY;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function load() {
  if (!fs.existsSync(path.join(imports, 'buf', 'validate', 'validate.proto'))) {
    throw new Error(`${imports} is missing: run 'mvn -q -pl proto generate-sources' first`);
  }
  const files = fs.readdirSync(path.join(contracts, 'verdict', 'v1')).map((f) => `verdict/v1/${f}`);
  const definition = protoLoader.loadSync(files, {
    includeDirs: [contracts, imports],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).verdict.v1;
}

function clients() {
  if (!target || !bootstrapKey) {
    throw new Error('set VERDICT_TARGET=host:port and VERDICT_BOOTSTRAP_KEY of a running Verdict (see scripts/client-smoke)');
  }
  const v1 = load();
  const credentials = grpc.credentials.createInsecure();
  return {
    organizations: new v1.OrganizationService(target, credentials),
    users: new v1.UserService(target, credentials),
    access: new v1.AccessService(target, credentials),
  };
}

// One unary call as a promise, with a deadline, sending `authorization: Bearer <key>` when a key is given.
function call(client, method, request, key) {
  const metadata = new grpc.Metadata();
  if (key) metadata.set('authorization', `Bearer ${key}`);
  return new Promise((resolve, reject) => {
    client[method](request, metadata, { deadline: Date.now() + 10_000 }, (error, response) =>
      error ? reject(error) : resolve(response));
  });
}

test('creates an organization, invites a user and asks an access question', async (t) => {
  const c = clients();
  t.after(() => Object.values(c).forEach((client) => client.close()));

  const name = `Node ${Date.now()} ${Math.random().toString(16).slice(2)}`;
  const anonymous = await call(c.organizations, 'CreateOrganization', { name }).catch((e) => e);
  assert.equal(anonymous.code, grpc.status.UNAUTHENTICATED);

  // The bootstrap key creates organizations; each comes with an administrator API key, shown once.
  const created = await call(c.organizations, 'CreateOrganization', { name }, bootstrapKey);
  assert.match(created.organization.organizationId, UUID);
  assert.equal(created.organization.name, name);
  assert.deepEqual(created.organization.stages, ['development', 'qa', 'production']);
  assert.match(created.revisionToken, /^\d+$/);
  const org = created.organization.organizationId;
  const admin = created.adminApiKey;
  assert.match(admin, /^vk_[0-9a-f]{32}_/);

  const duplicate = await call(c.organizations, 'CreateOrganization', { name }, bootstrapKey).catch((e) => e);
  assert.equal(duplicate.code, grpc.status.ALREADY_EXISTS);

  const invited = await call(c.users, 'InviteUser', {
    organizationId: org,
    email: 'ana@acme.example',
    displayName: 'Ana',
    organizationRoleKeys: ['developer'],
  }, admin);
  assert.match(invited.user.userId, UUID);
  assert.equal(invited.user.email, 'ana@acme.example');
  assert.equal(invited.user.status, 'USER_STATUS_INVITED');
  assert.ok(BigInt(invited.revisionToken) > BigInt(created.revisionToken));
  const user = invited.user.userId;

  const badEmail = await call(c.users, 'InviteUser', { organizationId: org, email: 'nope' }, admin).catch((e) => e);
  assert.equal(badEmail.code, grpc.status.INVALID_ARGUMENT);

  const question = (permissionKey, revision) => ({
    organizationId: org,
    query: { principal: { userId: user }, target: { permissionKey } },
    consistency: revision ? { atLeastAsFresh: revision } : { fullyConsistent: true },
  });

  // Invited, not active yet: denied whatever the roles.
  const inactive = await call(c.access, 'CheckAccess', question('users.view', invited.revisionToken), admin);
  assert.equal(inactive.decision, 'DECISION_DENIED');
  assert.equal(inactive.reason, 'DENY_REASON_PRINCIPAL_INACTIVE');

  const activated = await call(c.users, 'ActivateUser', { organizationId: org, userId: user }, admin);
  assert.equal(activated.user.status, 'USER_STATUS_ACTIVE');

  const allowed = await call(c.access, 'CheckAccess', question('users.view', activated.revisionToken), admin);
  assert.equal(allowed.decision, 'DECISION_ALLOWED');
  assert.ok(BigInt(allowed.revisionToken) >= BigInt(activated.revisionToken));

  const denied = await call(c.access, 'CheckAccess', question('users.manage', activated.revisionToken), admin);
  assert.equal(denied.decision, 'DECISION_DENIED');
  assert.equal(denied.reason, 'DENY_REASON_NO_GRANT');

  const unknown = await call(c.access, 'CheckAccess', question('no.such.permission'), admin).catch((e) => e);
  assert.equal(unknown.code, grpc.status.INVALID_ARGUMENT);
});
