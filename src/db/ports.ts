// The one writer of `port_requests`: a request is created, linked to its
// endpoint once that exists, and settled (completed or rejected) once.
import type { Db } from './client';
import type { PortDirection, PortStatusName } from '../domain/ports';

export interface PortRequestRow {
  id: string;
  direction: string;
  address: string;
  accountId: string;
  status: PortStatusName;
  endpointId: string | null;
  losingCarrier: string | null;
  gainingCarrier: string | null;
  reason: string | null;
  requestedAt: Date;
  completedAt: Date | null;
}

export interface NewPortRequest {
  direction: PortDirection;
  address: string;
  accountId: string;
  losingCarrier?: string | null;
  gainingCarrier?: string | null;
  endpointId?: string | null;
}

/** A request under way (IN_PROGRESS from the start). */
export function createPort(db: Db, r: NewPortRequest): Promise<PortRequestRow> {
  return db.portRequest.create({
    data: {
      address: r.address, accountId: r.accountId, direction: r.direction, status: 'IN_PROGRESS',
      losingCarrier: r.losingCarrier ?? null, gainingCarrier: r.gainingCarrier ?? null, endpointId: r.endpointId ?? null,
    },
  });
}

/** Requests under way for numbers that joined together (an import of ported numbers). */
export async function createPorts(db: Db, list: NewPortRequest[]): Promise<void> {
  if (!list.length) return;
  await db.portRequest.createMany({
    data: list.map((r) => ({
      address: r.address, accountId: r.accountId, direction: r.direction, status: 'IN_PROGRESS' as const,
      losingCarrier: r.losingCarrier ?? null, gainingCarrier: r.gainingCarrier ?? null, endpointId: r.endpointId ?? null,
    })),
  });
}

/** A port-in whose number never joined. */
export async function rejectPort(db: Db, id: string, reason: string): Promise<void> {
  await db.portRequest.update({ where: { id }, data: { status: 'REJECTED', reason, completedAt: new Date() } });
}

export async function linkEndpoint(db: Db, id: string, endpointId: string): Promise<void> {
  await db.portRequest.update({ where: { id }, data: { endpointId } });
}

/** Settles a request only if it still has the status it was read with: how a port ended is written once. */
export async function settlePort(
  db: Db,
  id: string,
  readAs: PortStatusName,
  to: { status: PortStatusName; reason: string | null; completedAt: Date },
): Promise<void> {
  await db.portRequest.updateMany({ where: { id, status: readAs }, data: to });
}

export interface PortWithEndpoint {
  request: PortRequestRow;
  /** its endpoint's state now, and the cause of its latest history row */
  endpoint: { state: string; lastCause: string | null } | null;
}

export async function findPort(db: Db, id: string): Promise<PortWithEndpoint | null> {
  const request = await db.portRequest.findUnique({ where: { id } });
  if (!request) return null;
  const e = request.endpointId
    ? await db.endpoint.findUnique({ where: { id: request.endpointId }, select: { state: true, history: { orderBy: { version: 'desc' }, take: 1, select: { cause: true } } } })
    : null;
  return { request, endpoint: e ? { state: e.state, lastCause: e.history[0]?.cause ?? null } : null };
}
