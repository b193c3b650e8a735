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
  /** those of accountIds that are deactivated */
  inactiveAccountIds: string[];
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
  const row = await db.apiKey.findUnique({ where: { prefix }, include: { accounts: { select: { accountId: true, account: { select: { active: true } } } } } });
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
    inactiveAccountIds: row.accounts.filter((a) => !a.account.active).map((a) => a.accountId),
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

// ------------------------------------------------------------ accounts (operators)

export interface AccountRow {
  id: string;
  name: string;
  active: boolean;
  createdAt: Date;
  deactivatedAt: Date | null;
  releaseAfter: Date | null;
  releasedAt: Date | null;
  /** endpoints it holds now (allocated, reserved, being ported, retested) */
  numbers: number;
  /** keys acting for it that are not revoked */
  keys: number;
}

const accountSelect = {
  id: true,
  name: true,
  active: true,
  createdAt: true,
  deactivatedAt: true,
  releaseAfter: true,
  releasedAt: true,
  _count: { select: { endpoints: true, apiKeys: { where: { apiKey: { revokedAt: null } } } } },
} as const;

type SelectedAccount = { _count: { endpoints: number; apiKeys: number } } & Omit<AccountRow, 'numbers' | 'keys'>;
const accountRow = ({ _count, ...a }: SelectedAccount): AccountRow => ({ ...a, numbers: _count.endpoints, keys: _count.apiKeys });

/** Creates the account; false when one with this id exists already (left as it is). */
export async function insertAccount(db: Db, a: { id: string; name: string }): Promise<boolean> {
  const { count } = await db.account.createMany({ data: [{ id: a.id, name: a.name }], skipDuplicates: true });
  return count === 1;
}

export async function findAccount(db: Db, id: string): Promise<AccountRow | null> {
  const row = await db.account.findUnique({ where: { id }, select: accountSelect });
  return row ? accountRow(row) : null;
}

/** Accounts by id, after `after`; `active` filters. */
export async function listAccounts(db: Db, q: { after?: string; limit: number; active?: boolean }): Promise<AccountRow[]> {
  const rows = await db.account.findMany({
    where: { ...(q.after ? { id: { gt: q.after } } : {}), ...(q.active === undefined ? {} : { active: q.active }) },
    orderBy: { id: 'asc' },
    take: q.limit,
    select: accountSelect,
  });
  return rows.map(accountRow);
}

/**
 * Deactivates the account (once: a second call changes nothing and answers
 * the same row): active = false, deactivatedAt now, releaseAfter now + grace.
 * Null when there is no such account.
 */
export async function deactivateAccount(db: Db, id: string, graceMs: number): Promise<AccountRow | null> {
  await db.$executeRaw`
    UPDATE accounts SET active = false, deactivated_at = coalesce(deactivated_at, now()),
           release_after = coalesce(release_after, now() + make_interval(secs => ${graceMs / 1000}))
     WHERE id = ${id}`;
  return findAccount(db, id);
}

/** Deactivated accounts whose numbers are not released yet, with when they are due. */
export async function pendingDeactivations(db: Db): Promise<{ id: string; releaseAfter: Date }[]> {
  const rows = await db.account.findMany({
    where: { active: false, releasedAt: null, releaseAfter: { not: null } },
    select: { id: true, releaseAfter: true },
    orderBy: { id: 'asc' },
  });
  return rows.map((r) => ({ id: r.id, releaseAfter: r.releaseAfter! }));
}

/** The deactivation workflow released its numbers. */
export async function markNumbersReleased(db: Db, id: string): Promise<void> {
  await db.account.updateMany({ where: { id, releasedAt: null }, data: { releasedAt: new Date() } });
}

// ------------------------------------------------------------ keys (operators)

export interface KeyRow {
  id: string;
  prefix: string;
  name: string;
  scope: Scope;
  accountIds: string[];
  providerId: string | null;
  rateLimit: number | null;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

const keySelect = {
  id: true,
  prefix: true,
  name: true,
  scope: true,
  providerId: true,
  rateLimit: true,
  createdAt: true,
  revokedAt: true,
  lastUsedAt: true,
  accounts: { select: { accountId: true }, orderBy: { accountId: 'asc' } },
} as const;

type SelectedKey = Omit<KeyRow, 'accountIds'> & { accounts: { accountId: string }[] };
const keyRow = ({ accounts, ...k }: SelectedKey): KeyRow => ({ ...k, accountIds: accounts.map((a) => a.accountId) });

export async function findKey(db: Db, id: string): Promise<KeyRow | null> {
  const row = await db.apiKey.findUnique({ where: { id }, select: keySelect });
  return row ? keyRow(row) : null;
}

/** Keys, newest first; `accountId` filters to the keys acting for it, `revoked` to revoked ones or not. */
export async function listKeys(db: Db, q: { accountId?: string; scope?: Scope; revoked?: boolean; limit: number }): Promise<KeyRow[]> {
  const rows = await db.apiKey.findMany({
    where: {
      ...(q.accountId ? { accounts: { some: { accountId: q.accountId } } } : {}),
      ...(q.scope ? { scope: q.scope } : {}),
      ...(q.revoked === undefined ? {} : { revokedAt: q.revoked ? { not: null } : null }),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    take: q.limit,
    select: keySelect,
  });
  return rows.map(keyRow);
}

/** Revokes the key (once: revokedAt keeps its first time). Null when there is no such key. */
export async function revokeKey(db: Db, id: string): Promise<KeyRow | null> {
  await db.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  return findKey(db, id);
}

/**
 * Notes that the key was used: writes only when the stored time is older
 * than `everyMs` (or unset), so however many processes and requests, a key's
 * row is written at most once per that interval.
 */
export async function touchKey(db: Db, id: string, everyMs: number): Promise<void> {
  await db.$executeRaw`
    UPDATE api_keys SET last_used_at = now()
     WHERE id = ${id}::uuid AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => ${everyMs / 1000}))`;
}
