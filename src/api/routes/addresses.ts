// An account's addresses on file (src/usecases/addresses.ts): created
// (checked for their country), listed, fetched, deleted. The country rules
// may ask for one before a number there is allocated (`address_required`).
// Platform keys, for their own accounts only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import { Timestamp } from '../schemas/views';
import { principalOf, type Auth } from '../middleware/auth';
import { createAddress, deleteAddress, fetchAddress, listAccountAddresses, type AddressDeps } from '../../usecases/addresses';

const AddressInput = z
  .object({
    country: z.string().min(1).max(8).openapi({ description: 'ISO 3166-1 alpha-2 (`US`, `GB`, `DE`)' }),
    customerName: z.string().max(200).openapi({ description: 'the person or business at the address' }),
    street: z.string().max(200).openapi({ description: 'street and number' }),
    locality: z.string().max(200).openapi({ description: 'city or town' }),
    region: z.string().max(100).nullable().optional().openapi({ description: 'state or province (required for US and CA: `CA`, `ON`)' }),
    postalCode: z.string().max(32).openapi({ description: "postal code in the country's format (a US ZIP must exist and lie in the region)" }),
  })
  .strict()
  .openapi('AddressInput');
const Address = z
  .object({
    id: z.string(),
    accountId: z.string(),
    country: z.string(),
    customerName: z.string(),
    street: z.string(),
    locality: z.string(),
    region: z.string().nullable(),
    postalCode: z.string(),
    createdAt: Timestamp,
  })
  .strict()
  .openapi('Address');
const AccountParam = z.object({ accountId: z.string().min(1).max(64).openapi({ description: 'the account (one the key acts for)' }) });
const AddressParam = AccountParam.extend({ addressId: z.string().min(1).max(64).openapi({ description: 'the address id (a UUID)' }) });
const ListQuery = z.object({ country: z.string().min(1).max(8).optional().openapi({ description: 'only addresses in this country' }) }).strict();
const NOT_FOUND = { ...error, description: 'an account the key does not act for, or no such address of it (`not_found`)' };
const DEACTIVATED = { ...error, description: "the key's scope may not use this, or the account is deactivated (`forbidden`)" };

export function addressRoutes(deps: AddressDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  const base = '/v1/accounts/{accountId}/addresses';

  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'createAddress',
    tags: ['accounts'],
    method: 'post',
    path: base,
    summary: 'Put an address on file for the account (checked for its country: required fields, postal code format)',
    request: { params: AccountParam, body: body(AddressInput) },
    responses: { 201: { description: 'created: the address', ...json(Address) }, 403: DEACTIVATED, 404: NOT_FOUND },
  });
  router.post('/v1/accounts/:accountId/addresses', auth('PLATFORM'), async (req, res) => {
    const { accountId } = AccountParam.parse(req.params);
    res.status(201).json(await createAddress(deps.db, principalOf(req), accountId, AddressInput.parse(req.body)));
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'listAddresses',
    tags: ['accounts'],
    method: 'get',
    path: base,
    summary: "The account's addresses on file, oldest first",
    request: { params: AccountParam, query: ListQuery },
    responses: {
      200: {
        description: 'the addresses',
        ...json(
          z
            .object({ addresses: z.array(Address) })
            .strict()
            .openapi('AddressList'),
        ),
      },
      403: DEACTIVATED,
      404: NOT_FOUND,
    },
  });
  router.get('/v1/accounts/:accountId/addresses', auth('PLATFORM'), async (req, res) => {
    const { accountId } = AccountParam.parse(req.params);
    res.json({ addresses: await listAccountAddresses(deps.db, principalOf(req), accountId, ListQuery.parse(req.query).country) });
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'getAddress',
    tags: ['accounts'],
    method: 'get',
    path: `${base}/{addressId}`,
    summary: 'One address on file',
    request: { params: AddressParam },
    responses: { 200: { description: 'the address', ...json(Address) }, 403: DEACTIVATED, 404: NOT_FOUND },
  });
  router.get('/v1/accounts/:accountId/addresses/:addressId', auth('PLATFORM'), async (req, res) => {
    const { accountId, addressId } = AddressParam.parse(req.params);
    res.json(await fetchAddress(deps.db, principalOf(req), accountId, addressId));
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'deleteAddress',
    tags: ['accounts'],
    method: 'delete',
    path: `${base}/{addressId}`,
    summary: 'Delete an address on file (numbers held stay; new allocations that need one are refused without it)',
    request: { params: AddressParam },
    responses: { 200: { description: 'deleted: the address as it was', ...json(Address) }, 403: DEACTIVATED, 404: NOT_FOUND },
  });
  router.delete('/v1/accounts/:accountId/addresses/:addressId', auth('PLATFORM'), async (req, res) => {
    const { accountId, addressId } = AddressParam.parse(req.params);
    res.json(await deleteAddress(deps.db, principalOf(req), accountId, addressId));
  });
  return router;
}
