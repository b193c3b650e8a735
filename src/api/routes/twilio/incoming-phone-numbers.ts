// Twilio's IncomingPhoneNumbers: an account's numbers — bought (the /v1
// allocation, src/usecases/purchase.ts), listed in Twilio's pages, fetched,
// updated and released (the /v1 numbers use cases) — and the Local, Mobile
// and TollFree sub-lists. A number is named by its PN sid.
import { Router, type Request } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse, formBody, jsonContent as json, z } from '../../openapi';
import { principalOf, type Auth } from '../../middleware/auth';
import { operationId } from '../../middleware/idempotency';
import { BadRequest, NotFound } from '../../../domain/errors';
import { endpointIdOfSid } from '../../../domain/twilio';
import { fetchNumberById, listNumbers, releaseNumber, updateNumber } from '../../../usecases/numbers';
import { purchaseNumber } from '../../../usecases/purchase';
import { addressRequirement } from '../../../usecases/country-rules';
import type { EndpointKind } from '../../../domain/numbers';
import type { NumberView } from '../../../usecases/numbers';
import { twilioAccount, twinSecured, type TwilioDeps } from './account';
import {
  API_VERSION_PATH,
  IncomingListParams,
  IncomingPageSchema,
  IncomingPhoneNumberSchema,
  NUMBER_TYPES,
  PurchaseParams,
  UpdateParams,
  incomingNumber,
  numberUpdate,
  pageMeta,
  type NumberType,
} from './mapping';

const AccountParam = z.object({
  AccountSid: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'AC and 32 hex digits')
    .openapi({ description: 'the account SID (`AC…`): one of the accounts the key acts for' }),
});
const SidParam = AccountParam.extend({
  Sid: z.string().max(40).openapi({ description: 'the number’s sid (`PN…`, as its purchase or a list answered)' }),
});
const notFound = { ...errorResponse, description: 'an AccountSid the credentials do not act for, or a sid the account does not hold (20404)' };

/** the number a sid names, held by this account (NotFound: 20404) */
/** The numbers in Twilio's shape, each with its country rule's address requirement (asked once per country and kind). */
async function incoming(deps: TwilioDeps, accountSid: string, numbers: NumberView[]) {
  const asked = new Map<string, Promise<boolean>>();
  const required = (n: NumberView) => {
    if (!n.country) return Promise.resolve(false);
    const key = `${n.country}/${n.kind}`;
    if (!asked.has(key)) asked.set(key, addressRequirement(deps.db, n.country, n.kind as EndpointKind));
    return asked.get(key)!;
  };
  return Promise.all(numbers.map(async (n) => incomingNumber(accountSid, n, await required(n))));
}

const incomingOne = async (deps: TwilioDeps, accountSid: string, n: NumberView) => (await incoming(deps, accountSid, [n]))[0]!;

async function held(deps: TwilioDeps, req: Request) {
  const { Sid } = SidParam.parse(req.params);
  const { accountId, accountSid } = twilioAccount(req);
  const endpointId = endpointIdOfSid(Sid, accountId);
  if (!endpointId) throw new NotFound(`Sid: no number ${Sid}`);
  return { accountId, accountSid, number: await fetchNumberById(deps.db, principalOf(req), accountId, endpointId) };
}

export function incomingPhoneNumberRoutes(deps: TwilioDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  const list = `${API_VERSION_PATH}/Accounts/{AccountSid}/IncomingPhoneNumbers`;
  const route = `${API_VERSION_PATH}/Accounts/:AccountSid/IncomingPhoneNumbers`;

  // the sub-lists first: `Local.json` must not be read as a sid
  for (const type of [undefined, ...(Object.keys(NUMBER_TYPES) as NumberType[])]) {
    const suffix = type ? `/${type}.json` : '.json';
    const what = type ? `${type} numbers` : 'numbers';
    registry.registerPath({
      ...twinSecured,
      operationId: `twilioBuy${type ?? ''}Number`,
      tags: ['twilio'],
      method: 'post',
      path: `${list}${suffix}`,
      summary: `Twilio: buy a number${type ? ` (${type})` : ''} — PhoneNumber, or the best available with AreaCode — with its settings (the /v1 allocation)`,
      request: { params: AccountParam, body: formBody(PurchaseParams) },
      responses: {
        201: { description: 'the number, now the account’s', ...json(IncomingPhoneNumberSchema) },
        400: {
          ...errorResponse,
          description:
            'a bad parameter (21502), an invalid PhoneNumber (21421) or AreaCode (21451), a number not available (21422), none in the area code (21452)',
        },
        404: notFound,
      },
    });
    router.post(`${route}${suffix}`, auth('PLATFORM'), async (req, res) => {
      AccountParam.parse(req.params);
      const { accountId, accountSid } = twilioAccount(req);
      const p = PurchaseParams.parse(req.body ?? {});
      if ((p.PhoneNumber === undefined) === (p.AreaCode === undefined)) throw BadRequest.field('(body)', 'give PhoneNumber or AreaCode, one of them');
      const criteria = p.AreaCode ? { npa: p.AreaCode, kind: type && NUMBER_TYPES[type].criteriaKind } : undefined;
      const run = { operation: operationId(req), resumable: req.get('idempotency-key') !== undefined };
      const bought = await purchaseNumber(deps, principalOf(req), { accountId, address: p.PhoneNumber, criteria, settings: numberUpdate(p) }, run);
      res.status(201).json(await incomingOne(deps, accountSid, bought));
    });

    registry.registerPath({
      ...twinSecured,
      operationId: `twilioList${type ?? ''}Numbers`,
      tags: ['twilio'],
      method: 'get',
      path: `${list}${suffix}`,
      summary: `Twilio: the account's ${what} in number order, in Twilio's pages (next_page_uri, previous_page_uri)`,
      request: { params: AccountParam, query: IncomingListParams },
      responses: { 200: { description: 'a page of numbers', ...json(IncomingPageSchema) }, 404: notFound },
    });
    router.get(`${route}${suffix}`, auth('PLATFORM'), async (req, res) => {
      AccountParam.parse(req.params);
      const { accountId, accountSid } = twilioAccount(req);
      const p = IncomingListParams.parse(req.query);
      const page = await listNumbers(deps.db, principalOf(req), accountId, {
        number: p.PhoneNumber,
        friendlyName: p.FriendlyName,
        kinds: type && NUMBER_TYPES[type].kinds,
        pageSize: p.PageSize,
        pageToken: p.PageToken,
      });
      const path = `${API_VERSION_PATH}/Accounts/${accountSid}/IncomingPhoneNumbers${suffix}`;
      const meta = { page: p.Page, pageSize: p.PageSize, count: page.numbers.length, next: page.nextPageToken, previous: page.previousPageToken };
      res.json({
        incoming_phone_numbers: await incoming(deps, accountSid, page.numbers),
        ...pageMeta(path, { PhoneNumber: p.PhoneNumber, FriendlyName: p.FriendlyName }, { ...meta, asked: req.originalUrl }),
      });
    });
  }

  const one = `${list}/{Sid}.json`;
  const oneRoute = `${route}/:Sid.json`;
  registry.registerPath({
    ...twinSecured,
    operationId: 'twilioGetNumber',
    tags: ['twilio'],
    method: 'get',
    path: one,
    summary: 'Twilio: one of the account’s numbers with its settings',
    request: { params: SidParam },
    responses: { 200: { description: 'the number', ...json(IncomingPhoneNumberSchema) }, 404: notFound },
  });
  router.get(oneRoute, auth('PLATFORM'), async (req, res) => {
    const { accountSid, number } = await held(deps, req);
    res.json(await incomingOne(deps, accountSid, number));
  });

  registry.registerPath({
    ...twinSecured,
    operationId: 'twilioUpdateNumber',
    tags: ['twilio'],
    method: 'post',
    path: one,
    summary: 'Twilio: change a number’s friendly name, voice / SMS / status-callback URLs and methods (an empty URL clears it)',
    request: { params: SidParam, body: formBody(UpdateParams, false) },
    responses: { 200: { description: 'the number as it is now', ...json(IncomingPhoneNumberSchema) }, 404: notFound },
  });
  router.post(oneRoute, auth('PLATFORM'), async (req, res) => {
    const { accountId, accountSid, number } = await held(deps, req);
    const p = UpdateParams.parse(req.body ?? {});
    res.json(await incomingOne(deps, accountSid, await updateNumber(deps.db, principalOf(req), accountId, number.address, numberUpdate(p))));
  });

  registry.registerPath({
    ...twinSecured,
    operationId: 'twilioReleaseNumber',
    tags: ['twilio'],
    method: 'delete',
    path: one,
    summary: 'Twilio: release the number (it ages before anyone else can have it; its settings go with it)',
    request: { params: SidParam },
    responses: { 204: { description: 'released (no body)' }, 404: notFound },
  });
  router.delete(oneRoute, auth('PLATFORM'), async (req, res) => {
    const { accountId, number } = await held(deps, req);
    await releaseNumber(deps, principalOf(req), accountId, number.address, operationId(req));
    res.status(204).end();
  });
  return router;
}
