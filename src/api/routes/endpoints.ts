// Reading endpoints: the search of AVAILABLE ones (src/usecases/search.ts) and
// insight into one (src/usecases/insight.ts). Platform keys see their own
// accounts' endpoints and AVAILABLE ones; another account's is a 404.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import { principalOf, type Auth } from '../middleware/auth';
import { areaCode, countryCode, nxx } from '../input';
import { FoundEndpointView, InsightView, foundView, insightView, kindOf } from '../schemas/views';
import { digitPattern } from '../../domain/search';
import { NEAR_DEFAULT_KM, search, type SearchDeps } from '../../usecases/search';
import { insight, type InsightDeps } from '../../usecases/insight';

/** letters map to the phone keypad, `*` matches any one digit */
const pattern = (min: number, description: string) =>
  z
    .string()
    .max(20)
    .transform((v, ctx) => {
      const p = digitPattern(v, min);
      if ('reason' in p) {
        ctx.addIssue({ code: 'custom', message: p.reason });
        return z.NEVER;
      }
      return p.digits;
    })
    .openapi({ description, type: 'string' });
const ON_DIGITS = "matched against the endpoint's national number (digits only, without the country code: 4155550100 of +14155550100; a short code's digits)";

const Query = z
  .object({
    country: countryCode.optional().openapi({ description: 'ISO 3166 alpha-2, any case' }),
    npa: areaCode.optional().openapi({ description: 'the area code (NANP NPA, or the national destination code elsewhere), 2–5 digits' }),
    nxx: nxx.optional().openapi({ description: 'the exchange: the 3 digits after the npa (`555` of +1 415 555 0100); alone, any area code' }),
    kind: z
      .enum(['mobile', 'fixed_line', 'fixed_line_or_mobile', 'toll_free', 'short_code', 'sip'])
      .optional()
      .openapi({ description: 'the kind of endpoint, lower snake case (the same names criteria take)' }),
    capabilities: z
      .string()
      .regex(/^(voice|sms|mms|fax)(,(voice|sms|mms|fax))*$/, 'comma-separated: voice, sms, mms, fax')
      .optional()
      .openapi({ description: 'comma-separated capability names (`voice,sms`); every one must be enabled' }),
    contains: pattern(4, `digits anywhere, at least 4 fixed; keypad letters (CALL = 2255) and \`*\` (any one digit) allowed; ${ON_DIGITS}`).optional(),
    startsWith: pattern(1, `the first digits, at least 1; letters and \`*\` as for contains; ${ON_DIGITS}`).optional(),
    endsWith: pattern(1, `the last digits, at least 1; letters and \`*\` as for contains; ${ON_DIGITS}`).optional(),
    near: z.string().max(30).optional().openapi({
      description:
        'a NANP number (+1 and ten digits): the same area code, the same exchange first, then the closest line number — numerically, not geographically (see nearNumber); one page',
    }),
    region: z
      .string()
      .regex(/^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$/, 'an ISO 3166-2 code, e.g. us-ca')
      .optional()
      .openapi({ description: 'the region the number is placed in (ISO 3166-2, e.g. `us-ca`)' }),
    locality: z.string().min(1).max(100).optional().openapi({ description: 'a town, with region (or country where the place data names no region)' }),
    timeZone: z
      .string()
      .regex(/^[A-Za-z]+\/[A-Za-z0-9_+\-/]+$/, 'an IANA time zone, e.g. America/Los_Angeles')
      .max(60)
      .optional()
      .openapi({ description: "the IANA time zone of the number's place, e.g. `America/Los_Angeles`" }),
    postalCode: z.string().min(1).max(20).optional().openapi({ description: "the postal code of the number's place (set only where the town has one)" }),
    rateCenter: z.string().min(1).max(50).optional().openapi({ description: 'the NANP rate center the carrier gave at delivery' }),
    lata: z
      .string()
      .regex(/^\d{3,5}$/, '3-5 digits')
      .optional()
      .openapi({ description: 'the NANP LATA the carrier gave at delivery' }),
    nearLatLong: z
      .string()
      .max(60)
      .transform((v, ctx) => {
        const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(v);
        const [latitude, longitude] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
        if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) {
          ctx.addIssue({ code: 'custom', message: 'latitude,longitude in degrees (-90..90, -180..180), e.g. 37.77,-122.42' });
          return z.NEVER;
        }
        return { latitude, longitude };
      })
      .optional()
      .openapi({ type: 'string', description: 'latitude,longitude: matches within distanceKm, closest first' }),
    nearNumber: z
      .string()
      .max(30)
      .optional()
      .openapi({ description: 'a number: matches within distanceKm of where it is placed (geographically), closest first' }),
    distanceKm: z.coerce
      .number()
      .gt(0)
      .max(1000)
      .optional()
      .openapi({ description: `with nearLatLong / nearNumber: the radius in km, default ${NEAR_DEFAULT_KM}` }),
    // the column is a 32-bit integer
    maxPrice: z.coerce.number().int().min(0).max(2_147_483_647).optional().openapi({ description: 'monthly cost in cents, at most' }),
    minQuality: z.coerce.number().min(0).max(1).optional().openapi({ description: 'quality score 0..1, at least' }),
    limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: 'results per page, 1–100 (default 20)' }),
    after: z.string().max(100).optional().openapi({ description: "the previous page's `next`: the last address it had" }),
  })
  .strict();
const AddressParam = z.object({
  address: z
    .string()
    .min(1)
    .max(100)
    .openapi({ description: 'the address as written: E.164 (`+14155550100`), a short code (`US:12345`) or a SIP URI; URL-encoded' }),
});

export function endpointRoutes(deps: SearchDeps & InsightDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    ...secured('PLATFORM', 'OPERATOR'),
    method: 'get',
    path: '/v1/endpoints',
    operationId: 'searchEndpoints',
    tags: ['endpoints'],
    summary: 'Search AVAILABLE endpoints (paged by address: pass the last address as `after`)',
    request: { query: Query },
    responses: {
      200: {
        description: 'matches, ordered by address',
        ...json(
          z
            .object({
              endpoints: z.array(FoundEndpointView),
              next: z.string().nullable().openapi({ description: 'pass as `after` for the next page; null on the last' }),
            })
            .strict(),
        ),
      },
      400: error,
    },
  });
  router.get('/v1/endpoints', auth('PLATFORM', 'OPERATOR'), async (req, res) => {
    const q = Query.parse(req.query);
    const found = await search(deps, principalOf(req), { ...q, kind: q.kind && kindOf(q.kind) });
    res.json({ endpoints: found.endpoints.map(foundView), next: found.next });
  });

  registry.registerPath({
    ...secured('PLATFORM', 'OPERATOR'),
    method: 'get',
    path: '/v1/endpoints/{address}',
    operationId: 'getEndpoint',
    tags: ['endpoints'],
    summary: 'Insight: the record, classifiers, scores and full history of an endpoint',
    request: { params: AddressParam },
    responses: { 200: { description: 'the endpoint', ...json(InsightView) }, 400: error, 404: error },
  });
  router.get('/v1/endpoints/:address', auth('PLATFORM', 'OPERATOR'), async (req, res) => {
    res.json(insightView(await insight(deps, principalOf(req), AddressParam.parse(req.params).address)));
  });
  return router;
}
