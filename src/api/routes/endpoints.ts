// Reading endpoints: the search of AVAILABLE ones (src/usecases/search.ts) and
// insight into one (src/usecases/insight.ts). Platform keys see their own
// accounts' endpoints and AVAILABLE ones; another account's is a 404.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import { principalOf, type Auth } from '../middleware/auth';
import { areaCode, countryCode } from '../input';
import { digitPattern } from '../../domain/search';
import { NEAR_DEFAULT_KM, search, type SearchDeps } from '../../usecases/search';
import { insight, type InsightDeps } from '../../usecases/insight';

/** letters map to the phone keypad, `*` matches any one digit */
const pattern = (field: string, min: number) =>
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
    .describe(field);

const Query = z
  .object({
    country: countryCode.optional(),
    npa: areaCode.optional(),
    nxx: z
      .string()
      .regex(/^\d{3}$/, '3 digits')
      .optional(),
    kind: z.enum(['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'TOLL_FREE', 'SHORT_CODE', 'SIP']).optional(),
    capabilities: z
      .string()
      .regex(/^(voice|sms|mms|fax)(,(voice|sms|mms|fax))*$/, 'comma-separated: voice, sms, mms, fax')
      .optional(),
    contains: pattern('contains', 4).optional(),
    startsWith: pattern('startsWith', 1).optional(),
    endsWith: pattern('endsWith', 1).optional(),
    near: z.string().max(30).optional().describe('a NANP number: the same area code, closest exchange and line first (numerically, not geographically)'),
    region: z
      .string()
      .regex(/^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$/, 'an ISO 3166-2 code, e.g. us-ca')
      .optional(),
    locality: z.string().min(1).max(100).optional().describe('a town, with region (or country where the place data names no region)'),
    timeZone: z
      .string()
      .regex(/^[A-Za-z]+\/[A-Za-z0-9_+\-/]+$/, 'an IANA time zone, e.g. America/Los_Angeles')
      .max(60)
      .optional(),
    postalCode: z.string().min(1).max(20).optional(),
    rateCenter: z.string().min(1).max(50).optional(),
    lata: z
      .string()
      .regex(/^\d{3,5}$/, '3-5 digits')
      .optional(),
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
      .describe('latitude,longitude: matches within distanceKm, closest first'),
    nearNumber: z.string().max(30).optional().describe('a number: matches within distanceKm of where it is (geographically), closest first'),
    distanceKm: z.coerce.number().gt(0).max(1000).optional().describe(`with nearLatLong / nearNumber, default ${NEAR_DEFAULT_KM}`),
    maxPrice: z.coerce.number().int().min(0).max(2_147_483_647).optional(), // the column is a 32-bit integer
    minQuality: z.coerce.number().min(0).max(1).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    after: z.string().max(100).optional(),
  })
  .strict();
const AddressParam = z.object({ address: z.string().min(1).max(100) });

export function endpointRoutes(deps: SearchDeps & InsightDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    ...secured('PLATFORM', 'OPERATOR'),
    method: 'get',
    path: '/v1/endpoints',
    summary: 'Search AVAILABLE endpoints (paged by address: pass the last address as `after`)',
    request: { query: Query },
    responses: {
      200: { description: 'matches', ...json(z.object({ endpoints: z.array(z.record(z.string(), z.unknown())), next: z.string().nullable() })) },
      400: error,
      401: error,
      403: error,
    },
  });
  router.get('/v1/endpoints', auth('PLATFORM', 'OPERATOR'), async (req, res) => {
    res.json(await search(deps, principalOf(req), Query.parse(req.query)));
  });

  registry.registerPath({
    ...secured('PLATFORM', 'OPERATOR'),
    method: 'get',
    path: '/v1/endpoints/{address}',
    summary: 'Insight: the record, classifiers, scores and full history of an endpoint',
    request: { params: AddressParam },
    responses: { 200: { description: 'the endpoint' }, 400: error, 404: error },
  });
  router.get('/v1/endpoints/:address', auth('PLATFORM', 'OPERATOR'), async (req, res) => {
    res.json(await insight(deps, principalOf(req), AddressParam.parse(req.params).address));
  });
  return router;
}
