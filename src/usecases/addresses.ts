// An account's addresses on file, per country (the platform API's
// /v1/accounts/{accountId}/addresses): created (checked for the country:
// required fields, the postal code's format), listed, fetched, deleted. The
// country rules ask for one before some numbers are allocated
// (src/domain/regulation.ts `address_required`).
import type { Db } from '../db/client';
import { deleteAddress as deleteRow, findAddress, insertAddress, listAddresses, type AddressRow } from '../db/addresses';
import { ownAccount, type Caller } from '../domain/access';
import { NotFound } from '../domain/errors';
import { checkPostalAddress, countryField, type PostalAddress } from '../domain/regulation';

/** what the routes hand in */
export interface AddressDeps {
  db: Db;
}

export interface AddressView extends PostalAddress {
  id: string;
  accountId: string;
  createdAt: string;
}

const view = (a: AddressRow): AddressView => ({
  id: a.id,
  accountId: a.accountId,
  country: a.country,
  customerName: a.customerName,
  street: a.street,
  locality: a.locality,
  region: a.region,
  postalCode: a.postalCode,
  createdAt: a.createdAt.toISOString(),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const none = (accountId: string, id: string) => new NotFound(`addressId: account ${accountId} has no address ${id}`);

export async function createAddress(
  db: Db,
  who: Caller,
  accountId: string,
  input: { country: string; customerName: string; street: string; locality: string; region?: string | null; postalCode: string },
): Promise<AddressView> {
  ownAccount(who, accountId);
  return view(await insertAddress(db, accountId, checkPostalAddress(input)));
}

export async function listAccountAddresses(db: Db, who: Caller, accountId: string, country?: string): Promise<AddressView[]> {
  ownAccount(who, accountId);
  return (await listAddresses(db, accountId, country === undefined ? undefined : countryField(country))).map(view);
}

export async function fetchAddress(db: Db, who: Caller, accountId: string, id: string): Promise<AddressView> {
  ownAccount(who, accountId);
  const row = UUID.test(id) ? await findAddress(db, accountId, id) : undefined;
  if (!row) throw none(accountId, id);
  return view(row);
}

/** Deletes an address on file; numbers already held stay (the rules judge new allocations only). */
export async function deleteAddress(db: Db, who: Caller, accountId: string, id: string): Promise<AddressView> {
  const a = await fetchAddress(db, who, accountId, id);
  if (!(await deleteRow(db, accountId, id))) throw none(accountId, id);
  return a;
}
