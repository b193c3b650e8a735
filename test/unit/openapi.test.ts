// The OpenAPI document says everything: every operation has an operationId, a
// tag, a summary, every status its middleware can answer (keyed: 401, 403,
// 429, 503; a body: 400, 413, 415, and the body marked required or not; a
// keyed POST: the Idempotency-Key header, 409 and 422), typed 2xx bodies (no
// untyped object anywhere in them), every error as a problem, the headers it
// sends declared, and a description for every parameter. A route added
// without these fails here.
import assert from 'node:assert/strict';
import { apiDocument, type OpenApiDocument } from '../support/document';

type Json = Record<string, unknown>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function operationsOf(doc: OpenApiDocument): { name: string; method: string; op: Json }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ name: `${m.toUpperCase()} ${path}`, method: m, op: item[m] as Json })),
  );
}

/** every place in a schema (refs followed once) where an object is left untyped: `additionalProperties: {}`, or an object without properties */
function untyped(doc: OpenApiDocument, schema: unknown, where: string, seen = new Set<string>()): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as Json;
  if (typeof s.$ref === 'string') {
    if (seen.has(s.$ref)) return [];
    seen.add(s.$ref);
    const name = s.$ref.split('/').at(-1)!;
    return untyped(doc, (doc.components.schemas as Json)[name], `${where} → ${name}`, seen);
  }
  const found: string[] = [];
  if (s.additionalProperties !== undefined && typeof s.additionalProperties === 'object' && !Object.keys(s.additionalProperties as Json).length) {
    found.push(`${where}: additionalProperties: {}`);
  }
  const types = [s.type].flat();
  if (types.includes('object') && !s.properties && !s.additionalProperties && !s.description) found.push(`${where}: an object without properties`);
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' && v && typeof v === 'object') {
      for (const [p, inner] of Object.entries(v as Json)) found.push(...untyped(doc, inner, `${where}.${p}`, seen));
    } else if (['items', 'additionalProperties', 'not'].includes(k)) found.push(...untyped(doc, v, `${where}[${k}]`, seen));
    else if (['anyOf', 'oneOf', 'allOf'].includes(k) && Array.isArray(v)) v.forEach((x, i) => found.push(...untyped(doc, x, `${where}.${k}[${i}]`, seen)));
  }
  return found;
}

/** what is wrong with one operation, each a sentence */
export function operationFaults(doc: OpenApiDocument, name: string, method: string, op: Json): string[] {
  const faults: string[] = [];
  const fault = (what: string) => faults.push(`${name}: ${what}`);
  // the Twilio-compatible face: form-encoded bodies and Twilio's error body, by design
  const twin = name.split(' ')[1]!.startsWith('/2010-04-01/');
  if (typeof op.operationId !== 'string' || !op.operationId) fault('no operationId');
  if (!Array.isArray(op.tags) || !op.tags.length) fault('no tag');
  else {
    const known = ((doc.tags ?? []) as { name: string }[]).map((t) => t.name);
    for (const t of op.tags as string[]) if (!known.includes(t)) fault(`tag ${t} is not among the document's tags`);
  }
  if (typeof op.summary !== 'string' || !op.summary) fault('no summary');
  const responses = (op.responses ?? {}) as Record<string, Json>;
  const keyed = Array.isArray(op.security) && op.security.length > 0;
  const params = (op.parameters ?? []) as Json[];
  const need = (statuses: string[], why: string) => {
    for (const s of statuses) if (!responses[s]) fault(`no ${s} response (${why})`);
  };
  need(['400', '500'], 'every operation: a NUL in its path or query is a 400');
  if (keyed) need(['401', '403', '429', '503'], 'it takes an API key');
  if (keyed && method !== 'get') need(['413', '415'], 'its body is read');
  const body = op.requestBody as Json | undefined;
  if (body) {
    need(['413', '415'], 'it takes a body');
    if (typeof body.required !== 'boolean') fault('its request body does not say whether it is required');
    const content = (body.content ?? {}) as Json;
    if (!content[twin ? 'application/x-www-form-urlencoded' : 'application/json'])
      fault(`its request body is not ${twin ? 'application/x-www-form-urlencoded' : 'application/json'}`);
  }
  if (keyed && method === 'post') {
    need(['409', '422'], 'a keyed POST takes an Idempotency-Key');
    if (!params.some((p) => p.in === 'header' && p.name === 'Idempotency-Key')) fault('no Idempotency-Key header parameter');
  }
  for (const p of params) {
    if (typeof p.description !== 'string' || p.description.length < 8) fault(`parameter ${String(p.name)} has no description that explains it`);
  }
  for (const [status, r] of Object.entries(responses)) {
    const code = Number(status);
    const headers = (r.headers ?? {}) as Json;
    if (!headers['X-Request-Id']) fault(`${status} does not declare X-Request-Id`);
    if (typeof r.description !== 'string' || !r.description) fault(`${status} has no description`);
    if (keyed && (!headers['RateLimit-Limit'] || !headers['RateLimit-Remaining'])) fault(`${status} does not declare the RateLimit headers`);
    if ((code === 429 || code === 503) && !headers['Retry-After']) fault(`${status} does not declare Retry-After`);
    if (keyed && method === 'post' && !headers['Idempotent-Replayed']) fault(`${status} does not declare Idempotent-Replayed`);
    const content = r.content as Record<string, Json> | undefined;
    if (code === 204) {
      if (content) fault('204 declares a body');
    } else if (code >= 200 && code < 300) {
      if (!content || !Object.keys(content).length) fault(`${status} has no typed body`);
      for (const [type, media] of Object.entries(content ?? {})) {
        if (!media.schema) fault(`${status} ${type} has no schema`);
        for (const u of untyped(doc, media.schema, `${status} ${type}`)) fault(u);
      }
    } else if (code >= 400 && !(name === 'GET /ready' && code === 503)) {
      if (twin) {
        const schema = content?.['application/json']?.schema as Json | undefined;
        if (schema?.$ref !== '#/components/schemas/TwilioError') fault(`${status} is not Twilio's error body (application/json, TwilioError)`);
      } else {
        const schema = content?.['application/problem+json']?.schema as Json | undefined;
        if (schema?.$ref !== '#/components/schemas/Problem') fault(`${status} is not a problem (application/problem+json, Problem)`);
      }
    }
  }
  return faults;
}

describe('OpenAPI document: every operation says everything', () => {
  const doc = apiDocument();
  const ops = operationsOf(doc);

  it('has the operations, with unique operationIds', () => {
    assert.ok(ops.length >= 30, `only ${ops.length} operations`);
    const ids = ops.map((o) => o.op.operationId);
    assert.deepEqual(
      ids.filter((id, i) => ids.indexOf(id) !== i),
      [],
      'duplicate operationIds',
    );
  });

  it('holds every operation to the rules (operationId, tag, statuses, typed 2xx, problems, headers, required bodies, parameter descriptions)', () => {
    const faults = ops.flatMap(({ name, method, op }) => operationFaults(doc, name, method, op));
    assert.deepEqual(faults, [], `\n${faults.join('\n')}`);
  });

  it('declares the shared headers and the Problem schema with the request id', () => {
    const headers = doc.components.headers as Json;
    for (const h of ['X-Request-Id', 'RateLimit-Limit', 'RateLimit-Remaining', 'Retry-After', 'Idempotent-Replayed']) assert.ok(headers[h], h);
    const problem = (doc.components.schemas as Record<string, { required: string[] }>).Problem!;
    assert.deepEqual([...problem.required].sort(), ['code', 'detail', 'instance', 'requestId', 'status', 'title', 'type']);
  });

  it('the rules catch an operation that breaks them (a check that can fail)', () => {
    const bare = { responses: { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'object', additionalProperties: {} } } } } } };
    const faults = operationFaults(doc, 'POST /v1/things', 'post', { ...bare, security: [{ apiKey: [] }], parameters: [{ name: 'id', in: 'path' }] });
    for (const expected of [
      'no operationId',
      'no tag',
      'no 401 response',
      'no 429 response',
      'no 422 response',
      'no Idempotency-Key header parameter',
      'parameter id has no description',
      '200 does not declare X-Request-Id',
      '200 does not declare the RateLimit headers',
      'additionalProperties: {}',
    ]) {
      assert.ok(
        faults.some((f) => f.includes(expected)),
        `${expected} not caught in:\n${faults.join('\n')}`,
      );
    }
  });
});
