// Reconciliation's reads: every endpoint row as the reconciler compares it
// with its workflow (the repair itself is src/db/endpoints.ts's), and rows
// still at their entry that an interrupted ingest may have left without one.
import type { Db } from './client';
import type { TaggedRow } from '../domain/classification';

/** The row's measurements (what its tags come from, less the tags) and what a restarted workflow resumes from. */
export interface ReconcileRow extends Omit<TaggedRow, 'classifierTags'> {
  id: string;
  address: string;
  version: number;
  accountId: string | null;
  kind: string;
  country: string | null;
  npa: string | null;
  reservedUntil: Date | null;
  /** when the current timed phase (quarantine, aging, port-out) ends */
  quarantineUntil: Date | null;
  stateChangedAt: Date;
}

const COLUMNS = {
  id: true,
  address: true,
  state: true,
  version: true,
  accountId: true,
  kind: true,
  country: true,
  npa: true,
  voiceCapable: true,
  smsCapable: true,
  mmsCapable: true,
  faxCapable: true,
  voiceEnabled: true,
  smsEnabled: true,
  mmsEnabled: true,
  faxEnabled: true,
  qualityScore: true,
  voiceCleanliness: true,
  messagingCleanliness: true,
  reservedUntil: true,
  quarantineUntil: true,
  stateChangedAt: true,
} as const;

export function everyRow(db: Db): Promise<ReconcileRow[]> {
  return db.endpoint.findMany({ select: COLUMNS });
}

export function rowAt(db: Db, address: string): Promise<ReconcileRow | null> {
  return db.endpoint.findUnique({ where: { address }, select: COLUMNS });
}

export function rowsAt(db: Db, addresses: string[]): Promise<ReconcileRow[]> {
  return db.endpoint.findMany({ where: { address: { in: addresses } }, select: COLUMNS });
}

/** A row still at its entry (version 1), with the operation that brought it in. */
export type EntryRow = ReconcileRow & { entryOperation: string | null };

/** The rows among `addresses` still at their entry (version 1), each with the operation that brought it in. */
export async function entriesAt(db: Db, addresses: string[]): Promise<EntryRow[]> {
  const rows = await db.endpoint.findMany({
    where: { address: { in: addresses }, version: 1 },
    select: { ...COLUMNS, history: { where: { version: 1 }, select: { operation: true }, take: 1 } },
  });
  return rows.map(({ history, ...r }) => ({ ...r, entryOperation: history[0]?.operation ?? null }));
}
