// The Cerbos peer of Verdict's benchmarks, from Prepare's cerbos-input.json (the same logical data as Verdict's):
//
//   node cerbos.mjs policies DIR/cerbos-input.json OUT --grpc-port 3593 --http-port 3592
//       one resource policy per app (kind = app key), a rule per role and stage allowing the role's expanded
//       permissions when request.resource.attr.stage is that stage; and OUT/config.yaml (loopback, disk store,
//       telemetry and audit off)
//   node cerbos.mjs requests DIR/cerbos-input.json OUT
//       OUT/cerbos-check-allow.grpc and cerbos-check-deny.grpc: one CheckResources request each, gRPC-framed for
//       h2load -d, encoded with Cerbos's own generated code (@cerbos/api), the same kind of question as
//       check-allow.grpc: one principal with its resolved roles, one app resource with its stage, one action
//   node cerbos.mjs verify-response RESPONSE.bin ALLOW|DENY
//       decodes a CheckResources answer (written by FramedCall --response-out) and checks its effect
//   node cerbos.mjs check DIR/cerbos-input.json 127.0.0.1:3593 [--sample N]
//       asks Cerbos (@cerbos/grpc) N of the queries and exits 1 unless every answer equals "allowed"
import { fromBinary, fromJson, toBinary } from "@bufbuild/protobuf";
import { CheckResourcesRequestSchema } from "@cerbos/api/cerbos/request/v1/request_pb";
import { CheckResourcesResponseSchema } from "@cerbos/api/cerbos/response/v1/response_pb";
import { Effect } from "@cerbos/api/cerbos/effect/v1/effect_pb";
import { GRPC } from "@cerbos/grpc";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const [command, ...args] = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const die = (message) => {
  console.error(`cerbos.mjs: ${message}`);
  process.exit(2);
};
const readInput = (file) => JSON.parse(readFileSync(file, "utf8"));
// JSON strings are valid YAML scalars: no YAML library needed, and every key is quoted safely.
const q = (s) => JSON.stringify(s);

function policies(inputFile, out) {
  const input = readInput(inputFile);
  const grpcPort = flag("--grpc-port", "3593");
  const httpPort = flag("--http-port", "3592");
  const dir = join(out, "policies");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The rules are the same for every app: roles are organization-wide definitions; which apps a user holds a
  // role on is resolved by the caller (Cerbos is stateless), as in cerbos-input.json's queries.
  const rules = [];
  for (const role of input.roles) {
    for (const stage of input.stages) {
      const actions = role.permissionsByStage[stage] ?? [];
      if (actions.length === 0) continue;
      rules.push(
        [
          `    - name: ${q(`${role.key}-${stage}`)}`,
          `      actions: [${actions.map(q).join(", ")}]`,
          `      effect: EFFECT_ALLOW`,
          `      roles: [${q(role.key)}]`,
          `      condition:`,
          `        match:`,
          `          expr: ${q(`request.resource.attr.stage == ${q(stage)}`)}`,
        ].join("\n"),
      );
    }
  }
  for (const app of input.apps) {
    const policy = [
      `apiVersion: api.cerbos.dev/v1`,
      `resourcePolicy:`,
      `  version: "default"`,
      `  resource: ${q(app)}`,
      `  rules:`,
      rules.length ? rules.join("\n") : "    []",
      "",
    ].join("\n");
    writeFileSync(join(dir, `${app}.yaml`), policy);
  }
  writeFileSync(
    join(out, "config.yaml"),
    [
      `# Cerbos PDP of the benchmark: loopback only, policies from disk, no telemetry, no audit log.`,
      `server:`,
      `  httpListenAddr: "127.0.0.1:${httpPort}"`,
      `  grpcListenAddr: "127.0.0.1:${grpcPort}"`,
      `storage:`,
      `  driver: disk`,
      `  disk:`,
      `    directory: ${q(resolve(dir))}`,
      `    watchForChanges: false`,
      `telemetry:`,
      `  disabled: true`,
      `audit:`,
      `  enabled: false`,
      "",
    ].join("\n"),
  );
  console.log(`cerbos: ${input.apps.length} resource policies of ${rules.length} rules each in ${dir}`);
}

// Cerbos refuses a principal without roles; a user that holds none here gets a role no rule names, so Cerbos
// still decides (DENY) rather than the caller answering for it.
const NO_ROLES = "no_roles";
const rolesOf = (query) => (query.roles.length > 0 ? query.roles : [NO_ROLES]);

/** The CheckResources request of one cerbos-input.json query, in Cerbos's JSON form. */
function checkRequest(query, requestId) {
  return fromJson(CheckResourcesRequestSchema, {
    requestId,
    principal: { id: query.principal, roles: rolesOf(query) },
    resources: [
      {
        actions: [query.action],
        resource: { kind: query.app, id: query.app, attr: { stage: query.stage } },
      },
    ],
  });
}

function frame(message) {
  const bytes = toBinary(CheckResourcesRequestSchema, message);
  const framed = Buffer.alloc(5 + bytes.length);
  framed.writeUInt8(0, 0); // not compressed
  framed.writeUInt32BE(bytes.length, 1);
  Buffer.from(bytes).copy(framed, 5);
  return framed;
}

function requests(inputFile, out) {
  const input = readInput(inputFile);
  mkdirSync(out, { recursive: true });
  // A principal with roles, like the check-allow / check-deny bodies of Verdict (a user with grants).
  const withRoles = input.queries.filter((x) => x.roles.length > 0);
  const allow = withRoles.find((x) => x.allowed);
  const deny = withRoles.find((x) => !x.allowed) ?? input.queries.find((x) => !x.allowed);
  if (!allow || !deny) die("cerbos-input.json has no allowed query or no denied one");
  for (const [name, query] of [["allow", allow], ["deny", deny]]) {
    writeFileSync(join(out, `cerbos-check-${name}.grpc`), frame(checkRequest(query, "bench")));
    writeFileSync(join(out, `cerbos-check-${name}.json`), JSON.stringify(query) + "\n");
  }
  console.log(`cerbos: cerbos-check-allow.grpc and cerbos-check-deny.grpc in ${out}`);
}

function verifyResponse(file, want) {
  const response = fromBinary(CheckResourcesResponseSchema, readFileSync(file));
  const effects = response.results.flatMap((r) => Object.values(r.actions));
  const expected = want === "ALLOW" ? Effect.ALLOW : Effect.DENY;
  const names = effects.map((e) => Effect[e]).join(", ");
  if (effects.length !== 1 || effects[0] !== expected) {
    console.error(`cerbos: answer ${names || "(none)"}, expected ${want}`);
    process.exit(1);
  }
  console.log(`cerbos: answer ${names}, as expected`);
}

async function check(inputFile, target) {
  const input = readInput(inputFile);
  const sample = Math.min(Number(flag("--sample", "2000")), input.queries.length);
  // Evenly spread over the queries, so the sample sees every part of the data set.
  const step = input.queries.length / sample;
  const queries = Array.from({ length: sample }, (_, i) => input.queries[Math.floor(i * step)]);
  const cerbos = new GRPC(target, { tls: false });
  let mismatches = 0;
  let next = 0;
  const worker = async () => {
    while (next < queries.length) {
      const query = queries[next++];
      const answer = await cerbos.checkResource({
        principal: { id: query.principal, roles: rolesOf(query) },
        resource: { kind: query.app, id: query.app, attr: { stage: query.stage } },
        actions: [query.action],
      });
      if (answer.isAllowed(query.action) !== query.allowed) {
        if (mismatches++ < 5) console.error(`cerbos: mismatch on ${JSON.stringify(query)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  cerbos.close();
  const allowed = queries.filter((x) => x.allowed).length;
  console.log(`cerbos: ${sample} queries (${allowed} allowed), ${mismatches} mismatches`);
  if (mismatches > 0) process.exit(1);
}

switch (command) {
  case "policies":
    policies(args[0], args[1]);
    break;
  case "requests":
    requests(args[0], args[1]);
    break;
  case "verify-response":
    verifyResponse(args[0], args[1]);
    break;
  case "check":
    await check(args[0], args[1]);
    break;
  default:
    die("usage: node cerbos.mjs policies|requests|verify-response|check … (see the comment at the top)");
}
