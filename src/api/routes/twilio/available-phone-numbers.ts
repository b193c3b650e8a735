// Twilio's AvailablePhoneNumbers: the countries with numbers on the shelf,
// and the search of one country's Local, Mobile or TollFree numbers with
// Twilio's filters — the same search use case as GET /v1/endpoints.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse, jsonContent as json, z } from '../../openapi';
import { principalOf, type Auth } from '../../middleware/auth';
import { NotFound } from '../../../domain/errors';
import { availableCountries, search } from '../../../usecases/search';
import { twilioAccount, twinSecured, type TwilioDeps } from './account';
import {
  API_VERSION_PATH,
  AvailablePageSchema,
  CountryListSchema,
  CountrySchema,
  NUMBER_TYPES,
  SearchParams,
  availableNumber,
  countryResource,
  excludedRequirements,
  pageMeta,
  searchQuery,
  type NumberType,
} from './mapping';

const AccountParam = z.object({
  AccountSid: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'AC and 32 hex digits')
    .openapi({ description: 'the account SID (`AC…`): one of the accounts the key acts for' }),
});
const CountryParam = AccountParam.extend({
  IsoCountry: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'an ISO 3166 alpha-2 code')
    .transform((v) => v.toUpperCase())
    .openapi({ type: 'string', description: 'the country, ISO 3166 alpha-2 (`US`)' }),
});
const notFound = { ...errorResponse, description: 'an AccountSid the credentials do not act for (20404)' };

export function availablePhoneNumberRoutes(deps: TwilioDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  const base = `${API_VERSION_PATH}/Accounts/{AccountSid}/AvailablePhoneNumbers`;

  registry.registerPath({
    ...twinSecured,
    operationId: 'twilioListAvailableCountries',
    tags: ['twilio'],
    method: 'get',
    path: `${base}.json`,
    summary: 'Twilio: the countries with numbers available, each with its Local, Mobile and TollFree lists',
    request: { params: AccountParam },
    responses: { 200: { description: 'the countries', ...json(CountryListSchema) }, 404: notFound },
  });
  router.get(`${API_VERSION_PATH}/Accounts/:AccountSid/AvailablePhoneNumbers.json`, auth('PLATFORM'), async (req, res) => {
    AccountParam.parse(req.params);
    const { accountSid } = twilioAccount(req);
    const countries = await availableCountries(deps);
    res.json({ countries: countries.map((c) => countryResource(accountSid, c)), uri: req.originalUrl.split('?')[0]! });
  });

  registry.registerPath({
    ...twinSecured,
    operationId: 'twilioGetAvailableCountry',
    tags: ['twilio'],
    method: 'get',
    path: `${base}/{IsoCountry}.json`,
    summary: 'Twilio: one country with numbers available',
    request: { params: CountryParam },
    responses: { 200: { description: 'the country', ...json(CountrySchema) }, 404: { ...notFound, description: 'no numbers available there (20404)' } },
  });
  router.get(`${API_VERSION_PATH}/Accounts/:AccountSid/AvailablePhoneNumbers/:IsoCountry.json`, auth('PLATFORM'), async (req, res) => {
    const { IsoCountry } = CountryParam.parse(req.params);
    const { accountSid } = twilioAccount(req);
    if (!(await availableCountries(deps)).includes(IsoCountry)) throw new NotFound(`IsoCountry: no numbers available in ${IsoCountry}`);
    res.json(countryResource(accountSid, IsoCountry));
  });

  for (const type of Object.keys(NUMBER_TYPES) as NumberType[]) {
    registry.registerPath({
      ...twinSecured,
      operationId: `twilioSearch${type}`,
      tags: ['twilio'],
      method: 'get',
      path: `${base}/{IsoCountry}/${type}.json`,
      summary: `Twilio: search the country's available ${type} numbers with Twilio's filters (one page, as on Twilio)`,
      request: { params: CountryParam, query: SearchParams },
      responses: { 200: { description: 'the matches (an empty list when none)', ...json(AvailablePageSchema) }, 404: notFound },
    });
    router.get(`${API_VERSION_PATH}/Accounts/:AccountSid/AvailablePhoneNumbers/:IsoCountry/${type}.json`, auth('PLATFORM'), async (req, res) => {
      const { IsoCountry } = CountryParam.parse(req.params);
      twilioAccount(req);
      const params = SearchParams.parse(req.query);
      const q = searchQuery(IsoCountry, type, params);
      const found = await search(deps, principalOf(req), q);
      const excluded = excludedRequirements(params);
      const numbers = found.endpoints.map(availableNumber).filter((n) => !excluded.has(n.address_requirements));
      const path = req.originalUrl.split('?')[0]!;
      res.json({
        available_phone_numbers: numbers,
        ...pageMeta(path, {}, { page: 0, pageSize: q.limit, count: numbers.length, next: null, previous: null, asked: req.originalUrl }),
      });
    });
  }
  return router;
}
