// Every response the test suite sees from the API is checked against the
// OpenAPI document the app serves: the operation's path and method exist (or
// the answer is the 404 / 405 problem), the status is one the operation
// declares, the content type is one it declares for that status, and a JSON
// body matches its schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses).
// serve() (test/support/http.ts) records each response; the root hook
// (test/support/global.ts) prints how many were checked and fails the run on
// any mismatch, naming the test that saw it.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;
export interface OpenApiDoc {
  paths: Record<string, Record<string, Json>>;
  components?: Json;
}

export interface SeenResponse {
  method: string;
  /** the request's path, without the query */
  path: string;
  status: number;
  contentType: string;
  body: string;
  /** the response headers the document makes promises about (lower case) */
  headers?: { 'x-request-id'?: string; 'retry-after'?: string; allow?: string };
}

interface Route {
  template: string;
  pattern: RegExp;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
/** served by the app but not operations of the document (Swagger UI's assets) */
const OUTSIDE = [/^\/docs(\/|$)/];

const escape = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

export class Conformance {
  private readonly ajv: Ajv2020;
  private readonly routes: Route[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly doc: OpenApiDoc) {
    this.ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema(doc, 'openapi.json');
    // literal paths before templated ones: /v1/orders/{id} must not shadow a literal sibling
    this.routes = Object.keys(doc.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(
          `^${template
            .split(/\{\w+\}/)
            .map(escape)
            .join('[^/]+')}$`,
        ),
      }))
      .sort((a, b) => (a.template.includes('{') ? 1 : 0) - (b.template.includes('{') ? 1 : 0));
  }

  private validator(ref: string): ValidateFunction {
    let v = this.validators.get(ref);
    if (!v) {
      v = this.ajv.compile({ $ref: `openapi.json#${ref}` });
      this.validators.set(ref, v);
    }
    return v;
  }

  /** null when the response is what the document says; else why not */
  check(r: SeenResponse): string | null {
    const headers = this.headers(r);
    return headers ?? this.body(r);
  }

  /** the headers every answer carries: X-Request-Id; Retry-After on a 429 or 503 problem; Allow on a 405 */
  private headers(r: SeenResponse): string | null {
    if (!r.headers) return null;
    if (!r.headers['x-request-id']) return `${r.status}: no X-Request-Id`;
    const problem = r.contentType.startsWith('application/problem+json');
    if ((r.status === 429 || r.status === 503) && problem && !r.headers['retry-after']) return `${r.status}: no Retry-After`;
    if (r.status === 405 && !r.headers.allow) return '405: no Allow';
    return null;
  }

  private body(r: SeenResponse): string | null {
    // as Express routes it: without a fragment, a trailing slash ignored
    const path = r.path.split('#')[0]!.replace(/(.)\/$/, '$1');
    if (OUTSIDE.some((p) => p.test(path))) return null;
    const method = (r.method === 'HEAD' ? 'GET' : r.method).toLowerCase();
    const route = this.routes.find((x) => x.pattern.test(path));
    // a NUL character in the path or query is a 400 before anything is routed
    if (!route) {
      // the Twilio-compatible face answers its unknown paths with Twilio's 404 body
      if (path.startsWith('/2010-04-01/')) return r.status === 404 ? this.twilioError(r) : `${r.status} for a Twilio path the document does not have`;
      return r.status === 404 || r.status === 400 ? this.problem(r) : `${r.status} for a path the document does not have (expected the 404 problem)`;
    }
    const item = this.doc.paths[route.template]!;
    const op = METHODS.includes(method) ? item[method] : undefined;
    if (!op) {
      if (r.status !== 405 && r.status !== 400)
        return `${r.status} for ${r.method} on ${route.template}, which the document does not list (expected the 405 problem)`;
      return route.template.startsWith('/2010-04-01/') ? this.twilioError(r) : this.problem(r);
    }
    const responses = (op.responses ?? {}) as Record<string, Json>;
    const status = String(r.status);
    const declared = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default;
    if (!declared) return `${r.status} is not among ${route.template} ${method.toUpperCase()}'s statuses (${Object.keys(responses).join(', ')})`;
    const content = declared.content as Record<string, Json> | undefined;
    if (!content) return r.body.length && r.method !== 'HEAD' ? `${r.status}: a body where the document declares none` : null;
    if (r.method === 'HEAD') return null;
    const type = r.contentType.split(';')[0]!.trim().toLowerCase();
    if (!(type in content)) return `${r.status}: Content-Type ${type || '(none)'}, the document declares ${Object.keys(content).join(', ')}`;
    if (!/json$/.test(type)) return null;
    return this.validate(r, pointer('', 'paths', route.template, method, 'responses', responses[status] ? status : 'default', 'content', type, 'schema'));
  }

  private problem(r: SeenResponse): string | null {
    const type = r.contentType.split(';')[0]!.trim();
    if (type !== 'application/problem+json') return `${r.status}: Content-Type ${type || '(none)'}, expected application/problem+json`;
    return this.validate(r, '/components/schemas/Problem');
  }

  /** the Twilio-compatible face's error body (application/json, TwilioError) */
  private twilioError(r: SeenResponse): string | null {
    const type = r.contentType.split(';')[0]!.trim();
    if (type !== 'application/json') return `${r.status}: Content-Type ${type || '(none)'}, expected application/json (TwilioError)`;
    return this.validate(r, '/components/schemas/TwilioError');
  }

  private validate(r: SeenResponse, ref: string): string | null {
    let body: unknown;
    try {
      body = JSON.parse(r.body);
    } catch {
      return `${r.status}: the body is not JSON: ${r.body.slice(0, 100)}`;
    }
    const v = this.validator(ref);
    if (v(body)) return null;
    const e = v.errors?.[0];
    return `${r.status}: the body does not match ${ref}: ${e?.instancePath || '(root)'} ${e?.message ?? ''} ${e?.params ? JSON.stringify(e.params) : ''}: ${r.body.slice(0, 300)}`;
  }
}

export interface Mismatch extends SeenResponse {
  test: string;
  why: string;
}

/** what the whole run saw */
export const seen = { responses: 0, mismatches: [] as Mismatch[], test: '(outside any test)' };

const checkers = new WeakMap<object, Conformance>();

/** Records one response of an app whose document is `doc` (the app's locals.openapi). */
export function record(doc: object, r: SeenResponse): void {
  let c = checkers.get(doc);
  if (!c) {
    c = new Conformance(doc as OpenApiDoc);
    checkers.set(doc, c);
  }
  seen.responses++;
  const why = c.check(r);
  if (why) seen.mismatches.push({ ...r, body: r.body.slice(0, 300), test: seen.test, why });
}

/** Mocha root hooks: which test saw what; the summary, and failure on any mismatch, at the end. */
export const conformanceHooks = {
  beforeEach(this: Mocha.Context) {
    seen.test = this.currentTest?.fullTitle() ?? '(unknown test)';
  },
  afterAll() {
    if (!seen.responses) return;
    const lines = seen.mismatches.map((m) => `  ${m.method} ${m.path} → ${m.why}\n    in: ${m.test}`);
    console.log(`OpenAPI conformance: ${seen.responses} responses checked against the document, ${seen.mismatches.length} mismatches`);
    if (lines.length) throw new Error(`responses that do not match the OpenAPI document:\n${lines.join('\n')}`);
  },
};
