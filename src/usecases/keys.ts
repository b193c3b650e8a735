// API keys: `ei_<prefix>_<secret>`. Only a SHA-256 of the whole key is
// stored; the prefix finds the row. The secret is shown once, when made.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/client';
import { createKey, keyByPrefix } from '../db/accounts';
import type { Caller, Scope } from '../domain/access';

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
  return { keyId: row.id, name: row.name, scope: row.scope, accountIds: row.accountIds, providerId: row.providerId, rateLimit: row.rateLimit };
}
