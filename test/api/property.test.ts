// Generated bad requests to every operation in the OpenAPI document, on the
// real stack: path parameters from generated (some URL-hostile) strings,
// arbitrary JSON and non-JSON bodies, the operation's own body with one field
// given a wrong type or a hostile string, random query strings, odd and
// duplicated headers (Idempotency-Key, Content-Type, Content-Encoding,
// Authorization), keys of every scope and none. Whatever comes, the answer is
// never a 5xx, and every 4xx is a problem (application/problem+json) with a code and a detail.
// Seeded: a failure reports its seed; FC_SEED=<seed> replays it, FC_RUNS=<n>
// runs more. No generated body holds a string that parses as an address, so
// nothing reaches an endpoint's workflow; the last test checks that the run
// changed no endpoint, port request or order.
import assert from 'node:assert/strict';
import http from 'node:http';
import fc from 'fast-check';
import { buildApp } from '../../src/api/app';
import { createApiKey } from '../../src/usecases/keys';
import { signWebhook } from '../../src/carriers/webhook';
import { tryParseAddress } from '../../src/domain/numbers';
import { TemporalGateway } from '../../src/temporal/gateway';
import { serve } from '../support/http';
import { db, stack, testConfig, testLog } from '../support/stack';

const SEED = Number(process.env.FC_SEED ?? 20261126);
const RUNS = Number(process.env.FC_RUNS ?? 150);
const ACCOUNT = 'acct-property';
const CARRIER = 'property-carrier';
const CARRIER_SECRET = 'property-carrier-webhook-secret';
/** looks like a number, is not one */
const NOT_A_NUMBER = '+1 555 0100';

type Scope = 'platform' | 'operator' | 'carrier' | 'router';
type Who = Scope | 'none' | 'garbage' | 'unknown' | 'revoked';

interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minimum?: number;
}
interface DocOperation {
  'x-scopes'?: string[];
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface OpenApi {
  paths: Record<string, Record<string, DocOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

interface Operation {
  name: string;
  method: string;
  template: string;
  /** null: open (no key), e.g. /health or the signed carrier webhook */
  scopes: Scope[] | null;
  params: string[];
  query: string[];
  body: Schema | null;
  /** a valid-looking body built from the schema (addresses are never numbers) */
  base: unknown;
  /** dotted paths into `base`, for one-field mutations */
  fields: string[];
}

/** What one generated request is; materialised only when sent, so a counterexample prints small. */
type BodySpec =
  | { json: unknown }
  | { base: true; set?: [field: string, value: unknown]; drop?: string; add?: [key: string, value: unknown] }
  | { raw: string }
  | { nested: number; open: '[' | '{"a":' }
  | { oversized: true };
interface Spec {
  params: string[];
  query: string;
  who: Who;
  auth: 'bearer' | 'lowercase' | 'x-api-key' | 'both' | 'basic';
  contentType?: string;
  encoding?: string;
  idempotencyKey?: string;
  duplicate?: 'content-type' | 'idempotency-key' | 'authorization' | 'x-request-id';
  requestId?: string;
  /** the carrier webhook only: signed with the test carrier's secret */
  signed?: boolean;
  body?: BodySpec;
}

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\n',
  '\r\n',
  '\t',
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  '1e309',
  'NaN',
  'Infinity',
  '0x1F',
  '__proto__',
  'constructor',
  'prototype',
  '{}',
  '[]',
  '../../etc/passwd',
  "' OR 1=1 --",
  '"; DROP TABLE endpoints; --',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '%s%n',
  '%00',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udfff',
  '💩',
  '𝟙𝟚𝟛',
  'é',
  'Ω≈ç√',
  'x'.repeat(101),
  'x'.repeat(5000),
  NOT_A_NUMBER,
  '+',
  '+1',
  '+0000000000',
  '+1 (555) 01',
  'sip:',
  'sip:@',
  'US:',
  'ZZ:123',
  'npa:',
  'cap:telepathy',
  'colour:red',
  ':',
  '*',
  '%',
];
/** raw path segments: percent-signs that do not decode, encoded separators and dots, query and fragment marks */
const RAW_SEGMENTS = [
  '%',
  '%zz',
  '%00',
  '%2F',
  '%2f..%2f',
  '..',
  '.',
  '%2e%2e',
  '%C0%AF',
  '%ED%A0%80',
  '%FF',
  ';',
  '@',
  ':',
  '*',
  '~',
  "!$&'()*+,;=",
  '?',
  '?x=1',
  '#',
  '#x',
  '//',
  '%20',
  '%0A',
  '%25',
  '%u0000',
  '-',
  '_',
];
const RAW_QUERIES = [
  '%',
  '%zz',
  '&&&',
  '=',
  '==',
  '&=&',
  'a=%',
  'a=%zz',
  '%00=%00',
  'after=%00',
  'provider=%00',
  'near=%00',
  'limit=1&limit=2',
  'limit=1e309',
  'limit=-0',
  'limit=0x10',
  'maxPrice=99999999999999999999',
  'minQuality=NaN',
  'window=',
  'status=',
  'points=1e3',
  'a[b]=c',
  'a[]=1&a[]=2',
  '__proto__=x',
  'constructor[prototype]=x',
  'x'.repeat(2000),
];
const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=',
  'application/json; charset="utf-8"',
  'application/json;;',
  'application/json, text/plain',
  'application/merge-patch+json',
  'application/problem+json',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '*/*',
  '',
  'json',
  '\t',
];
const ENCODINGS = ['gzip', 'deflate', 'br', 'identity', 'compress', 'x-unknown', 'gzip, deflate', 'GZIP'];
const MALFORMED = [
  '{',
  '}',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '{"a":1}{"b":2}',
  'NaN',
  'undefined',
  '[1,2',
  '{"a":01}',
  '"\\u00"',
  '{"a":"\\x"}',
  '\ufeff{}',
  '\u0000',
  '{"a":1e99999}',
  'true false',
  '--',
  '<xml/>',
];
const WRONG_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0.0,
  1e308,
  -1e308,
  2 ** 31,
  2 ** 53 + 1,
  '',
  [],
  {},
  [null],
  [[]],
  { $gt: '' },
  JSON.parse('{"__proto__": {"polluted": true}}'),
];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** true when any string in `value` parses as an address (walked without recursion: bodies may nest deep) */
function holdsAddress(value: unknown): boolean {
  const todo = [value];
  while (todo.length) {
    const v = todo.pop();
    if (typeof v === 'string') {
      if (tryParseAddress(v).ok) return true;
    } else if (Array.isArray(v)) todo.push(...(v as unknown[]));
    else if (isObject(v)) todo.push(...Object.keys(v), ...Object.values(v));
  }
  return false;
}

function resolve(doc: OpenApi, s: Schema): Schema {
  return s.$ref ? resolve(doc, doc.components!.schemas![s.$ref.split('/').at(-1)!]!) : s;
}

/** a value that looks right for the schema; strings are placeholders, the account is the test key's, addresses are not numbers */
function sample(doc: OpenApi, schema: Schema, name: string, depth = 0): unknown {
  const s = resolve(doc, schema);
  if (depth > 6) return null;
  if (s.enum?.length) return s.enum[0];
  const alternative = (s.anyOf ?? s.oneOf)?.find((a) => resolve(doc, a).type !== 'null');
  if (alternative) return sample(doc, alternative, name, depth + 1);
  if (s.allOf?.length) return Object.assign({}, ...s.allOf.map((a) => sample(doc, a, name, depth + 1)));
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, sample(doc, v, k, depth + 1)]));
    case 'array':
      return s.items ? [sample(doc, s.items, name, depth + 1)] : [];
    case 'string':
      return /address|number/i.test(name) ? NOT_A_NUMBER : name === 'accountId' ? ACCOUNT : 'x';
    case 'integer':
    case 'number':
      return s.minimum ?? 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

function fieldPaths(value: unknown, prefix = ''): string[] {
  const here = prefix ? [prefix] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => fieldPaths(v, `${prefix ? `${prefix}.` : ''}${i}`))];
  if (isObject(value)) return [...here, ...Object.entries(value).flatMap(([k, v]) => fieldPaths(v, `${prefix ? `${prefix}.` : ''}${k}`))];
  return here;
}

function operations(doc: OpenApi): Operation[] {
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    // the Twilio-compatible face answers Twilio's error body, not problems: test/api/twilio.test.ts holds it to its own rules
    if (template.startsWith('/2010-04-01/')) continue;
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = item[method];
      if (!op) continue;
      const schema = op.requestBody?.content['application/json']?.schema;
      const body = schema ? resolve(doc, schema) : null;
      const base = body ? sample(doc, body, '') : undefined;
      ops.push({
        name: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        template,
        scopes: (op['x-scopes'] as Scope[] | undefined) ?? null,
        params: [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        body,
        base,
        fields: base === undefined ? [] : fieldPaths(base),
      });
    }
  }
  return ops;
}

function setPath(root: unknown, path: string, change: (parent: Record<string, unknown> | unknown[], key: string) => void): unknown {
  const copy = structuredClone(root);
  const keys = path.split('.');
  let at: unknown = copy;
  for (const k of keys.slice(0, -1)) at = (at as Record<string, unknown>)[k];
  change(at as Record<string, unknown>, keys.at(-1)!);
  return copy;
}

/** the body's JSON value (undefined: not JSON) and its text */
function materialise(op: Operation, body: BodySpec, limit: number): { text: string; value?: unknown } {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify gives undefined for undefined and functions; lib.d.ts says string
  if ('json' in body) return { text: JSON.stringify(body.json) ?? 'null', value: body.json };
  if ('raw' in body) {
    try {
      return { text: body.raw, value: JSON.parse(body.raw) as unknown };
    } catch {
      return { text: body.raw };
    }
  }
  if ('nested' in body)
    return { text: body.open === '[' ? `${'['.repeat(body.nested)}${']'.repeat(body.nested)}` : `${body.open.repeat(body.nested)}1${'}'.repeat(body.nested)}` };
  if ('oversized' in body) return { text: JSON.stringify({ ...(isObject(op.base) ? op.base : {}), padding: 'x'.repeat(limit + 10) }) };
  let value: unknown = structuredClone(op.base ?? {});
  if (body.set) value = body.set[0] === '' ? body.set[1] : setPath(value, body.set[0], (p, k) => ((p as Record<string, unknown>)[k] = body.set![1]));
  if (body.drop) value = setPath(value, body.drop, (p, k) => (Array.isArray(p) ? p.splice(Number(k), 1) : delete p[k]));
  if (body.add && isObject(value)) value = { ...value, [body.add[0]]: body.add[1] };
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify gives undefined for undefined and functions; lib.d.ts says string
  return { text: JSON.stringify(value) ?? 'null', value };
}

/** `arb` one time in `n`, else undefined */
const oneIn = <T>(n: number, arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: n - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

/** header values Node will send: no control characters but tab, nothing past latin-1 */
const headerSafe = (s: string) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');

function limitBytes(limit: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb)?$/i.exec(limit.trim());
  assert.ok(m, `API_BODY_LIMIT ${limit}: this suite reads b, kb or mb`);
  return Math.ceil(Number(m[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[(m[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb']);
}

interface Answer {
  status: number;
  type: string;
  text: string;
}

describe('API property: generated bad requests to every operation', function () {
  this.timeout(300_000);
  let app: Awaited<ReturnType<typeof serve>>;
  let gateway: TemporalGateway;
  let port = 0;
  let limit = 0;
  let ops: Operation[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const keys = {} as Record<Scope | 'revoked', string>;
  const keyIds: string[] = [];
  /** what there was before: rows a request might add are removed after, rows it must not touch are counted */
  let baseline: { providers: string[]; groupings: string[]; unmet: bigint; counts: Record<string, number>; started: Date };
  const counts = async () => ({
    endpoints: await db().endpoint.count(),
    endpointHistory: await db().endpointHistory.count(),
    portRequests: await db().portRequest.count(),
    orders: await db().providerOrder.count(),
    webhookReceipts: await db().webhookReceipt.count(),
  });

  before(async () => {
    const config = testConfig({ RATE_LIMIT_PER_MINUTE: '100000000' });
    limit = limitBytes(config.API_BODY_LIMIT);
    gateway = new TemporalGateway(stack().temporalAddress, 'default', 1500);
    app = await serve(buildApp({ db: db(), temporal: gateway, log: testLog, config }));
    port = Number(new URL(app.url).port);
    await db().account.upsert({ where: { id: ACCOUNT }, create: { id: ACCOUNT, name: ACCOUNT }, update: {} });
    await db().provider.create({
      data: { id: CARRIER, name: 'property carrier', kind: 'API', apiBaseUrl: 'http://127.0.0.1:9/', webhookSecret: CARRIER_SECRET },
    });
    // keys of its own: its Idempotency-Keys cannot meet another suite's
    const make = async (scope: 'PLATFORM' | 'OPERATOR' | 'CARRIER' | 'ROUTER', extra: { accountIds?: string[]; providerId?: string } = {}) => {
      const k = await createApiKey(db(), { name: `property ${scope.toLowerCase()}`, scope, ...extra });
      keyIds.push(k.id);
      return k.key;
    };
    keys.platform = await make('PLATFORM', { accountIds: [ACCOUNT] });
    keys.operator = await make('OPERATOR');
    keys.carrier = await make('CARRIER', { providerId: CARRIER });
    keys.router = await make('ROUTER');
    keys.revoked = await make('OPERATOR');
    await db().apiKey.update({ where: { id: keyIds.at(-1)! }, data: { revokedAt: new Date() } });
    const doc = (await (await fetch(`${app.url}/v1/openapi.json`)).json()) as OpenApi;
    ops = operations(doc);
    baseline = {
      providers: (await db().provider.findMany({ select: { id: true } })).map((p) => p.id),
      groupings: (await db().classificationGrouping.findMany({ select: { id: true } })).map((g) => g.id),
      unmet: (await db().unmetSearch.aggregate({ _max: { id: true } }))._max.id ?? 0n,
      counts: await counts(),
      started: new Date(),
    };
  });
  after(async () => {
    agent.destroy();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- before() may fail before it assigns these
    if (baseline) {
      // a request that happened to be valid may have made a grouping, a carrier or an unmet search: none may outlive the suite
      await db().classificationGrouping.deleteMany({ where: { id: { notIn: baseline.groupings } } });
      await db().unmetSearch.deleteMany({ where: { id: { gt: baseline.unmet } } });
      await db().idempotencyRecord.deleteMany({ where: { apiKeyId: { in: keyIds } } });
      await db().apiKey.deleteMany({ where: { id: { in: keyIds } } });
      await db().provider.deleteMany({ where: { id: { notIn: baseline.providers.filter((id) => id !== CARRIER) } } });
    }
    /* eslint-disable @typescript-eslint/no-unnecessary-condition -- before() may fail before it assigns these */
    await app?.close();
    await gateway?.close();
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */
  });

  function send(method: string, path: string, headers: string[], body?: Buffer): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(20_000, () => req.destroy(new Error('no answer in 20 s')));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** the generator of bad requests for one operation */
  function requests(op: Operation): fc.Arbitrary<Spec> {
    const hostile = fc
      .oneof(
        { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
        { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
        { weight: 1, arbitrary: fc.uuid() },
      )
      .filter((s) => !tryParseAddress(s).ok);
    // never an existing carrier's id: an empty PATCH would touch it
    const segment = fc.oneof(
      { weight: 3, arbitrary: hostile.filter((s) => !baseline.providers.includes(s)).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'))) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    );
    const name = fc.oneof(
      { weight: op.query.length ? 4 : 0, arbitrary: fc.constantFrom(...(op.query.length ? op.query : ['q'])) },
      { weight: 1, arbitrary: fc.constantFrom('colour', '__proto__', 'a[b]', '') },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    );
    const numbers = fc.constantFrom('1', '-1', '0', '0.5', '1e309', '2147483648', '99999999999', '2'.repeat(400));
    const query = fc.oneof(
      fc.constant(''),
      fc
        .array(fc.tuple(name, fc.oneof(hostile, numbers)), { minLength: 1, maxLength: 5 })
        .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v.replace(/[\ud800-\udfff]/g, '?'))}`).join('&')),
      fc.constantFrom(...RAW_QUERIES),
    );
    const wrong = fc.oneof(fc.constantFrom(...WRONG_VALUES), hostile, fc.jsonValue({ maxDepth: 2 }));
    const bodies: fc.Arbitrary<BodySpec>[] = [
      fc.jsonValue({ maxDepth: 4 }).map((json) => ({ json })),
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify gives undefined for undefined and functions; lib.d.ts says string
      fc.anything({ maxDepth: 3, withBigInt: false, withBoxedValues: false }).map((v) => ({ json: JSON.parse(JSON.stringify(v) ?? 'null') as unknown })),
      fc.oneof(fc.constantFrom(...MALFORMED), fc.string({ maxLength: 60 })).map((raw) => ({ raw })),
      fc.record({
        nested: fc.oneof(fc.integer({ min: 30, max: 40 }), fc.constant(Math.floor(limit / 6))),
        open: fc.constantFrom('[' as const, '{"a":' as const),
      }),
      fc.constant({ oversized: true as const }),
    ];
    if (op.fields.length) {
      const field = fc.constantFrom(...op.fields);
      bodies.push(
        fc.record({ base: fc.constant(true as const), set: fc.tuple(field, wrong) }),
        fc.record({ base: fc.constant(true as const), set: fc.tuple(fc.constant(''), wrong) }),
        fc.record({ base: fc.constant(true as const), drop: field }),
        fc.record({
          base: fc.constant(true as const),
          add: fc.tuple(fc.oneof(fc.constantFrom('colour', '__proto__', 'constructor', ''), fc.string({ maxLength: 10 })), wrong),
        }),
      );
    }
    const withBody = op.body ? { weight: 6, arbitrary: fc.oneof(...bodies) } : { weight: 1, arbitrary: fc.oneof(...bodies) };
    const idempotencyKey = fc.oneof(
      fc.constantFrom('', ' ', 'k'.repeat(255), 'k'.repeat(256), 'é', 'a b', '\t', 'null', '%00'),
      fc.string({ maxLength: 30 }).map(headerSafe),
    );
    return fc
      .record(
        {
          params: fc.tuple(...op.params.map(() => segment)),
          query,
          // mostly a key the operation takes, so the requests reach its own checks
          who: fc.oneof(
            { weight: op.scopes ? 3 : 0, arbitrary: fc.constantFrom<Who>(...(op.scopes ?? ['none'])) },
            { weight: 2, arbitrary: fc.constantFrom<Who>('platform', 'operator', 'carrier', 'router', 'none', 'garbage', 'unknown', 'revoked') },
          ),
          auth: fc.constantFrom<Spec['auth']>('bearer', 'bearer', 'bearer', 'lowercase', 'x-api-key', 'both', 'basic'),
          contentType: fc.oneof(
            { weight: 4, arbitrary: fc.constant('application/json') },
            { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
            { weight: 1, arbitrary: fc.constant(undefined) },
          ),
          encoding: oneIn(10, fc.constantFrom(...ENCODINGS)),
          idempotencyKey: oneIn(2, idempotencyKey),
          duplicate: oneIn(6, fc.constantFrom<NonNullable<Spec['duplicate']>>('content-type', 'idempotency-key', 'authorization', 'x-request-id')),
          requestId: oneIn(4, fc.string({ maxLength: 200 }).map(headerSafe)),
          signed: op.scopes === null && op.method === 'POST' ? fc.boolean() : fc.constant(false),
          body: op.method === 'GET' ? oneIn(5, withBody.arbitrary) : fc.oneof(withBody, { weight: 1, arbitrary: fc.constant(undefined) }),
        },
        { requiredKeys: ['params', 'query', 'who', 'auth'] },
      )
      .filter((spec) => {
        if (!spec.body) return true;
        const { value } = materialise(op, spec.body, limit);
        return value === undefined || !holdsAddress(value);
      });
  }

  /**
   * An operation that needs nothing but a key (a POST with no path parameter
   * and no required field: the inventory check, a reconciliation) would
   * simply run for a key of its scope. Such a request keeps its key only when
   * it is sure to be refused; otherwise it goes without one.
   */
  function mightRun(op: Operation, spec: Spec): boolean {
    if (op.method === 'GET' || op.params.length || (op.body?.required?.length ?? 0) > 0) return false;
    if (!op.scopes?.includes(spec.who as Scope) || !['bearer', 'x-api-key', 'both'].includes(spec.auth)) return false;
    if (spec.idempotencyKey !== undefined) {
      const given = spec.duplicate === 'idempotency-key' ? `${spec.idempotencyKey.trim()}, again` : spec.idempotencyKey.trim();
      if (!/^[\x21-\x7e]{1,255}$/.test(given)) return false;
    }
    if (!spec.body || spec.contentType !== 'application/json' || spec.encoding || spec.duplicate === 'content-type') return true;
    const { text } = materialise(op, spec.body, limit);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return false; // the parser refuses it
    }
    if (Buffer.byteLength(text) > limit || !(Array.isArray(value) || isObject(value))) return false; // so does the parser
    if (!op.body) return true;
    const props = op.body.properties ?? {};
    if (!isObject(value)) return false;
    return Object.entries(value).every(([k, v]) => {
      const type = props[k]?.type;
      const types = Array.isArray(type) ? type : [type];
      const actual = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
      return k in props && (types.includes(actual) || (actual === 'integer' && types.includes('number')));
    });
  }

  /** sends the request and checks the answer; `keyed`: it carried a key the operation takes */
  async function answer(op: Operation, spec: Spec): Promise<{ status: number; keyed: boolean }> {
    let segments = [...spec.params];
    const who = mightRun(op, spec) ? 'none' : spec.who;
    const keyed = !!op.scopes?.includes(who as Scope) && ['bearer', 'x-api-key', 'both'].includes(spec.auth);
    const body = spec.body ? Buffer.from(materialise(op, spec.body, limit).text) : undefined;
    const headers: string[] = ['Host', `127.0.0.1:${port}`];
    const key = who === 'none' ? undefined : who === 'garbage' ? 'not-a-key' : who === 'unknown' ? 'ei_0123456789ab_unknownunknownunknown' : keys[who];
    if (key !== undefined) {
      if (spec.auth === 'bearer' || spec.auth === 'both') headers.push('Authorization', `Bearer ${key}`);
      if (spec.auth === 'lowercase') headers.push('Authorization', `bearer ${key}`);
      if (spec.auth === 'basic') headers.push('Authorization', `Basic ${Buffer.from(`${key}:`).toString('base64')}`);
      if (spec.auth === 'x-api-key' || spec.auth === 'both') headers.push('X-Api-Key', key);
    }
    if (spec.contentType !== undefined) headers.push('Content-Type', spec.contentType);
    if (spec.encoding !== undefined) headers.push('Content-Encoding', spec.encoding);
    if (spec.idempotencyKey !== undefined) headers.push('Idempotency-Key', spec.idempotencyKey);
    if (spec.requestId !== undefined) headers.push('X-Request-Id', spec.requestId);
    if (spec.duplicate === 'content-type') headers.push('Content-Type', 'text/plain');
    if (spec.duplicate === 'idempotency-key') headers.push('Idempotency-Key', 'again');
    if (spec.duplicate === 'authorization') headers.push('Authorization', 'Bearer ei_0123456789ab_other');
    if (spec.duplicate === 'x-request-id') headers.push('X-Request-Id', 'again');
    if (spec.signed) {
      segments = op.params.map(() => CARRIER);
      const at = Math.floor(Date.now() / 1000);
      headers.push('X-Carrier-Timestamp', String(at), 'X-Carrier-Signature', signWebhook(CARRIER_SECRET, at, body ?? Buffer.alloc(0)));
    }
    if (body) headers.push('Content-Length', String(body.length));
    const path = op.template.replace(/\{\w+\}/g, () => segments.shift() ?? '') + (spec.query ? `?${spec.query}` : '');
    const res = await send(op.method, path, headers, body);
    const sent = `${op.method} ${path.slice(0, 300)} as ${who}/${spec.auth}, ${body?.length ?? 0} bytes of body`;
    if (res.status >= 500) throw new Error(`${sent}: ${res.status} ${res.text.slice(0, 500)}`);
    if (res.status >= 400) {
      assert.match(res.type, /^application\/problem\+json/, `${sent}: a ${res.status} that is not a problem: ${res.text.slice(0, 200)}`);
      const parsed = JSON.parse(res.text) as { code?: unknown; detail?: unknown };
      assert.ok(typeof parsed.code === 'string' && parsed.code.length > 0, `${sent}: no code in ${res.text.slice(0, 300)}`);
      assert.ok(typeof parsed.detail === 'string' && parsed.detail.length > 0, `${sent}: no detail in ${res.text.slice(0, 300)}`);
      assert.doesNotMatch(res.text, /\.ts:\d+|node_modules|\n\s+at /, `${sent}: a stack trace in the answer`);
    }
    return { status: res.status, keyed };
  }

  it('never answers 5xx, and answers every 4xx as a problem with a code and a detail', async () => {
    assert.ok(ops.length >= 25, `only ${ops.length} operations in the document`);
    const failures: string[] = [];
    const neverPastTheKey: string[] = [];
    for (const [index, op] of ops.entries()) {
      const statuses = new Map<number, number>();
      let pastTheKey = !op.scopes;
      const details = await fc.check(
        fc.asyncProperty(requests(op), async (spec) => {
          const { status, keyed } = await answer(op, spec);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          pastTheKey ||= keyed && status !== 401 && status !== 403;
        }),
        { seed: SEED + index, numRuns: RUNS },
      );
      if (details.failed) {
        const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
        failures.push(`${op.name} (FC_SEED=${SEED} is seed ${SEED + index} here)\n${error}\n${await fc.asyncDefaultReportMessage(details)}`);
      }
      // some requests carried a key it takes and got to its own checks
      if (!pastTheKey) neverPastTheKey.push(op.name);
      if (process.env.FC_VERBOSE) console.log(op.name, JSON.stringify([...statuses].sort((a, b) => a[0] - b[0])));
    }
    assert.equal(failures.length, 0, `FC_SEED=${SEED} replays these:\n\n${failures.join('\n\n')}`);
    assert.deepEqual(neverPastTheKey, [], 'operations whose generated requests never got past the key check');
  });

  it('changed no endpoint, history, port request, order or webhook receipt', async () => {
    assert.deepEqual(await counts(), baseline.counts);
    assert.equal(await db().endpoint.count({ where: { updatedAt: { gte: baseline.started } } }), 0);
  });
});
