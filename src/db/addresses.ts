// The one writer of `account_addresses`: the addresses an account has on
// file, per country (the country rules' address requirement). Checked for
// their country before they get here (src/domain/regulation.ts).
import type { Db } from './client';
import type { PostalAddress } from '../domain/regulation';

export interface AddressRow extends PostalAddress {
  id: string;
  accountId: string;
  createdAt: Date;
}

const COLUMNS = { id: true, accountId: true, country: true, customerName: true, street: true, locality: true, region: true, postalCode: true, createdAt: true };

export async function insertAddress(db: Db, accountId: string, a: PostalAddress): Promise<AddressRow> {
  return db.accountAddress.create({ data: { accountId, ...a }, select: COLUMNS });
}

/** An account's addresses, oldest first (an account keeps a handful). */
export async function listAddresses(db: Db, accountId: string, country?: string): Promise<AddressRow[]> {
  return db.accountAddress.findMany({ where: { accountId, ...(country ? { country } : {}) }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: COLUMNS });
}

export async function findAddress(db: Db, accountId: string, id: string): Promise<AddressRow | undefined> {
  return (await db.accountAddress.findFirst({ where: { id, accountId }, select: COLUMNS })) ?? undefined;
}

/** false when the account has no such address */
export async function deleteAddress(db: Db, accountId: string, id: string): Promise<boolean> {
  const { count } = await db.accountAddress.deleteMany({ where: { id, accountId } });
  return count === 1;
}
