// API keys: `ei_<prefix>_<secret>`. Only a SHA-256 of the whole key is
// stored; the prefix finds the row. The secret is shown once, when made.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/client';
import { createKey, findAccount, findKey, keyByPrefix, listKeys, revokeKey, touchKey, type KeyRow } from '../db/accounts';
import { findProvider } from '../db/providers';
import type { Caller, Scope } from '../domain/access';
import { BadRequest, NotFound } from '../domain/errors';
import { apiKeySid } from '../domain/twilio';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Makes a key; the secret is shown once, only its hash is kept. */
export async function createApiKey(
  db: Db,
  opts: { name: string; scope: Scope; accountIds?: string[]; providerId?: string; rateLimit?: number },
): Promise<{ id: string; key: string }> {
  const prefix = randomBytes(6).toString('hex');
  const key = `ei_${prefix}_${randomBytes(24).toString('base64url')}`;
  const id = await createKey(db, { prefix, hash: sha256(key), ...opts });
  return { id, key };
}

/** The caller a presented key stands for; null when it is malformed, unknown or revoked. */
export async function callerOfKey(db: Db, key: string): Promise<Caller | null> {
  const prefix = /^ei_([0-9a-f]{12})_/.exec(key)?.[1];
  if (!prefix) return null;
  const row = await keyByPrefix(db, prefix);
  const given = Buffer.from(sha256(key));
  if (!row || row.revoked || given.length !== row.hash.length || !timingSafeEqual(given, Buffer.from(row.hash))) return null;
  return {
    keyId: row.id,
    name: row.name,
    scope: row.scope,
    accountIds: row.accountIds,
    providerId: row.providerId,
    rateLimit: row.rateLimit,
    inactiveAccountIds: row.inactiveAccountIds,
  };
}

// ------------------------------------------------------------ keys, for operators

/** What the keys' routes need. */
export interface KeyDeps {
  db: Db;
}

export interface KeyView {
  id: string;
  /** its API key SID on the Twilio-compatible face (SK…) */
  twilioSid: string;
  /** the key's public part: `ei_<prefix>_…` */
  prefix: string;
  name: string;
  scope: Lowercase<Scope>;
  accountIds: string[];
  providerId: string | null;
  rateLimit: number | null;
  createdAt: string;
  revokedAt: string | null;
  /** the last request with it, to within KEY_LAST_USED_EVERY */
  lastUsedAt: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
export const keyView = (k: KeyRow): KeyView => ({
  id: k.id,
  twilioSid: apiKeySid(k.id),
  prefix: k.prefix,
  name: k.name,
  scope: k.scope.toLowerCase() as Lowercase<Scope>,
  accountIds: k.accountIds,
  providerId: k.providerId,
  rateLimit: k.rateLimit,
  createdAt: k.createdAt.toISOString(),
  revokedAt: iso(k.revokedAt),
  lastUsedAt: iso(k.lastUsedAt),
});

export interface KeyRequest {
  name: string;
  scope: Scope;
  accountIds?: string[];
  providerId?: string;
  rateLimit?: number;
}

/**
 * Issues a key after checking what it is for: a platform key acts for one or
 * more existing, active accounts; a carrier key for one existing provider;
 * operator and router keys for neither. The secret is in `key`, shown once.
 */
export async function issueKey(db: Db, req: KeyRequest): Promise<KeyView & { key: string }> {
  const accounts = [...new Set(req.accountIds ?? [])];
  if (req.scope === 'PLATFORM') {
    if (!accounts.length) throw BadRequest.field('accountIds', 'a platform key acts for at least one account');
    for (const id of accounts) {
      const a = await findAccount(db, id);
      if (!a) throw BadRequest.field('accountIds', `no account ${id}`);
      if (!a.active) throw BadRequest.field('accountIds', `account ${id} is deactivated`);
    }
  } else if (accounts.length) {
    throw BadRequest.field('accountIds', `only a platform key acts for accounts, not a ${req.scope.toLowerCase()} key`);
  }
  if (req.scope === 'CARRIER') {
    if (!req.providerId) throw BadRequest.field('providerId', 'a carrier key speaks for one provider');
    if (!(await findProvider(db, req.providerId))) throw BadRequest.field('providerId', `no provider ${req.providerId}`);
  } else if (req.providerId !== undefined) {
    throw BadRequest.field('providerId', `only a carrier key speaks for a provider, not a ${req.scope.toLowerCase()} key`);
  }
  const { id, key } = await createApiKey(db, { ...req, accountIds: accounts });
  return { ...keyView((await findKey(db, id))!), key };
}

export async function listApiKeys(db: Db, q: { accountId?: string; scope?: Scope; revoked?: boolean; limit: number }): Promise<KeyView[]> {
  return (await listKeys(db, q)).map(keyView);
}

/** Revokes a key (a repeat answers the same). API processes stop taking it within their key cache's 10 s. */
export async function revokeApiKey(db: Db, id: string): Promise<KeyView> {
  const row = await revokeKey(db, id);
  if (!row) throw new NotFound(`id: no key ${id}`);
  return keyView(row);
}

/** A key's `last used` is written at most this often (per process: remembered; across processes: the update's own condition). */
export const KEY_LAST_USED_EVERY = 60_000;

/**
 * Notes each authenticated request's key, cheaply: a process writes a key's
 * last_used_at at most once per KEY_LAST_USED_EVERY (it remembers when it
 * last did, for up to `max` keys), and the write itself changes the row only
 * when the stored time is older than that — so across any number of API
 * processes a key's row is written about once a minute, never per request.
 * Fire-and-forget: a failed note is not the request's failure.
 */
export function keyUseRecorder(db: Db, everyMs = KEY_LAST_USED_EVERY, max = 10_000): (keyId: string) => void {
  const noted = new Map<string, number>();
  return (keyId) => {
    const now = Date.now();
    if ((noted.get(keyId) ?? -Infinity) > now - everyMs) return;
    if (noted.size >= max) noted.clear();
    noted.set(keyId, now);
    // not awaited on purpose: the request does not wait for its key's note
    void touchKey(db, keyId, everyMs).catch(() => noted.delete(keyId));
  };
}
