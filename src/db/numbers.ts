// Reads of an account's numbers: the endpoints it holds with its own settings
// for each (number_settings, joined on the holder so an earlier holding's
// never shows). Read-only; the writers are src/db/endpoints.ts and
// src/db/number-settings.ts.
import { Prisma } from './generated/client';
import type { Db } from './client';

export interface NumberRow {
  endpointId: string;
  address: string;
  kind: string;
  country: string | null;
  npa: string | null;
  state: string;
  accountId: string;
  voice: boolean;
  sms: boolean;
  mms: boolean;
  fax: boolean;
  applicationUri: string | null;
  reservedUntil: Date | null;
  monthlyCostCents: number;
  stateChangedAt: Date;
  createdAt: Date;
  updatedAt: Date;
  friendlyName: string | null;
  voiceUrl: string | null;
  voiceMethod: string | null;
  voiceFallbackUrl: string | null;
  voiceFallbackMethod: string | null;
  smsUrl: string | null;
  smsMethod: string | null;
  smsFallbackUrl: string | null;
  smsFallbackMethod: string | null;
  statusCallback: string | null;
  statusCallbackMethod: string | null;
}

export interface NumberFilter {
  accountId: string;
  /** digits the address contains (`_` any one digit) */
  number?: string;
  /** exactly this friendly name */
  friendlyName?: string;
  capability?: 'voice' | 'sms' | 'mms' | 'fax';
  state?: string;
  /** any of these kinds */
  kinds?: string[];
  /** the last address of the page before (keyset paging) */
  after?: string;
  /** the first address of the page after: read backwards (rows come last first) */
  before?: string;
  limit: number;
}

const SELECT = Prisma.sql`
  SELECT e.id::text AS "endpointId", e.address, e.kind::text AS kind, e.country, e.npa, e.state::text AS state, e.account_id AS "accountId",
         e.voice_enabled AS voice, e.sms_enabled AS sms, e.mms_enabled AS mms, e.fax_enabled AS fax,
         e.application_uri AS "applicationUri", e.reserved_until AS "reservedUntil", e.monthly_cost_cents AS "monthlyCostCents",
         e.state_changed_at AS "stateChangedAt", e.created_at AS "createdAt", greatest(e.updated_at, s.updated_at) AS "updatedAt",
         s.friendly_name AS "friendlyName", s.voice_url AS "voiceUrl", s.voice_method AS "voiceMethod",
         s.voice_fallback_url AS "voiceFallbackUrl", s.voice_fallback_method AS "voiceFallbackMethod",
         s.sms_url AS "smsUrl", s.sms_method AS "smsMethod", s.sms_fallback_url AS "smsFallbackUrl", s.sms_fallback_method AS "smsFallbackMethod",
         s.status_callback AS "statusCallback", s.status_callback_method AS "statusCallbackMethod"
    FROM endpoints e LEFT JOIN number_settings s ON s.endpoint_id = e.id AND s.account_id = e.account_id`;

const CAPABILITY = { voice: 'voice_enabled', sms: 'sms_enabled', mms: 'mms_enabled', fax: 'fax_enabled' } as const;

/** An account's numbers in address order, at most `limit`, after `after` (the account_id index serves it). */
export async function listNumbers(db: Db, q: NumberFilter): Promise<NumberRow[]> {
  const where: Prisma.Sql[] = [Prisma.sql`e.account_id = ${q.accountId}`];
  if (q.number) where.push(Prisma.sql`e.address LIKE ${`%${q.number}%`}`);
  if (q.friendlyName !== undefined) where.push(Prisma.sql`s.friendly_name = ${q.friendlyName}`);
  if (q.capability) where.push(Prisma.sql`e.${Prisma.raw(CAPABILITY[q.capability])}`);
  if (q.state) where.push(Prisma.sql`e.state = ${q.state}::"EndpointState"`);
  if (q.kinds?.length) where.push(Prisma.sql`e.kind::text = ANY (${q.kinds}::text[])`);
  if (q.after) where.push(Prisma.sql`e.address > ${q.after}`);
  if (q.before) where.push(Prisma.sql`e.address < ${q.before}`);
  const order = q.before ? Prisma.sql`e.address DESC` : Prisma.sql`e.address`;
  return db.$queryRaw<NumberRow[]>`${SELECT} WHERE ${Prisma.join(where, ' AND ')} ORDER BY ${order} LIMIT ${q.limit}`;
}

/** One of the account's numbers by its endpoint id; null when it does not hold it. */
export async function findNumberById(db: Db, accountId: string, endpointId: string): Promise<NumberRow | null> {
  const [row] = await db.$queryRaw<NumberRow[]>`${SELECT} WHERE e.id = ${endpointId}::uuid AND e.account_id = ${accountId}`;
  return row ?? null;
}

/** One of the account's numbers; null when it does not hold it. */
export async function findNumber(db: Db, accountId: string, address: string): Promise<NumberRow | null> {
  const [row] = await db.$queryRaw<NumberRow[]>`${SELECT} WHERE e.address = ${address} AND e.account_id = ${accountId}`;
  return row ?? null;
}

/** The addresses an account holds in these states (the deactivation's release). */
export async function heldAddresses(db: Db, accountId: string, states: string[]): Promise<string[]> {
  const rows = await db.$queryRaw<{ address: string }[]>`
    SELECT address FROM endpoints WHERE account_id = ${accountId} AND state::text = ANY (${states}::text[]) ORDER BY address`;
  return rows.map((r) => r.address);
}
