// Endpoints as an export writes them: a page at a time in address order, so a
// large repository never sits in memory.
import type { Db } from './client';
import type { EndpointStateName } from '../domain/endpoint';

export interface ExportFilter {
  states?: EndpointStateName[];
  npa?: string;
  providerId?: string;
  accountId?: string;
}

export interface ExportRow {
  address: string;
  voiceCapable: boolean;
  smsCapable: boolean;
  mmsCapable: boolean;
  faxCapable: boolean;
  monthlyCostCents: number;
  state: string;
  kind: string;
  country: string | null;
  npa: string | null;
  providerId: string | null;
  accountId: string | null;
}

/** Up to `take` endpoints matching `filter` whose address sorts after `after`. */
export function exportPage(db: Db, filter: ExportFilter, after: string | undefined, take: number): Promise<ExportRow[]> {
  return db.endpoint.findMany({
    where: {
      ...(filter.states?.length ? { state: { in: filter.states } } : {}),
      ...(filter.npa ? { npa: filter.npa } : {}),
      ...(filter.providerId ? { providerId: filter.providerId } : {}),
      ...(filter.accountId ? { accountId: filter.accountId } : {}),
      ...(after ? { address: { gt: after } } : {}),
    },
    orderBy: { address: 'asc' },
    take,
    select: {
      address: true,
      voiceCapable: true,
      smsCapable: true,
      mmsCapable: true,
      faxCapable: true,
      monthlyCostCents: true,
      state: true,
      kind: true,
      country: true,
      npa: true,
      providerId: true,
      accountId: true,
    },
  });
}
