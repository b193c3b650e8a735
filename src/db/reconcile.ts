// Reconciliation's reads: every endpoint row as the reconciler compares it
// with its workflow (the repair itself is src/db/endpoints.ts's).
import type { Db } from './client';
import type { EndpointStateName } from '../domain/endpoint';

export interface ReconcileRow {
  id: string;
  address: string;
  state: EndpointStateName;
  version: number;
  accountId: string | null;
  kind: string;
  country: string | null;
  npa: string | null;
  voiceCapable: boolean;
  smsCapable: boolean;
  mmsCapable: boolean;
  faxCapable: boolean;
  reservedUntil: Date | null;
  quarantineUntil: Date | null;
}

const COLUMNS = {
  id: true, address: true, state: true, version: true, accountId: true, kind: true, country: true, npa: true,
  voiceCapable: true, smsCapable: true, mmsCapable: true, faxCapable: true, reservedUntil: true, quarantineUntil: true,
} as const;

export function everyRow(db: Db): Promise<ReconcileRow[]> {
  return db.endpoint.findMany({ select: COLUMNS });
}

export function rowAt(db: Db, address: string): Promise<ReconcileRow | null> {
  return db.endpoint.findUnique({ where: { address }, select: COLUMNS });
}
