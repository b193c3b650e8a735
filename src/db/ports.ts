// The one writer of `port_requests`: a request is created (once per
// operation: a retried request finds its first row), linked to its endpoint
// once that exists, and settled (completed or rejected) once.
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
  operationId: string | null;
}

export interface NewPortRequest {
  direction: PortDirection;
  address: string;
  accountId: string;
  losingCarrier?: string | null;
  gainingCarrier?: string | null;
  endpointId?: string | null;
  /** the operation (request) writing it: written once per operation */
  operationId: string;
}

const row = (r: NewPortRequest) => ({
  address: r.address,
  accountId: r.accountId,
  direction: r.direction,
  status: 'IN_PROGRESS' as const,
  losingCarrier: r.losingCarrier ?? null,
  gainingCarrier: r.gainingCarrier ?? null,
  endpointId: r.endpointId ?? null,
  operationId: r.operationId,
});

/**
 * A request under way (IN_PROGRESS from the start), written once per
 * operation: a retry of the same operation (its first attempt's answer lost)
 * gets the row its first attempt wrote, as it is now.
 */
export async function createPort(db: Db, r: NewPortRequest): Promise<PortRequestRow> {
  await db.portRequest.createMany({ data: [row(r)], skipDuplicates: true });
  return db.portRequest.findUniqueOrThrow({ where: { operationId: r.operationId } });
}

/** Requests under way for numbers that joined together (an import of ported numbers); one per operation id. */
export async function createPorts(db: Db, list: NewPortRequest[]): Promise<void> {
  if (!list.length) return;
  await db.portRequest.createMany({ data: list.map(row), skipDuplicates: true });
}

/** The request an operation wrote, if it did. */
export function portByOperation(db: Db, operationId: string): Promise<PortRequestRow | null> {
  return db.portRequest.findUnique({ where: { operationId } });
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
    ? await db.endpoint.findUnique({
        where: { id: request.endpointId },
        select: { state: true, history: { orderBy: { version: 'desc' }, take: 1, select: { cause: true } } },
      })
    : null;
  return { request, endpoint: e ? { state: e.state, lastCause: e.history[0]?.cause ?? null } : null };
}
