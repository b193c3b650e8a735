// The one writer of `accounts`, `api_keys` and `api_key_accounts`: accounts
// as the platform's customers, API keys (only the hash of a key is stored)
// with the accounts a platform key acts for.
import type { Db } from './client';
import type { Scope } from '../domain/access';

export interface NewApiKey {
  prefix: string;
  /** SHA-256 of the whole key, hex */
  hash: string;
  name: string;
  scope: Scope;
  accountIds?: string[];
  providerId?: string | null;
  rateLimit?: number | null;
}

export interface StoredApiKey {
  id: string;
  hash: string;
  name: string;
  scope: Scope;
  providerId: string | null;
  rateLimit: number | null;
  revoked: boolean;
  accountIds: string[];
}

/** Stores a key with its accounts; its id. */
export async function createKey(db: Db, k: NewApiKey): Promise<string> {
  const row = await db.apiKey.create({
    data: {
      prefix: k.prefix,
      hash: k.hash,
      name: k.name,
      scope: k.scope,
      providerId: k.providerId ?? null,
      rateLimit: k.rateLimit ?? null,
      accounts: { create: (k.accountIds ?? []).map((accountId) => ({ accountId })) },
    },
    select: { id: true },
  });
  return row.id;
}

/** The key with this public prefix, with the accounts it acts for. */
export async function keyByPrefix(db: Db, prefix: string): Promise<StoredApiKey | null> {
  const row = await db.apiKey.findUnique({ where: { prefix }, include: { accounts: { select: { accountId: true } } } });
  if (!row) return null;
  return {
    id: row.id,
    hash: row.hash,
    name: row.name,
    scope: row.scope,
    providerId: row.providerId,
    rateLimit: row.rateLimit,
    revoked: row.revokedAt !== null,
    accountIds: row.accounts.map((a) => a.accountId),
  };
}

export async function createAccount(db: Db, a: { id: string; name: string }): Promise<void> {
  await db.account.create({ data: { id: a.id, name: a.name } });
}

/** Creates the account unless it exists (an existing one is left as it is). */
export async function ensureAccount(db: Db, a: { id: string; name: string }): Promise<void> {
  await db.account.upsert({ where: { id: a.id }, create: { id: a.id, name: a.name }, update: {} });
}

export async function accountExists(db: Db, id: string): Promise<boolean> {
  return (await db.account.findUnique({ where: { id }, select: { id: true } })) !== null;
}
