// A port request (in or out) and where it stands. Its status follows its
// endpoint's state until the port ends; how it ended is then written once, so
// later moves of the endpoint do not rewrite it.
import type { Db } from '../db/client';
import { findPort, settlePort } from '../db/ports';
import type { Caller } from '../domain/access';
import { NotFound } from '../domain/errors';
import { nextPortStatus, settles, type PortStatusName } from '../domain/ports';

export interface PortView {
  id: string;
  direction: 'IN' | 'OUT';
  address: string;
  accountId: string;
  status: PortStatusName;
  endpointState: string | null;
  losingCarrier: string | null;
  gainingCarrier: string | null;
  reason: string | null;
  requestedAt: string;
  completedAt: string | null;
}

/** GET /v1/ports/{id}: operators read any; a platform key its own accounts' only (`who` absent: the caller just made it). */
export async function portView(db: Db, id: string, who?: Caller): Promise<PortView> {
  const found = await findPort(db, id);
  const r = found?.request;
  if (!found || !r || (who && who.scope !== 'OPERATOR' && !who.accountIds.includes(r.accountId))) throw new NotFound(`no port request ${id}`);
  const endpointState = found.endpoint?.state ?? null;
  let { status, reason, completedAt } = r;
  const now = nextPortStatus(r.status, r.direction, endpointState);
  if (now) {
    status = now;
    if (settles(now)) {
      reason = found.endpoint?.lastCause ?? null;
      completedAt = new Date();
      await settlePort(db, id, r.status, { status, reason, completedAt });
    }
  }
  return {
    id: r.id,
    direction: r.direction === 'OUT' ? 'OUT' : 'IN',
    address: r.address,
    accountId: r.accountId,
    status,
    endpointState,
    losingCarrier: r.losingCarrier,
    gainingCarrier: r.gainingCarrier,
    reason,
    requestedAt: r.requestedAt.toISOString(),
    completedAt: completedAt?.toISOString() ?? null,
  };
}
