// Reservations as resources: an AVAILABLE endpoint held for an account for
// some minutes, returning to AVAILABLE by itself (its workflow's timer). A
// reservation's id names the endpoint and the version its RESERVED
// transition made; what became of it — extended, expired, cancelled,
// converted to an allocation — is read from the endpoint's history, the one
// record of it (no table of reservations to keep in step with the workflow).
import type { Db } from '../db/client';
import { historyFrom } from '../db/endpoint-reads';
import { actorOf, ownAccount, type Caller } from '../domain/access';
import { addressField } from '../domain/address';
import { BadRequest, Conflict, NotFound } from '../domain/errors';
import { allocator, refusalSeenBy, type EndpointStatus, type HoldingDeps } from './allocate';

export interface ReservationRequest {
  accountId: string;
  address: string;
  minutes: number;
}

export type ReservationStatus = 'active' | 'expired' | 'cancelled' | 'converted';

export interface ReservationView {
  id: string;
  accountId: string;
  address: string;
  status: ReservationStatus;
  reservedAt: string;
  /** when it ends (or ended) unless extended or converted */
  expiresAt: string;
  /** when it expired, was cancelled or converted; null while active */
  endedAt: string | null;
}

const PREFIX = 'rsv_';
const reservationId = (address: string, version: number) => `${PREFIX}${Buffer.from(`${version}:${address}`).toString('base64url')}`;

/** The endpoint and version an id names; NotFound for anything that is not one of ours. */
function parseId(id: string): { address: string; version: number } {
  const none = new NotFound(`id: no reservation ${id}`);
  if (!id.startsWith(PREFIX) || id.length > 200) throw none;
  const m = /^(\d{1,9}):(.+)$/.exec(Buffer.from(id.slice(PREFIX.length), 'base64url').toString('utf8'));
  if (!m) throw none;
  return { version: Number(m[1]), address: m[2]! };
}

/** `reserved until <ISO>` / `reservation extended until <ISO>`: the workflow's own wording */
const untilOf = (cause: string): string | null => {
  const iso = /until (\S+)$/.exec(cause)?.[1];
  return iso && !Number.isNaN(Date.parse(iso)) ? new Date(iso).toISOString() : null;
};

export type ReserveDeps = Pick<HoldingDeps, 'db' | 'temporal' | 'notify'> & {
  /** RESERVATION_MAX: a longer reservation (or extension) is a 400 naming `minutes` (the workflow refuses it too) */
  maxReservationMs?: number;
};
type Deps = ReserveDeps;

/** `minutes` within RESERVATION_MAX, or a 400 naming it. */
function withinMax(deps: ReserveDeps, minutes: number): void {
  if (deps.maxReservationMs !== undefined && minutes * 60_000 > deps.maxReservationMs) {
    throw BadRequest.field('minutes', `at most ${Math.floor(deps.maxReservationMs / 60_000)} (RESERVATION_MAX)`);
  }
}

/**
 * The reservation as its history tells it, for an account of this caller;
 * NotFound for an id that names no reservation or another account's.
 */
async function read(db: Db, who: Caller, id: string): Promise<ReservationView> {
  const { address, version } = parseId(id);
  const rows = await historyFrom(db, address, version);
  const start = rows[0];
  if (!start || start.version !== version || start.toState !== 'RESERVED' || start.fromState === 'RESERVED' || !start.accountId) {
    throw new NotFound(`id: no reservation ${id}`);
  }
  if (!who.accountIds.includes(start.accountId)) throw new NotFound(`id: no reservation ${id}`);
  // the caller's own account, deactivated: 403 naming it
  ownAccount(who, start.accountId);
  let expiresAt = untilOf(start.cause) ?? start.at.toISOString();
  let status: ReservationStatus = 'active';
  let endedAt: string | null = null;
  for (const row of rows.slice(1)) {
    if (row.fromState === 'RESERVED' && row.toState === 'RESERVED') {
      expiresAt = untilOf(row.cause) ?? expiresAt;
      continue;
    }
    status = row.toState === 'ALLOCATED' ? 'converted' : /expired/.test(row.cause) ? 'expired' : 'cancelled';
    endedAt = row.at.toISOString();
    break;
  }
  return { id, accountId: start.accountId, address, status, reservedAt: start.at.toISOString(), expiresAt, endedAt };
}

/** The reservation, active, for a change; Conflict naming what became of it otherwise. */
async function active(db: Db, who: Caller, id: string): Promise<ReservationView> {
  const r = await read(db, who, id);
  if (r.status !== 'active') throw new Conflict(`reservation ${id} is ${r.status}`);
  return r;
}

/**
 * POST /v1/reservations: a platform key, for its own accounts only. `operation` makes a retry the same update.
 * A refusal names no other account's holding (`address: <a> is not available`). The answer is the
 * endpoint's status with the reservation's `id` and `expiresAt`.
 */
export async function reserve(
  deps: Deps,
  who: Caller,
  body: ReservationRequest,
  operation: string,
): Promise<EndpointStatus & { id: string; expiresAt: string | null }> {
  withinMax(deps, body.minutes);
  ownAccount(who, body.accountId);
  const address = addressField(body.address);
  const status = await deps.temporal
    .endpoint(address)
    .reserve({ accountId: body.accountId, until: Date.now() + body.minutes * 60_000, actor: actorOf(who) }, `${operation}:reserve`)
    .catch(async (err: unknown) => {
      throw await refusalSeenBy(deps.db, address, body.accountId, err);
    });
  deps.notify();
  return {
    ...status,
    id: reservationId(status.address, status.version),
    expiresAt: status.reservedUntil === null ? null : new Date(status.reservedUntil).toISOString(),
  };
}

export async function getReservation(db: Db, who: Caller, id: string): Promise<ReservationView> {
  return read(db, who, id);
}

/** Extends an active reservation to `minutes` from now (at most RESERVATION_MAX from now). */
export async function extendReservation(deps: Deps, who: Caller, id: string, minutes: number, operation: string): Promise<ReservationView> {
  withinMax(deps, minutes);
  const r = await active(deps.db, who, id);
  await deps.temporal
    .endpoint(r.address)
    .reserve({ accountId: r.accountId, until: Date.now() + minutes * 60_000, actor: actorOf(who), extend: true }, `${operation}:extend`)
    .catch(async (err: unknown) => {
      throw await refusalSeenBy(deps.db, r.address, r.accountId, err);
    });
  return read(deps.db, who, id);
}

/** Cancels an active reservation: the endpoint is AVAILABLE again at once. */
export async function cancelReservation(deps: Deps, who: Caller, id: string, operation: string): Promise<ReservationView> {
  const r = await active(deps.db, who, id);
  await deps.temporal.endpoint(r.address).release({ accountId: r.accountId, actor: actorOf(who), reason: 'cancelled' }, `${operation}:cancel`);
  deps.notify();
  return read(deps.db, who, id);
}

/** Converts an active reservation into an allocation of the same endpoint to the same account. */
export async function convertReservation(
  deps: HoldingDeps,
  who: Caller,
  id: string,
  body: { applicationUri?: string },
  operation: string,
): Promise<EndpointStatus & { reservation: ReservationView }> {
  const r = await active(deps.db, who, id);
  const status = await allocator(deps).byAddress({
    address: r.address,
    accountId: r.accountId,
    applicationUri: body.applicationUri,
    actor: actorOf(who),
    operation,
  });
  return { ...status, reservation: await read(deps.db, who, id) };
}
