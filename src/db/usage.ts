// The one writer of `endpoint_usage`: adds what an API process counted in
// memory since its last flush, one statement per flush (however many
// lookups), and reads an account's usage of one endpoint for insight.
import type { Db } from './client';

export interface UsageDelta {
  endpointId: string;
  accountId: string;
  /** YYYY-MM-DD, UTC */
  day: string;
  lookups: number;
  callsIn: number;
  callsOut: number;
  messagesIn: number;
  messagesOut: number;
  lastUsedAt: Date;
}

/** Adds the deltas (one INSERT … ON CONFLICT for all of them). */
export async function addUsage(db: Db, deltas: UsageDelta[]): Promise<void> {
  if (!deltas.length) return;
  const json = JSON.stringify(deltas.map((d) => ({ ...d, lastUsedAt: d.lastUsedAt.toISOString() })));
  await db.$executeRaw`
    INSERT INTO endpoint_usage AS u (endpoint_id, account_id, day, lookups, calls_in, calls_out, messages_in, messages_out, last_used_at)
    SELECT (d->>'endpointId')::uuid, d->>'accountId', (d->>'day')::date, (d->>'lookups')::int, (d->>'callsIn')::int, (d->>'callsOut')::int,
           (d->>'messagesIn')::int, (d->>'messagesOut')::int, (d->>'lastUsedAt')::timestamptz
      FROM jsonb_array_elements(${json}::jsonb) AS d
    ON CONFLICT (endpoint_id, account_id, day) DO UPDATE SET
      lookups = u.lookups + EXCLUDED.lookups,
      calls_in = u.calls_in + EXCLUDED.calls_in,
      calls_out = u.calls_out + EXCLUDED.calls_out,
      messages_in = u.messages_in + EXCLUDED.messages_in,
      messages_out = u.messages_out + EXCLUDED.messages_out,
      last_used_at = GREATEST(u.last_used_at, EXCLUDED.last_used_at)`;
}

export interface UsageDay {
  accountId: string;
  day: string;
  lookups: number;
  callsIn: number;
  callsOut: number;
  messagesIn: number;
  messagesOut: number;
  lastUsedAt: Date;
}

/** One endpoint's usage by these accounts (all: null), newest day first, at most `days` days. */
export async function usageOf(db: Db, endpointId: string, accountIds: string[] | null, days = 90): Promise<UsageDay[]> {
  const rows = await db.endpointUsage.findMany({
    where: { endpointId, ...(accountIds ? { accountId: { in: accountIds } } : {}) },
    orderBy: { day: 'desc' },
    take: days,
  });
  return rows.map((r) => ({
    accountId: r.accountId,
    day: r.day.toISOString().slice(0, 10),
    lookups: r.lookups,
    callsIn: r.callsIn,
    callsOut: r.callsOut,
    messagesIn: r.messagesIn,
    messagesOut: r.messagesOut,
    lastUsedAt: r.lastUsedAt,
  }));
}
