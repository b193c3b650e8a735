// Insight: one endpoint's record, classifiers, scores and full history. An
// operator sees any endpoint, anyone an AVAILABLE one, a platform key its own
// accounts' (another's does not exist for it: 404).
import type { Db } from '../db/client';
import { withHistory, type EndpointRow, type HistoryRow } from '../db/endpoint-reads';
import type { Caller } from '../domain/access';
import { addressField } from '../domain/address';
import { NotFound } from '../domain/errors';

export interface InsightDeps {
  db: Db;
}

/** the record without the allocation claim (an internal lock), history ids as strings (64-bit) */
export type EndpointInsight = Omit<EndpointRow, 'claimToken' | 'claimedUntil'> & { history: (Omit<HistoryRow, 'id'> & { id: string })[] };

export async function insight(deps: InsightDeps, who: Caller, input: string): Promise<EndpointInsight> {
  const address = addressField(input);
  const row = await withHistory(deps.db, address);
  const visible = row && (who.scope === 'OPERATOR' || row.state === 'AVAILABLE' || (row.accountId !== null && who.accountIds.includes(row.accountId)));
  if (!row || !visible) throw new NotFound(`address: no endpoint ${address}`);
  const { claimToken: _t, claimedUntil: _c, ...record } = row;
  return { ...record, country: row.country?.trim() ?? null, history: row.history.map((h) => ({ ...h, id: String(h.id) })) };
}
