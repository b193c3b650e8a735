// Insight: one endpoint's record, classifiers, scores and history. An
// operator sees any endpoint with its full history; a platform key an
// AVAILABLE one or its own accounts' (another's does not exist for it: 404),
// and of the history only its own holding periods (src/domain/access.ts
// holdingHistory): never an earlier or later holder's account, key or doings.
import type { Db } from '../db/client';
import { withHistory, type EndpointRow, type HistoryRow } from '../db/endpoint-reads';
import { holdingHistory, type Caller } from '../domain/access';
import { addressField } from '../domain/address';
import { NotFound } from '../domain/errors';
import { geoStatus } from '../domain/geo';
import { usageOf, type UsageDay } from '../db/usage';
import { noticesOf, type NoticeRecord } from '../db/inactivity';

export interface InsightDeps {
  db: Db;
}

/** the record without the allocation claim (an internal lock), history ids as strings (64-bit) */
export type EndpointInsight = Omit<EndpointRow, 'claimToken' | 'claimedUntil'> & {
  /** unknown: the place data cannot place it (its place fields are null) */
  geo: 'known' | 'unknown';
  history: (Omit<HistoryRow, 'id'> & { id: string })[];
  /** its use per holder and day (routing lookups, traffic reports): an operator sees every holder's, a platform key its own accounts' */
  usage: UsageDay[];
  /** the inactivity policy's notices about it (src/usecases/inactivity.ts), newest first: an operator sees every holder's, a platform key its own accounts' */
  inactivityNotices: NoticeRecord[];
};

export async function insight(deps: InsightDeps, who: Caller, input: string): Promise<EndpointInsight> {
  const address = addressField(input);
  const row = await withHistory(deps.db, address);
  const visible = row && (who.scope === 'OPERATOR' || row.state === 'AVAILABLE' || (row.accountId !== null && who.accountIds.includes(row.accountId)));
  if (!row || !visible) throw new NotFound(`address: no endpoint ${address}`);
  const { claimToken: _t, claimedUntil: _c, ...record } = row;
  const history = who.scope === 'OPERATOR' ? row.history : holdingHistory(row.history, who);
  const usage = await usageOf(deps.db, row.id, who.scope === 'OPERATOR' ? null : who.accountIds);
  const inactivityNotices = await noticesOf(deps.db, row.id, who.scope === 'OPERATOR' ? null : who.accountIds);
  return {
    ...record,
    country: row.country?.trim() ?? null,
    geo: geoStatus(row),
    history: history.map((h) => ({ ...h, id: String(h.id) })),
    usage,
    inactivityNotices,
  };
}
