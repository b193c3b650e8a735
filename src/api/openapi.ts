// The OpenAPI 3.1 document, generated from the same zod schemas the routes
// validate with; each route module registers its paths here. What every
// operation shares is added once, by rule, when the document is built
// (completeDocument): the errors its middleware can answer (400 and 500
// everywhere: a NUL character in any path or query is refused; 401, 403, 429
// and 503 for a keyed route; 413 and 415 where a body is read; the
// Idempotency-Key header with its 409 and 422 for a keyed POST), each as a
// problem details body, and the headers every answer carries.
// test/unit/openapi.test.ts holds every operation to it.
import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Scope } from '../domain/access';

extendZodWithOpenApi(z);

export { z };

/** One number of a quantity allocation that holds nothing (in a not_enough_available problem, and in the batch's answer). */
export const AllocationOutcome = z
  .object({
    index: z.number().int().openapi({ description: 'which of the quantity, from 0' }),
    outcome: z.enum(['allocated', 'released', 'failed']),
    address: z.string().optional().openapi({ description: 'allocated or released: the number' }),
    reason: z.string().optional().openapi({ description: 'released: why it was given back' }),
    error: z
      .object({ code: z.string(), detail: z.string() })
      .strict()
      .optional()
      .openapi({ description: "failed: the problem's code and detail this number alone would have answered" }),
  })
  .strict()
  .openapi('AllocationOutcome');

/** RFC 9457 problem details: every error the API answers. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ description: '`urn:endpoint-inventory:problem:<code>`', example: 'urn:endpoint-inventory:problem:bad_request' }),
    title: z.string().openapi({ description: "the code's title, the same for every occurrence" }),
    status: z.number().int().openapi({ description: 'the HTTP status' }),
    detail: z.string().openapi({ description: 'what went wrong this time, naming the field where there is one' }),
    instance: z.string().openapi({ description: 'the request path' }),
    requestId: z.string().openapi({ description: 'the X-Request-Id of the answer (for the logs)' }),
    code: z.string().openapi({ description: 'stable machine-readable code (docs/api.md#errors)' }),
    errors: z
      .array(z.object({ field: z.string(), reason: z.string() }).strict())
      .optional()
      .openapi({ description: 'bad input: each field (dotted path; `(body)`, `(path)` or a header name) and why' }),
    tags: z.array(z.string()).optional().openapi({ description: 'none_available: the criteria as classifier tags' }),
    dependency: z.enum(['postgres', 'temporal']).optional().openapi({ description: 'unavailable: which dependency' }),
    condition: z.string().optional().openapi({ description: 'unavailable: what PostgreSQL refused the statement for' }),
    mode: z.enum(['all_or_nothing', 'partial']).optional().openapi({ description: 'not_enough_available: the mode of the quantity asked for' }),
    requested: z.number().int().optional().openapi({ description: 'not_enough_available: the quantity asked for' }),
    allocated: z.number().int().optional().openapi({ description: 'not_enough_available: how many are held now (0)' }),
    results: z
      .array(AllocationOutcome)
      .optional()
      .openapi({ description: 'not_enough_available: what became of each number asked for (failed, or allocated and released again)' }),
    country: z
      .string()
      .optional()
      .openapi({ description: 'address_required, kind_not_sold, account_cap_reached: the country of the number (ISO 3166-1 alpha-2)' }),
    kind: z.string().optional().openapi({ description: 'address_required, kind_not_sold, account_cap_reached: the kind of the number' }),
    sources: z
      .array(z.string())
      .optional()
      .openapi({ description: 'address_required, kind_not_sold, account_cap_reached: the country rules applied, with their versions (`DE/fixed_line v2`)' }),
  })
  .strict()
  .openapi('Problem');

export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.register('Problem', ProblemSchema);
  return registry;
}

/** The tags operations are grouped by, in this order. */
export const TAGS: { name: string; description: string }[] = [
  { name: 'health', description: 'liveness, readiness, metrics and this document' },
  { name: 'endpoints', description: 'search, insight, allocation, reservation, release, exchange, feedback' },
  { name: 'ports', description: 'number portability in and out' },
  { name: 'routing', description: "the call router's lookups and traffic feed" },
  { name: 'inventory', description: 'groupings, the inventory report, check-now, the dashboard' },
  { name: 'carriers', description: 'providers, orders, deliveries, webhooks' },
  { name: 'operations', description: 'reconciliation' },
  { name: 'accounts', description: 'accounts, their API keys, their numbers and their addresses' },
  {
    name: 'twilio',
    description:
      "the Twilio-compatible face under /2010-04-01: Twilio's paths, form-encoded parameters, resources and error body (`TwilioError`), HTTP Basic credentials; the same use cases as /v1",
  },
  { name: 'regulation', description: 'the country rules: rest periods, addresses, domestic-only numbers, caps, kinds sold' },
];

/** The Twilio-compatible face's paths: their errors are Twilio's body, not problems. */
export const TWIN_PREFIX = '/2010-04-01/';

type Doc = ReturnType<OpenApiGeneratorV31['generateDocument']>;

export function buildDocument(registry: OpenAPIRegistry, version: string): Doc {
  const doc = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'endpoint-inventory',
      version,
      description:
        'Telephone endpoint inventory: search, allocation and lifecycle of numbers, short codes and SIP addresses. ' +
        'Every error is an RFC 9457 problem (`application/problem+json`, schema `Problem`) with the request id; ' +
        'a path not listed here answers 404, a listed path with another method 405 with `Allow`. ' +
        'Kinds and capability names are lower snake case, capabilities in answers `{voice, sms, mms, fax}`, every timestamp ISO 8601 UTC (docs/api.md).',
    },
    tags: TAGS,
  });
  return completeDocument(doc);
}

/** A JSON body or response of this schema, for registerPath. */
export const jsonContent = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

/** A request body (required: a route that takes none too says so with required: false). */
export const jsonBody = (schema: z.ZodType, required = true) => ({ ...jsonContent(schema), required });

/** A form-encoded request body (the Twilio-compatible face). */
export const formBody = (schema: z.ZodType, required = true) => ({ content: { 'application/x-www-form-urlencoded': { schema } }, required });

/** An error response a route declares itself (those every route shares are added by rule). */
export const errorResponse = { description: 'a problem (RFC 9457)', content: { 'application/problem+json': { schema: ProblemSchema } } };

/**
 * A route that needs an API key of one of these scopes: the document says so
 * (security + `x-scopes`), and test/api/contract.test.ts holds every route to it.
 */
export const secured = (...scopes: Scope[]) => ({
  security: [{ apiKey: [] }],
  'x-scopes': scopes.map((s) => s.toLowerCase()),
});

/** what each status means when the API's middleware answers it */
const ERROR_DESCRIPTIONS: Record<string, string> = {
  400: 'bad input: `errors` names each field and why (`bad_request`); malformed JSON (`malformed_json`)',
  401: 'no API key, or an unknown or revoked one (`unauthorized`)',
  403: "the key's scope may not use this operation (`forbidden`)",
  404: 'not found, or another account’s (`not_found`)',
  409: 'refused in the current state (`conflict`, `none_available`), or a request with this Idempotency-Key still runs (`idempotency_in_progress`, Retry-After)',
  413: 'the body is larger than API_BODY_LIMIT (`body_too_large`)',
  415: 'the body is not sent as application/json (`unsupported_media_type`), or an unsupported charset or encoding (`unsupported_encoding`)',
  422: 'the Idempotency-Key was used for another request (`unprocessable`)',
  429: 'over the rate limit (`rate_limited`, Retry-After)',
  500: 'anything unexpected (`internal`); logged with the request id',
  503: 'PostgreSQL or Temporal away or unable to serve now (`unavailable`, Retry-After)',
};

/** what each status means on the Twilio-compatible face (Twilio's codes: docs/api.md) */
const TWIN_ERROR_DESCRIPTIONS: Record<string, string> = {
  400: 'a bad parameter (21502, naming it), an invalid number (21421) or area code (21451); for a purchase, a number not available (21422) or none in the area code (21452)',
  401: 'no credentials, or credentials that do not belong together or to a valid platform key (20003, WWW-Authenticate: Basic)',
  403: "the key's scope may not use this (20403), or the account is deactivated (20005)",
  404: 'an AccountSid the credentials do not act for, or a number the account does not hold (20404)',
  409: 'refused in its current state (21502), or a request with this Idempotency-Key still runs (20409, Retry-After)',
  413: 'the body is larger than API_BODY_LIMIT (21502)',
  415: 'the body is not form-encoded (application/x-www-form-urlencoded) (21502)',
  422: 'the Idempotency-Key was used for another request (21502)',
  429: 'over the rate limit (20429, Retry-After)',
  500: 'anything unexpected (20500); logged with the request id',
  503: 'PostgreSQL or Temporal away (20503, Retry-After)',
};

type Json = Record<string, unknown>;
const PROBLEM = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
const TWILIO_ERROR = { 'application/json': { schema: { $ref: '#/components/schemas/TwilioError' } } };
const header = (name: string) => ({ $ref: `#/components/headers/${name}` });

const HEADERS: Record<string, Json> = {
  'X-Request-Id': {
    description: "the request's id: the caller's X-Request-Id when it is 1–128 of [A-Za-z0-9._:-], else a new UUID",
    schema: { type: 'string' },
  },
  'RateLimit-Limit': { description: 'requests a minute this key (or, without a valid key, this client address) may make', schema: { type: 'string' } },
  'RateLimit-Remaining': { description: 'requests left in the current bucket', schema: { type: 'string' } },
  'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'string' } },
  'Idempotent-Replayed': {
    description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
};

const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    '1–255 printable ASCII characters, per API key, kept IDEMPOTENCY_TTL: the same key with the same body gets the first answer again ' +
    '(Idempotent-Replayed: true) and nothing runs twice; another body 422; while the first still runs 409',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

/** Adds what every operation shares, by rule (see the file's head). */
export function completeDocument(doc: Doc): Doc {
  const components = (doc.components ??= {}) as Json;
  components.headers = { ...(components.headers as Json | undefined), ...HEADERS };
  for (const [path, item] of Object.entries(doc.paths ?? {}) as [string, Json][]) {
    const twin = path.startsWith(TWIN_PREFIX);
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const keyed = Array.isArray(op.security) && op.security.length > 0;
      const responses = (op.responses ??= {}) as Record<string, Json>;
      const body = op.requestBody as Json | undefined;
      const params = (op.parameters ?? []) as Json[];
      // every request's path and query are checked (a NUL character is a 400) before it is routed
      const statuses = new Set<string>(['400', '500']);
      if (keyed) ['401', '403', '429', '503'].forEach((s) => statuses.add(s));
      // a body is read for every keyed write and for a declared one: oversized 413, not JSON 415
      if (body || (keyed && method !== 'get')) ['413', '415'].forEach((s) => statuses.add(s));
      if (body) body.required ??= true;
      if (keyed && method === 'post') {
        ['400', '409', '422'].forEach((s) => statuses.add(s));
        if (!params.some((p) => p.name === 'Idempotency-Key')) op.parameters = [...params, IDEMPOTENCY_KEY];
      }
      for (const s of statuses) responses[s] ??= {};
      for (const [status, response] of Object.entries(responses)) {
        const code = Number(status);
        const headers: Json = { 'X-Request-Id': header('X-Request-Id'), ...(response.headers as Json | undefined) };
        if (keyed) Object.assign(headers, { 'RateLimit-Limit': header('RateLimit-Limit'), 'RateLimit-Remaining': header('RateLimit-Remaining') });
        if (code === 429 || code === 503 || (code === 409 && keyed && method === 'post')) headers['Retry-After'] = header('Retry-After');
        if (keyed && method === 'post') headers['Idempotent-Replayed'] = header('Idempotent-Replayed');
        response.headers = headers;
        if (code >= 400 && !(op.operationId === 'getReadiness' && code === 503)) {
          // every error is a problem (on the Twilio face, Twilio's error body): a route's own error response keeps its description
          response.content = twin ? TWILIO_ERROR : PROBLEM;
          if (!response.description || response.description === errorResponse.description) {
            response.description = (twin ? TWIN_ERROR_DESCRIPTIONS : ERROR_DESCRIPTIONS)[status] ?? 'an error';
          }
        }
      }
    }
  }
  return doc;
}
