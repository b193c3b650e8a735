// The API's contract, operation by operation, on the real stack. Every /v1
// operation in the OpenAPI document has a row here (a new route without one
// fails this suite), and every row is held to the same rules: no key 401; a
// key of a scope its `x-scopes` leaves out 403, before its input is looked at;
// bad input (malformed JSON, an oversized body, a wrong type, an unknown
// field, an invalid number, a bad path or query parameter) 400 naming the
// field and the reason; another account's business 404. Every request here is
// refused before it reaches Temporal, so no worker runs.
import assert from 'node:assert/strict';
import { buildApp } from '../../src/api/app';
import { signWebhook } from '../../src/carriers/webhook';
import { TemporalGateway } from '../../src/temporal/gateway';
import { serve } from '../support/http';
import { apiKey, db, stack, testConfig, testLog } from '../support/stack';

type Scope = 'platform' | 'operator' | 'carrier' | 'router';
const SCOPES: Scope[] = ['platform', 'operator', 'carrier', 'router'];

const A = 'acct-contract-a';
const B = 'acct-contract-b';
/** an endpoint account B holds (a row without a workflow: removed after the suite) */
const HELD_BY_B = '+13075550142';
/** a number that parses but is managed nowhere */
const UNKNOWN = '+13075550199';
/** looks like a number, is not one */
const NOT_A_NUMBER = '+1 555 0100';
const NO_SUCH_ID = '7d444840-9dc0-41d1-b245-5ffdce74fad2';
/** a port request of account B */
const PORT_OF_B = '0b7c3f8e-2d1a-4c5b-9e6f-7a8b9c0d1e2f';
const CARRIER = 'contract-carrier';
const CARRIER_SECRET = 'contract-carrier-webhook-secret';
const WEBHOOK = 'POST /v1/carriers/{providerId}/webhook';
const INBOUND = 'POST /v1/carriers/{providerId}/inbound';
const REGISTRATIONS = 'POST /v1/carriers/{providerId}/registrations';

/** one request's variations on its row: path parameters, a query string, body fields (merged into the row's body) */
interface Probe {
  params?: Record<string, string>;
  query?: string;
  body?: Record<string, unknown>;
}

interface Row {
  /** path parameters that pass validation */
  params?: Record<string, string>;
  /** a body its schema accepts; the bad bodies are this with one thing wrong (never sent as it is) */
  body?: Record<string, unknown>;
  /** a field (dotted path) given a value of the wrong type */
  wrongType?: [field: string, value: unknown][];
  /** body fields that take an address */
  addresses?: string[];
  /** other bad input, each a 400 naming `field` */
  bad?: (Probe & { field: string })[];
  /** another account's business: each a 404 for account A's platform key */
  elsewhere?: (Probe & { why: string })[];
}

/** Every /v1 operation but the carrier webhook (signed, not keyed: its own test below). */
const TABLE: Record<string, Row> = {
  'GET /v1/groupings': {},
  'POST /v1/groupings': {
    body: { name: 'contract', tags: ['npa:307'], minAvailable: 1, targetAvailable: 2, maxAvailable: 3 },
    wrongType: [
      ['minAvailable', 'one'],
      ['tags', 'npa:307'],
      ['name', 7],
      ['enabled', 'yes'],
    ],
    bad: [
      { body: { maxAvailable: 1.5 }, field: 'maxAvailable' },
      { body: { minAvailable: -1 }, field: 'minAvailable' },
      { body: { name: 'nul\u0000name' }, field: 'name' },
    ],
  },
  'PATCH /v1/groupings/{id}': {
    params: { id: NO_SUCH_ID },
    body: { name: 'contract' },
    wrongType: [
      ['maxAvailable', '3'],
      ['autoAdjust', 1],
    ],
    bad: [{ params: { id: 'not-a-uuid' }, field: 'id' }],
  },
  'GET /v1/dashboard': {
    bad: [
      { query: 'window=2d', field: 'window' },
      { query: 'points=1', field: 'points' },
      { query: 'points=many', field: 'points' },
      { query: 'colour=red', field: 'colour' },
    ],
  },
  'GET /v1/inventory': {
    bad: [
      { query: 'window=1y', field: 'window' },
      { query: 'colour=red', field: 'colour' },
    ],
  },
  'POST /v1/inventory/check': {},
  'GET /v1/endpoints': {
    bad: [
      { query: 'npa=7', field: 'npa' },
      { query: 'npa=415&npa=212', field: 'npa' },
      { query: 'limit=abc', field: 'limit' },
      { query: 'limit=1000', field: 'limit' },
      { query: 'maxPrice=-1', field: 'maxPrice' },
      { query: 'minQuality=2', field: 'minQuality' },
      { query: 'kind=pager', field: 'kind' },
      // one casing: lower snake, as criteria take it
      { query: 'kind=FIXED_LINE_OR_MOBILE', field: 'kind' },
      { query: 'nxx=415555', field: 'nxx' },
      { query: 'contains=12', field: 'contains' },
      { query: 'near=hello', field: 'near' },
      { query: 'colour=red', field: 'colour' },
      { query: 'after=%00', field: 'after' },
      { query: 'maxPrice=3000000000', field: 'maxPrice' },
    ],
  },
  // the call router's (router and operator keys): a platform key is a 403 here, so another account's endpoint is no platform key's question
  'GET /v1/routes/{address}': {
    params: { address: UNKNOWN },
    bad: [
      { params: { address: 'hello' }, field: 'address' },
      { params: { address: NOT_A_NUMBER }, field: 'address' },
    ],
  },
  'GET /v1/endpoints/{address}': {
    params: { address: UNKNOWN },
    bad: [
      { params: { address: 'hello' }, field: 'address' },
      { params: { address: NOT_A_NUMBER }, field: 'address' },
    ],
    elsewhere: [{ params: { address: HELD_BY_B }, why: "account B's endpoint" }],
  },
  'POST /v1/reservations': {
    body: { accountId: A, address: UNKNOWN, minutes: 15 },
    wrongType: [
      ['minutes', '15'],
      ['accountId', 7],
    ],
    addresses: ['address'],
    bad: [
      { body: { minutes: 0 }, field: 'minutes' },
      { body: { minutes: 2.5 }, field: 'minutes' },
      // longer than RESERVATION_MAX (1 hour): the request's field, not the workflow's `until`
      { body: { minutes: 61 }, field: 'minutes' },
    ],
    elsewhere: [{ body: { accountId: B }, why: 'account B' }],
  },
  'POST /v1/releases': {
    body: { accountId: A, address: UNKNOWN },
    wrongType: [['address', 1]],
    addresses: ['address'],
    elsewhere: [
      { body: { accountId: B }, why: 'account B' },
      { body: { address: HELD_BY_B }, why: "account B's endpoint" },
    ],
  },
  'POST /v1/allocations': {
    body: { accountId: A, address: UNKNOWN },
    wrongType: [
      ['applicationUri', 5],
      ['criteria', 'npa:415'],
    ],
    addresses: ['address'],
    bad: [
      { body: { address: undefined, criteria: { npa: 'abc' } }, field: 'criteria.npa' },
      // nxx is the 3-digit exchange, as in search (no longer npa + nxx)
      { body: { address: undefined, criteria: { npa: '307', nxx: '307555' } }, field: 'criteria.nxx' },
      { body: { address: undefined, criteria: { nxx: '555' } }, field: 'criteria.nxx' },
      { body: { address: undefined, criteria: { kind: 'FIXED_LINE' } }, field: 'criteria.kind' },
      { body: { address: undefined, criteria: { npa: '307' }, quantity: 0 }, field: 'quantity' },
      { body: { address: undefined, criteria: { npa: '307' }, quantity: 2, mode: 'some' }, field: 'mode' },
    ],
    elsewhere: [{ body: { accountId: B, address: undefined, criteria: { npa: '307' } }, why: 'account B' }],
  },
  'POST /v1/accounts': {
    body: { id: 'contract-new-account', name: 'contract' },
    wrongType: [
      ['name', 7],
      ['id', 1],
    ],
    bad: [
      { body: { id: '-not valid' }, field: 'id' },
      { body: { name: '' }, field: 'name' },
    ],
  },
  'GET /v1/accounts': {
    bad: [
      { query: 'pageSize=0', field: 'pageSize' },
      { query: 'active=maybe', field: 'active' },
      { query: 'pageToken=bm9wZQ', field: 'pageToken' },
      { query: 'colour=red', field: 'colour' },
    ],
  },
  'GET /v1/country-rules': {
    bad: [
      { query: 'country=USA', field: 'country' },
      { query: 'colour=red', field: 'colour' },
    ],
  },
  'GET /v1/country-rules/{country}': {
    params: { country: 'ZZ' },
    bad: [{ params: { country: 'U1' }, field: 'country' }],
  },
  'GET /v1/country-rules/{country}/history': {
    params: { country: 'ZZ' },
    bad: [
      { params: { country: 'USA' }, field: 'country' },
      { query: 'limit=0', field: 'limit' },
    ],
  },
  'PUT /v1/country-rules/{country}': {
    params: { country: 'ZZ' },
    body: { agingSeconds: 86400, addressRequired: true },
    wrongType: [
      ['agingSeconds', '1 day'],
      ['addressRequired', 'yes'],
      ['kindsSold', 'mobile'],
    ],
    bad: [
      { body: { agingSeconds: 0 }, field: 'agingSeconds' },
      { body: { domesticDiscountPercent: 101 }, field: 'domesticDiscountPercent' },
      { body: { kindsSold: ['pager'] }, field: 'kindsSold.0' },
      { params: { country: 'U1' }, field: 'country' },
    ],
  },
  'DELETE /v1/country-rules/{country}': {
    params: { country: 'ZZ' },
    bad: [{ params: { country: 'U1' }, field: 'country' }],
  },
  'PUT /v1/country-rules/{country}/kinds/{kind}': {
    params: { country: 'ZZ', kind: 'mobile' },
    body: { maxPerAccount: 3 },
    wrongType: [['maxPerAccount', 'three']],
    bad: [
      { params: { kind: 'pager' }, field: 'kind' },
      { body: { kindsSold: ['mobile'] }, field: 'kindsSold' },
      { body: { maxPerAccount: -1 }, field: 'maxPerAccount' },
    ],
  },
  'DELETE /v1/country-rules/{country}/kinds/{kind}': {
    params: { country: 'ZZ', kind: 'mobile' },
    bad: [{ params: { kind: 'FIXED_LINE' }, field: 'kind' }],
  },
  'POST /v1/accounts/{accountId}/addresses': {
    params: { accountId: A },
    body: { country: 'DE', customerName: 'Contract GmbH', street: 'Unter den Linden 1', locality: 'Berlin', postalCode: '10117' },
    wrongType: [
      ['postalCode', 10117],
      ['region', 5],
    ],
    bad: [
      { body: { country: 'Germany' }, field: 'country' },
      { body: { postalCode: '1011' }, field: 'postalCode' },
      { body: { street: ' ' }, field: 'street' },
      { body: { country: 'US', region: 'CA', postalCode: '00000' }, field: 'postalCode' },
    ],
    elsewhere: [{ params: { accountId: B }, why: 'account B' }],
  },
  'GET /v1/accounts/{accountId}/addresses': {
    params: { accountId: A },
    bad: [{ query: 'country=DEU', field: 'country' }],
    elsewhere: [{ params: { accountId: B }, why: 'account B' }],
  },
  'GET /v1/accounts/{accountId}/addresses/{addressId}': {
    params: { accountId: A, addressId: NO_SUCH_ID },
    bad: [{ params: { addressId: 'x'.repeat(65) }, field: 'addressId' }],
    elsewhere: [{ params: { accountId: B }, why: 'account B' }],
  },
  'DELETE /v1/accounts/{accountId}/addresses/{addressId}': {
    params: { accountId: A, addressId: NO_SUCH_ID },
    bad: [{ params: { addressId: 'x'.repeat(65) }, field: 'addressId' }],
    elsewhere: [{ params: { accountId: B }, why: 'account B' }],
  },
  'GET /v1/accounts/{id}': {
    params: { id: 'contract-no-account' },
    bad: [{ params: { id: 'x'.repeat(65) }, field: 'id' }],
  },
  'POST /v1/accounts/{id}/deactivation': {
    params: { id: 'contract-no-account' },
    bad: [{ params: { id: 'x'.repeat(65) }, field: 'id' }],
  },
  'POST /v1/keys': {
    body: { name: 'contract', scope: 'operator' },
    wrongType: [
      ['name', 1],
      ['accountIds', A],
      ['rateLimit', 'fast'],
    ],
    bad: [
      { body: { scope: 'root' }, field: 'scope' },
      { body: { accountIds: [A] }, field: 'accountIds' },
      { body: { scope: 'platform', accountIds: ['contract-no-account'] }, field: 'accountIds' },
      { body: { scope: 'carrier' }, field: 'providerId' },
    ],
  },
  'GET /v1/keys': {
    bad: [
      { query: 'scope=root', field: 'scope' },
      { query: 'limit=0', field: 'limit' },
      { query: 'revoked=maybe', field: 'revoked' },
    ],
  },
  'DELETE /v1/keys/{id}': {
    params: { id: NO_SUCH_ID },
    bad: [{ params: { id: 'nope' }, field: 'id' }],
  },
  'GET /v1/accounts/{accountId}/numbers': {
    params: { accountId: A },
    bad: [
      { query: 'capability=telepathy', field: 'capability' },
      { query: 'number=abc', field: 'number' },
      { query: 'state=AVAILABLE', field: 'state' },
      { query: 'pageSize=101', field: 'pageSize' },
      { query: 'pageToken=bm9wZQ', field: 'pageToken' },
      { query: 'colour=red', field: 'colour' },
    ],
    elsewhere: [{ params: { accountId: B }, why: 'account B' }],
  },
  'GET /v1/accounts/{accountId}/numbers/{address}': {
    params: { accountId: A, address: UNKNOWN },
    bad: [
      { params: { address: 'hello' }, field: 'address' },
      { params: { address: NOT_A_NUMBER }, field: 'address' },
    ],
    elsewhere: [
      { params: { address: HELD_BY_B }, why: "account B's number" },
      { params: { accountId: B, address: HELD_BY_B }, why: 'account B' },
    ],
  },
  'PATCH /v1/accounts/{accountId}/numbers/{address}': {
    params: { accountId: A, address: UNKNOWN },
    body: { friendlyName: 'contract' },
    wrongType: [
      ['friendlyName', 5],
      ['voiceUrl', 5],
      ['smsMethod', true],
    ],
    bad: [
      { body: { voiceUrl: 'ftp://example.com/x' }, field: 'voiceUrl' },
      { body: { statusCallbackMethod: 'PUT' }, field: 'statusCallbackMethod' },
      { body: { applicationUri: 'mailto:x' }, field: 'applicationUri' },
      { params: { address: 'hello' }, field: 'address' },
    ],
    elsewhere: [
      { params: { address: HELD_BY_B }, why: "account B's number" },
      { params: { accountId: B, address: HELD_BY_B }, why: 'account B' },
    ],
  },
  'DELETE /v1/accounts/{accountId}/numbers/{address}': {
    params: { accountId: A, address: UNKNOWN },
    bad: [{ params: { address: 'hello' }, field: 'address' }],
    elsewhere: [
      { params: { address: HELD_BY_B }, why: "account B's number" },
      { params: { accountId: B, address: HELD_BY_B }, why: 'account B' },
    ],
  },
  'GET /v1/reservations/{id}': {
    params: { id: 'rsv_bm9wZQ' },
    bad: [{ params: { id: 'x'.repeat(201) }, field: 'id' }],
  },
  'POST /v1/reservations/{id}/extension': {
    params: { id: 'rsv_bm9wZQ' },
    body: { minutes: 5 },
    wrongType: [['minutes', '5']],
    bad: [
      { body: { minutes: 0 }, field: 'minutes' },
      // longer than RESERVATION_MAX (1 hour), as when reserving: the request's field
      { body: { minutes: 61 }, field: 'minutes' },
      { params: { id: 'x'.repeat(201) }, field: 'id' },
    ],
  },
  'DELETE /v1/reservations/{id}': {
    params: { id: 'rsv_bm9wZQ' },
    bad: [{ params: { id: 'x'.repeat(201) }, field: 'id' }],
  },
  'POST /v1/reservations/{id}/allocation': {
    params: { id: 'rsv_bm9wZQ' },
    body: { applicationUri: 'https://example.com/app' },
    wrongType: [['applicationUri', 5]],
    bad: [{ params: { id: 'x'.repeat(201) }, field: 'id' }],
  },
  'POST /v1/exchanges': {
    body: { accountId: A, address: UNKNOWN },
    wrongType: [
      ['newAddress', 5],
      ['criteria', []],
    ],
    addresses: ['address', 'newAddress'],
    elsewhere: [
      { body: { accountId: B }, why: 'account B' },
      { body: { address: HELD_BY_B }, why: "account B's endpoint" },
    ],
  },
  'POST /v1/port-ins': {
    body: { accountId: A, address: UNKNOWN },
    wrongType: [
      ['capabilities', 'voice'],
      ['losingCarrier', false],
    ],
    addresses: ['address'],
    bad: [{ body: { capabilities: ['telepathy'] }, field: 'capabilities.0' }],
    elsewhere: [{ body: { accountId: B }, why: 'account B' }],
  },
  'POST /v1/port-outs': {
    body: { accountId: A, address: UNKNOWN },
    wrongType: [['gainingCarrier', 1]],
    addresses: ['address'],
    elsewhere: [
      { body: { accountId: B }, why: 'account B' },
      { body: { address: HELD_BY_B }, why: "account B's endpoint" },
    ],
  },
  'GET /v1/ports/{id}': {
    params: { id: NO_SUCH_ID },
    bad: [{ params: { id: '42' }, field: 'id' }],
    elsewhere: [{ params: { id: PORT_OF_B }, why: "account B's port request" }],
  },
  'POST /v1/feedback': {
    body: { accountId: A, address: UNKNOWN, score: 0.5 },
    wrongType: [
      ['score', 'high'],
      ['comment', 3],
    ],
    addresses: ['address'],
    bad: [{ body: { score: 2 }, field: 'score' }],
    elsewhere: [
      { body: { accountId: B }, why: 'account B' },
      { body: { address: HELD_BY_B }, why: "account B's endpoint" },
    ],
  },
  'GET /v1/providers': {},
  'POST /v1/providers': {
    body: { id: 'contract-new', name: 'contract', kind: 'manual' },
    wrongType: [
      ['costPerNumberCents', '5'],
      ['active', 'true'],
      ['countries', 'US'],
    ],
    bad: [
      { body: { kind: 'api' }, field: 'apiBaseUrl' },
      // one casing: lower case kinds
      { body: { kind: 'MANUAL' }, field: 'kind' },
      { body: { kinds: ['MOBILE'] }, field: 'kinds.0' },
      { body: { id: 'Not Valid' }, field: 'id' },
      { body: { webhookSecret: 'short' }, field: 'webhookSecret' },
      { body: { costPerNumberCents: -1 }, field: 'costPerNumberCents' },
      { body: { contactEmail: 'nobody' }, field: 'contactEmail' },
      { body: { name: 'nul\u0000name' }, field: 'name' },
    ],
  },
  'PATCH /v1/providers/{id}': {
    params: { id: 'contract-none' },
    body: { name: 'contract' },
    wrongType: [['quotaNumbers', 'many']],
    bad: [
      { params: { id: 'x'.repeat(101) }, field: 'id' },
      { params: { id: 'nul\u0000' }, field: '(path)' },
    ],
  },
  'POST /v1/reconciliations': {
    body: { repair: false },
    wrongType: [['repair', 'yes']],
  },
  'GET /v1/orders': {
    bad: [
      { query: 'status=LOST', field: 'status' },
      { query: 'colour=red', field: 'colour' },
      { query: `provider=${'x'.repeat(101)}`, field: 'provider' },
      { query: 'provider=%00', field: 'provider' },
    ],
  },
  'GET /v1/orders/{id}': {
    params: { id: NO_SUCH_ID },
    bad: [{ params: { id: 'nope' }, field: 'id' }],
  },
  'GET /v1/orders/{id}/form.{format}': {
    params: { id: NO_SUCH_ID, format: 'csv' },
    bad: [
      { params: { format: 'pdf' }, field: 'format' },
      { params: { id: 'nope' }, field: 'id' },
    ],
  },
  'POST /v1/orders/{id}/deliveries': {
    params: { id: NO_SUCH_ID },
    body: { numbers: [UNKNOWN] },
    wrongType: [
      ['final', 'yes'],
      ['numbers', UNKNOWN],
    ],
    bad: [
      { body: { numbers: [] }, field: 'numbers' },
      { params: { id: 'nope' }, field: 'id' },
    ],
  },
  'POST /v1/orders/{id}/confirmations': {
    params: { id: NO_SUCH_ID },
    body: { note: 'form faxed' },
    wrongType: [['note', 1]],
    bad: [
      { body: { note: '' }, field: 'note' },
      { params: { id: 'nope' }, field: 'id' },
    ],
  },
  'POST /v1/traffic': {
    body: { address: UNKNOWN, medium: 'voice' },
    wrongType: [
      ['count', '1'],
      ['medium', 1],
    ],
    addresses: ['address'],
    bad: [
      { body: { count: 0 }, field: 'count' },
      { body: { medium: 'fax' }, field: 'medium' },
    ],
  },
  'POST /v1/traffic/failures': {
    body: { address: UNKNOWN, capability: 'voice' },
    wrongType: [
      ['capability', 1],
      ['reason', 7],
    ],
    addresses: ['address'],
    bad: [
      { body: { capability: 'pager' }, field: 'capability' },
      { body: { reason: '' }, field: 'reason' },
    ],
  },
};

interface Operation {
  security?: Record<string, string[]>[];
  'x-scopes'?: string[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface Schema {
  $ref?: string;
  properties?: Record<string, unknown>;
  allOf?: Schema[];
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}
/** RFC 9457 problem details, as every refusal answers */
interface ApiError {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId?: string;
  code: string;
  errors?: { field: string; reason: string }[];
}

function operations(doc: OpenApi): Map<string, Operation> {
  const ops = new Map<string, Operation>();
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      if (item[method]) ops.set(`${method.toUpperCase()} ${path}`, item[method]);
    }
  }
  return ops;
}

/** the top-level fields a body schema names */
function bodyFields(doc: OpenApi, op: Operation): string[] {
  const resolve = (s: Schema): Schema => (s.$ref ? resolve(doc.components!.schemas![s.$ref.split('/').at(-1)!]!) : s);
  const schema = resolve(op.requestBody!.content['application/json']!.schema);
  return [...Object.keys(schema.properties ?? {}), ...(schema.allOf ?? []).flatMap((s) => Object.keys(resolve(s).properties ?? {}))];
}

/** bytes in an API_BODY_LIMIT like '100kb' */
function limitBytes(limit: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb)?$/i.exec(limit.trim());
  assert.ok(m, `API_BODY_LIMIT ${limit}: this suite reads b, kb or mb`);
  return Math.ceil(Number(m[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[(m[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb']);
}

function withField(body: Record<string, unknown>, field: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  const path = field.split('.');
  let at: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
  at[path.at(-1)!] = value;
  return copy;
}

describe('API contract: every operation in the OpenAPI document', () => {
  let app: Awaited<ReturnType<typeof serve>>;
  let gateway: TemporalGateway;
  let doc: OpenApi;
  let ops: Map<string, Operation>;
  let config: ReturnType<typeof testConfig>;
  const keys = {} as Record<Scope, string>;

  interface Send {
    key?: string;
    body?: unknown;
    /** the body's bytes as they are (malformed JSON) */
    raw?: string;
    query?: string;
    headers?: Record<string, string>;
  }
  const send = (method: string, path: string, o: Send = {}) =>
    fetch(`${app.url}${path}${o.query ? `?${o.query}` : ''}`, {
      method,
      headers: {
        ...(o.key ? { authorization: `Bearer ${o.key}` } : {}),
        ...(o.raw !== undefined || o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...o.headers,
      },
      body: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
    });

  /** the problem details of a refusal with this status; its requestId is the response's X-Request-Id */
  async function refused(res: Response, status: number, what: string): Promise<ApiError> {
    const text = await res.text();
    assert.equal(res.status, status, `${what}: ${text}`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, what);
    const error = JSON.parse(text) as ApiError;
    assert.equal(typeof error.code, 'string', what);
    assert.equal(error.type, `urn:endpoint-inventory:problem:${error.code}`, `${what}: type`);
    assert.equal(typeof error.title, 'string', what);
    assert.equal(error.status, status, `${what}: status`);
    assert.equal(typeof error.detail, 'string', what);
    assert.equal(error.instance, new URL(res.url).pathname, `${what}: instance`);
    assert.equal(error.requestId, res.headers.get('x-request-id'), `${what}: requestId`);
    return error;
  }

  /** a 400 whose issues name exactly `field`, with a reason */
  async function names(res: Response, field: string, what: string, reason?: RegExp): Promise<void> {
    const error = await refused(res, 400, what);
    const issues = error.errors ?? [];
    assert.ok(issues.length > 0, `${what}: no issues in ${JSON.stringify(error)}`);
    assert.deepEqual([...new Set(issues.map((i) => i.field))], [field], `${what}: ${JSON.stringify(issues)}`);
    for (const i of issues) assert.ok(i.reason.length > 0, `${what}: an issue without a reason`);
    if (reason) assert.match(issues[0]!.reason, reason, what);
    assert.ok(error.detail.includes(field), `${what}: the detail names ${field}: ${error.detail}`);
  }

  const fill = (template: string, params: Record<string, string>) =>
    template.replace(/\{(\w+)\}/g, (_, name: string) => {
      assert.ok(params[name] !== undefined, `${template}: the row gives no value for {${name}}`);
      return encodeURIComponent(params[name]);
    });

  before(async () => {
    config = testConfig({ RATE_LIMIT_PER_MINUTE: '1000000' });
    gateway = new TemporalGateway(stack().temporalAddress, 'default', 1500);
    app = await serve(buildApp({ db: db(), temporal: gateway, log: testLog, config }));
    [keys.platform, keys.operator, keys.carrier, keys.router] = await Promise.all([
      apiKey('PLATFORM', [A]),
      apiKey('OPERATOR'),
      apiKey('CARRIER'),
      apiKey('ROUTER'),
    ]);
    await db().account.upsert({ where: { id: B }, create: { id: B, name: B }, update: {} });
    await db().endpoint.create({
      data: {
        address: HELD_BY_B,
        kind: 'FIXED_LINE_OR_MOBILE',
        country: 'US',
        npa: '307',
        nxx: '555',
        line: '0142',
        digits: '3075550142',
        state: 'ALLOCATED',
        accountId: B,
      },
    });
    await db().portRequest.create({ data: { id: PORT_OF_B, address: HELD_BY_B, accountId: B, direction: 'OUT', status: 'IN_PROGRESS' } });
    await db().provider.create({
      data: { id: CARRIER, name: 'contract carrier', kind: 'API', apiBaseUrl: 'http://127.0.0.1:9/', webhookSecret: CARRIER_SECRET },
    });
    doc = (await (await fetch(`${app.url}/v1/openapi.json`)).json()) as OpenApi;
    ops = operations(doc);
  });
  after(async () => {
    // rows without workflows would be drift for the final reconciliation
    await db().portRequest.deleteMany({ where: { id: PORT_OF_B } });
    await db().endpoint.deleteMany({ where: { address: HELD_BY_B } });
    await db().provider.deleteMany({ where: { id: CARRIER } });
    /* eslint-disable @typescript-eslint/no-unnecessary-condition -- before() may fail before it assigns these */
    await app?.close();
    await gateway?.close();
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */
  });

  it('has a row for every /v1 operation in the document, and no row for one it lacks', () => {
    // open: the document itself; signed: the webhook (its own test below)
    const documented = [...ops.keys()].filter((op) => op !== WEBHOOK && op !== INBOUND && op !== REGISTRATIONS && op !== 'GET /v1/openapi.json');
    assert.ok(documented.length >= 20, `only ${documented.length} operations documented`);
    assert.deepEqual(
      documented.filter((op) => !(op in TABLE)),
      [],
      'operations without a contract row: add one to TABLE',
    );
    assert.deepEqual(
      Object.keys(TABLE).filter((op) => !ops.has(op)),
      [],
      'rows for operations the document no longer has',
    );
  });

  for (const [name, row] of Object.entries(TABLE)) {
    it(name, async function () {
      this.timeout(20_000);
      const op = ops.get(name);
      assert.ok(op, `${name} is not in the OpenAPI document`);
      const [method, template] = name.split(' ') as [string, string];
      const path = (p: Probe = {}) => fill(template, { ...row.params, ...p.params });
      const body = (p: Probe = {}) => (row.body ? (JSON.parse(JSON.stringify({ ...row.body, ...p.body })) as Record<string, unknown>) : undefined);
      const go = (p: Probe, key: string | undefined, extra: Send = {}) => send(method, path(p), { key, query: p.query, body: body(p), ...extra });

      // the document says who may call it
      assert.deepEqual(op.security, [{ apiKey: [] }], `${name}: security`);
      const scopes = (op['x-scopes'] ?? []) as Scope[];
      assert.ok(scopes.length > 0 && scopes.every((s) => SCOPES.includes(s)), `${name}: x-scopes ${JSON.stringify(op['x-scopes'])}`);
      const allowed = keys[scopes[0]!];

      // no key, an unknown key: 401
      assert.equal((await refused(await go({}, undefined), 401, `${name} without a key`)).code, 'unauthorized');
      assert.equal((await refused(await go({}, 'ei_0123456789ab_unknown'), 401, `${name} with an unknown key`)).code, 'unauthorized');

      // a scope it does not take: 403, even for input that is bad too
      const worst: Probe = row.body ? { body: { colour: 'red', ...Object.fromEntries(row.wrongType ?? []) } } : (row.bad?.[0] ?? {});
      for (const scope of SCOPES.filter((s) => !scopes.includes(s))) {
        assert.equal((await refused(await go(worst, keys[scope]), 403, `${name} with a ${scope} key`)).code, 'forbidden');
      }
      // every scope it takes is let in (and held to its input): a POST's malformed Idempotency-Key, or bad input, or a read
      for (const scope of scopes) {
        const what = `${name} with a ${scope} key`;
        if (method === 'POST') await names(await go(worst, keys[scope], { headers: { 'idempotency-key': 'k'.repeat(256) } }), 'Idempotency-Key', what);
        else if (row.body || row.bad) assert.equal((await go(worst, keys[scope])).status, 400, what);
        else assert.equal((await go({}, keys[scope])).status, 200, what);
      }

      if (op.requestBody) {
        assert.ok(row.body, `${name} takes a body: give the row one`);
        const fields = bodyFields(doc, op);
        const malformed = await refused(await send(method, path(), { key: allowed, raw: '{"accountId": "a",' }), 400, `${name}: malformed JSON`);
        assert.equal(malformed.code, 'malformed_json');
        assert.deepEqual(
          malformed.errors?.map((i) => i.field),
          ['(body)'],
        );
        const limit = limitBytes(config.API_BODY_LIMIT);
        const huge = await refused(
          await send(method, path(), { key: allowed, body: { ...row.body, padding: 'x'.repeat(limit + 1024) } }),
          413,
          `${name}: oversized body`,
        );
        assert.equal(huge.code, 'body_too_large');
        assert.deepEqual(
          huge.errors?.map((i) => i.field),
          ['(body)'],
        );
        const asText = await refused(
          await send(method, path(), { key: allowed, raw: JSON.stringify(row.body), headers: { 'content-type': 'text/plain' } }),
          415,
          `${name}: a body sent as text/plain`,
        );
        assert.equal(asText.code, 'unsupported_media_type');
        await names(await send(method, path(), { key: allowed, raw: '[]' }), '(body)', `${name}: an array for a body`);
        const deep = { ...row.body, deep: JSON.parse(`${'['.repeat(1000)}${']'.repeat(1000)}`) as unknown };
        await names(
          await send(method, path(), { key: allowed, body: deep, headers: { 'idempotency-key': `contract-deep-${Date.now()}` } }),
          '(body)',
          `${name}: nested 1000 deep`,
          /nested deeper/,
        );

        await names(await go({ body: { colour: 'red' } }, allowed), 'colour', `${name}: an unknown field`, /unknown field/);
        assert.ok(row.wrongType?.length, `${name}: give the row a wrong-type field`);
        for (const [field, value] of row.wrongType ?? []) {
          assert.ok(fields.includes(field.split('.')[0]!), `${name}: the document has no field ${field}`);
          const res = await send(method, path(), { key: allowed, body: withField(row.body, field, value) });
          await names(res, field, `${name}: ${JSON.stringify(value)} for ${field}`, /expected|invalid/i);
        }
        for (const field of row.addresses ?? []) {
          assert.ok(fields.includes(field), `${name}: the document has no field ${field}`);
          for (const address of [NOT_A_NUMBER, 'call me', '12345']) {
            await names(await go({ body: { [field]: address } }, allowed), field, `${name}: ${address} for ${field}`, /number|phone|country/);
          }
        }
      } else {
        assert.equal(row.body, undefined, `${name} takes no body in the document`);
      }

      for (const probe of row.bad ?? []) {
        await names(await go(probe, allowed), probe.field, `${name}: ${JSON.stringify(probe)}`);
      }
      for (const probe of row.elsewhere ?? []) {
        assert.ok(scopes.includes('platform'), `${name}: another account's business is a platform key's question`);
        const error = await refused(await go(probe, keys.platform), 404, `${name}: ${probe.why}`);
        assert.equal(error.code, 'not_found');
      }
    });
  }

  it('answers an unknown path 404 and a known path with another method 405 with Allow, both as problems', async () => {
    const missing = await refused(await send('GET', '/v1/nothing-here', { key: keys.operator }), 404, 'an unknown path');
    assert.equal(missing.code, 'not_found');
    const deleted = await send('DELETE', '/v1/groupings', { key: keys.operator });
    assert.equal(deleted.headers.get('allow'), 'GET, POST, HEAD');
    assert.equal((await refused(deleted, 405, 'DELETE /v1/groupings')).code, 'method_not_allowed');
    const put = await send('PUT', `/v1/orders/${NO_SUCH_ID}/form.csv`, {});
    assert.equal(put.headers.get('allow'), 'GET, HEAD');
    await refused(put, 405, 'PUT on an order form');
    // a path of the document with a template matches any value of its parameter
    assert.equal((await send('POST', `/v1/endpoints/${encodeURIComponent(UNKNOWN)}`, { body: {} })).status, 405);
  });

  it(`${WEBHOOK}: signed, not keyed; refuses malformed, oversized, unsigned and badly signed deliveries`, async () => {
    const op = ops.get(WEBHOOK);
    assert.ok(op, `${WEBHOOK} is not in the OpenAPI document`);
    assert.equal(op.security, undefined, 'a webhook carries a signature, not an API key');
    const path = `/v1/carriers/${CARRIER}/webhook`;
    const delivery = { carrierOrderId: 'co-1', idempotencyKey: 'contract-no-such-order', lines: [], final: true };
    const signed = (body: unknown, at = Math.floor(Date.now() / 1000)) => {
      const raw = JSON.stringify(body);
      return send('POST', path, { raw, headers: { 'x-carrier-timestamp': String(at), 'x-carrier-signature': signWebhook(CARRIER_SECRET, at, raw) } });
    };

    const malformed = await refused(await send('POST', path, { raw: '{"final": tru' }), 400, 'malformed JSON');
    assert.deepEqual(
      malformed.errors?.map((i) => i.field),
      ['(body)'],
    );
    const huge = await refused(
      await send('POST', path, { body: { ...delivery, padding: 'x'.repeat(limitBytes(config.API_BODY_LIMIT) + 1024) } }),
      413,
      'oversized',
    );
    assert.deepEqual(
      huge.errors?.map((i) => i.field),
      ['(body)'],
    );
    await names(await send('POST', `/v1/carriers/${'c'.repeat(101)}/webhook`, { body: delivery }), 'providerId', 'a provider id too long');
    await refused(await send('POST', '/v1/carriers/contract-nobody/webhook', { body: delivery }), 404, 'an unknown carrier');
    await names(await send('POST', '/v1/carriers/%00/webhook', { body: delivery }), '(path)', 'a NUL in the provider id', /NUL/);

    assert.match((await refused(await send('POST', path, { body: delivery }), 401, 'unsigned')).detail, /missing signature/);
    const badFormat = await send('POST', path, { body: delivery, headers: { 'x-carrier-timestamp': 'yesterday', 'x-carrier-signature': 'md5=abc' } });
    assert.match((await refused(badFormat, 401, 'a bad signature format')).detail, /bad signature format/);
    const forged = await send('POST', path, {
      body: delivery,
      headers: { 'x-carrier-timestamp': String(Math.floor(Date.now() / 1000)), 'x-carrier-signature': `sha256=${'0'.repeat(64)}` },
    });
    assert.match((await refused(forged, 401, 'a forged signature')).detail, /signature mismatch/);
    assert.match((await refused(await signed(delivery, Math.floor(Date.now() / 1000) - 3600), 401, 'a stale timestamp')).detail, /stale timestamp/);

    // signed, the body is held to its schema
    await names(await signed({ ...delivery, final: 'yes' }), 'final', 'signed, a wrong type', /expected boolean/);
    await names(await signed({ ...delivery, lines: [{ lineId: 'l1', numbers: 'x' }] }), 'lines.0.numbers', 'signed, a wrong nested type');
    await names(await signed({ ...delivery, idempotencyKey: 'nul\u0000key' }), 'idempotencyKey', 'signed, a NUL in a string', /NUL/);
    const unknown = await refused(await signed(delivery), 404, 'signed, an unknown order');
    assert.match(unknown.detail, /idempotencyKey/);
  });

  it(`${INBOUND}: signed like the webhook, not keyed; refuses malformed, unsigned and badly signed arrivals, names bad fields`, async () => {
    const op = ops.get(INBOUND);
    assert.ok(op, `${INBOUND} is not in the OpenAPI document`);
    assert.equal(op.security, undefined, 'a carrier signs its test traffic, it has no API key');
    const path = `/v1/carriers/${CARRIER}/inbound`;
    const arrival = { medium: 'sms', direction: 'inbound', to: '+14155550100', from: '+12025550100', payload: 'hello' };
    const signed = (body: unknown, at = Math.floor(Date.now() / 1000)) => {
      const raw = JSON.stringify(body);
      return send('POST', path, { raw, headers: { 'x-carrier-timestamp': String(at), 'x-carrier-signature': signWebhook(CARRIER_SECRET, at, raw) } });
    };
    await refused(await send('POST', path, { raw: '{"medium": sm' }), 400, 'malformed JSON');
    await refused(await send('POST', '/v1/carriers/contract-nobody/inbound', { body: arrival }), 404, 'an unknown carrier');
    assert.match((await refused(await send('POST', path, { body: arrival }), 401, 'unsigned')).detail, /missing signature/);
    assert.match((await refused(await signed(arrival, Math.floor(Date.now() / 1000) - 3600), 401, 'a stale timestamp')).detail, /stale timestamp/);
    await names(await signed({ ...arrival, medium: 'pigeon' }), 'medium', 'signed, an unknown medium');
    await names(await signed({ ...arrival, audio: 'loud' }), 'audio', 'signed, a bad audio flag');
    await names(await signed({ ...arrival, payload: 7 }), 'payload', 'signed, a wrong type');
    const ordinary = await signed(arrival);
    assert.equal(ordinary.status, 202);
    assert.deepEqual(await ordinary.json(), { status: 'not_a_test' });
  });

  it(`${REGISTRATIONS}: signed like the webhook, not keyed; names bad fields; numbers not its own are listed back`, async () => {
    const op = ops.get(REGISTRATIONS);
    assert.ok(op, `${REGISTRATIONS} is not in the OpenAPI document`);
    assert.equal(op.security, undefined);
    const path = `/v1/carriers/${CARRIER}/registrations`;
    const change = { numbers: [UNKNOWN], change: 're-provisioned on a new switch' };
    const signed = (body: unknown, at = Math.floor(Date.now() / 1000)) => {
      const raw = JSON.stringify(body);
      return send('POST', path, { raw, headers: { 'x-carrier-timestamp': String(at), 'x-carrier-signature': signWebhook(CARRIER_SECRET, at, raw) } });
    };
    assert.match((await refused(await send('POST', path, { body: change }), 401, 'unsigned')).detail, /missing signature/);
    await refused(await send('POST', '/v1/carriers/contract-nobody/registrations', { body: change }), 404, 'an unknown carrier');
    await names(await signed({ ...change, numbers: [] }), 'numbers', 'signed, no numbers');
    await names(await signed({ ...change, change: 7 }), 'change', 'signed, a wrong type');
    const taken = await signed(change);
    assert.equal(taken.status, 202);
    assert.deepEqual(await taken.json(), { status: 'accepted', retesting: 0, notOurs: [UNKNOWN] });
  });
});
