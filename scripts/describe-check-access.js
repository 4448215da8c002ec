// Describes verdict.v1.AccessService/CheckAccess from a server reflection answer, as grpcurl's `describe` does,
// and fails unless the schema is the one clients are built against. Used by scripts/client-smoke.
//
// stdin: buf curl's JSON output of one ServerReflectionInfo call with {"file_containing_symbol":
// "verdict.v1.AccessService"} (grpc.reflection.v1 or v1alpha: both answer with the same message shape).
// The FileDescriptorProtos in it (base64) are decoded with protobufjs, which clients/node already has
// (through @grpc/proto-loader, pinned in clients/node/package-lock.json).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const descriptor = createRequire(path.join(__dirname, '..', 'clients', 'node', 'package.json'))(
  'protobufjs/ext/descriptor');

const SERVICE = 'verdict.v1.AccessService';
const METHOD = 'CheckAccess';
// What clients rely on: field name → type (a scalar, or the fully-qualified message or enum).
const EXPECTED = {
  '.verdict.v1.CheckAccessRequest': {
    organization_id: 'string', query: '.verdict.v1.AccessQuery', consistency: '.verdict.v1.Consistency' },
  '.verdict.v1.CheckAccessResponse': { decision: '.verdict.v1.Decision' },
};
const SCALARS = { 1: 'double', 2: 'float', 3: 'int64', 4: 'uint64', 5: 'int32', 6: 'fixed64', 7: 'fixed32',
  8: 'bool', 9: 'string', 12: 'bytes', 13: 'uint32', 15: 'sfixed32', 16: 'sfixed64', 17: 'sint32', 18: 'sint64' };

function fail(message) {
  console.error(`describe CheckAccess: ${message}`);
  process.exit(1);
}

let answer;
try {
  answer = JSON.parse(fs.readFileSync(0, 'utf8'));
} catch (e) {
  fail(`the reflection answer is not JSON: ${e.message}`);
}
if (answer.errorResponse) {
  fail(`the server answered error ${answer.errorResponse.errorCode}: ${answer.errorResponse.errorMessage}`);
}
const encoded = answer.fileDescriptorResponse?.fileDescriptorProto;
if (!Array.isArray(encoded) || encoded.length === 0) {
  fail(`no file descriptors in the answer: ${JSON.stringify(answer).slice(0, 300)}`);
}
const files = encoded.map((b64) => descriptor.FileDescriptorProto.decode(Buffer.from(b64, 'base64')));

// Every message and enum of every returned file (the service's file and its imports), by fully-qualified name.
const messages = new Map();
const enums = new Set();
function index(prefix, messageTypes, enumTypes) {
  for (const e of enumTypes || []) enums.add(`${prefix}.${e.name}`);
  for (const m of messageTypes || []) {
    const name = `${prefix}.${m.name}`;
    messages.set(name, m);
    index(name, m.nestedType, m.enumType);
  }
}
let service;
let serviceFile;
for (const file of files) {
  const prefix = file.package ? `.${file.package}` : '';
  index(prefix, file.messageType, file.enumType);
  for (const s of file.service || []) {
    if (`${prefix}.${s.name}` === `.${SERVICE}`) {
      service = s;
      serviceFile = file.name;
    }
  }
}
if (!service) fail(`${SERVICE} is not in the returned files (${files.map((f) => f.name).join(', ')})`);
const method = (service.method || []).find((m) => m.name === METHOD);
if (!method) fail(`${SERVICE} has no method ${METHOD}`);
if (method.clientStreaming || method.serverStreaming) fail(`${METHOD} is not unary`);

const typeOf = (field) => SCALARS[field.type] || field.typeName;
function describeMessage(name) {
  const message = messages.get(name);
  if (!message) fail(`message ${name} is not in the returned files`);
  const lines = [`message ${name.slice(1)} {`];
  for (const field of message.field || []) {
    const repeated = field.label === 3 ? 'repeated ' : '';
    lines.push(`  ${repeated}${typeOf(field)} ${field.name} = ${field.number};`);
  }
  lines.push('}');
  return { message, text: lines.join('\n') };
}

const printed = [`${SERVICE}.${METHOD} (${serviceFile}, ${files.length} files with imports):`,
  `rpc ${METHOD} ( ${method.inputType} ) returns ( ${method.outputType} );`];
const [input, output] = Object.keys(EXPECTED);
if (method.inputType !== input) fail(`input type is ${method.inputType}, expected ${input}`);
if (method.outputType !== output) fail(`output type is ${method.outputType}, expected ${output}`);
for (const name of [input, output]) {
  const { message, text } = describeMessage(name);
  printed.push(text);
  for (const [fieldName, type] of Object.entries(EXPECTED[name])) {
    const field = (message.field || []).find((f) => f.name === fieldName);
    if (!field) fail(`${name.slice(1)} has no field ${fieldName}`);
    if (typeOf(field) !== type) fail(`${name.slice(1)}.${fieldName} is ${typeOf(field)}, expected ${type}`);
    if (type.startsWith('.') && !messages.has(type) && !enums.has(type)) {
      fail(`${name.slice(1)}.${fieldName}'s type ${type} is not in the returned files`);
    }
  }
}
console.log(printed.join('\n'));
