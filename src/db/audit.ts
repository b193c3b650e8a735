// Read-only checks of what the repository holds, for the fault suite's
// invariants (scripts/faults.ts): acknowledged allocations still held, every
// history one unbroken chain, delivered numbers and orders accounted for.
import type { Db } from './client';
import type { EndpointStateName } from '../domain/endpoint';
import { OPEN_ORDER_STATUSES } from '../domain/inventory';

export async function countInStates(db: Db, states: EndpointStateName[]): Promise<number> {
  return db.endpoint.count({ where: { state: { in: states } } });
}

export async function openOrderCount(db: Db): Promise<number> {
  return db.providerOrder.count({ where: { status: { in: [...OPEN_ORDER_STATUSES] } } });
}

/** These addresses' rows: state and holder. */
export async function holdings(db: Db, addresses: string[]): Promise<{ address: string; state: EndpointStateName; accountId: string | null }[]> {
  return db.endpoint.findMany({ where: { address: { in: addresses } }, select: { address: true, state: true, accountId: true } });
}

/** Endpoints allocated to these accounts other than the given addresses. */
export async function allocatedBesides(
  db: Db,
  accountIds: string[],
  addresses: string[],
): Promise<{ address: string; accountId: string | null; stateChangedAt: Date }[]> {
  return db.endpoint.findMany({
    where: { state: 'ALLOCATED', accountId: { in: accountIds }, address: { notIn: addresses } },
    select: { address: true, accountId: true, stateChangedAt: true },
  });
}

export interface HistoryBreak {
  address: string;
  version: number;
  from_state: string | null;
  prev: string | null;
  step: number | null;
}

/** History rows that do not follow their predecessor: a version skipped or repeated, or a from-state that was not the last to-state. */
export async function historyBreaks(db: Db): Promise<HistoryBreak[]> {
  return db.$queryRaw<HistoryBreak[]>`
    SELECT address, version, from_state, prev, step FROM (
      SELECT e.address, h.version, h.from_state::text AS from_state,
             lag(h.to_state::text) OVER w AS prev, (h.version - lag(h.version) OVER w)::int AS step
        FROM endpoint_history h JOIN endpoints e ON e.id = h.endpoint_id
      WINDOW w AS (PARTITION BY h.endpoint_id ORDER BY h.version)) x
     WHERE step IS NOT NULL AND (step <> 1 OR prev IS DISTINCT FROM from_state)`;
}

/** Endpoints whose version is not their last history row's: a transition written without its history, or the reverse. */
export async function versionsOffHistory(db: Db): Promise<{ address: string }[]> {
  return db.$queryRaw<{ address: string }[]>`
    SELECT e.address FROM endpoints e WHERE e.version <> (SELECT max(version) FROM endpoint_history h WHERE h.endpoint_id = e.id)`;
}

/** Every number delivered for any order, with its outcome. */
export async function deliveredNumbers(db: Db): Promise<{ address: string; outcome: string; reason: string | null; orderId: string }[]> {
  return db.deliveredNumber.findMany({ select: { address: true, outcome: true, reason: true, orderId: true } });
}

export async function acquireOrders(db: Db): Promise<{ idempotencyKey: string; providerId: string; carrierReference: string | null; status: string }[]> {
  return db.providerOrder.findMany({
    where: { direction: 'ACQUIRE' },
    select: { idempotencyKey: true, providerId: true, carrierReference: true, status: true },
  });
}

export async function ordersByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await db.providerOrder.groupBy({ by: ['status'], _count: { _all: true } });
  return Object.fromEntries(rows.map((o) => [o.status, o._count._all]));
}

/**
 * Offered without passing its tests: a TESTING → AVAILABLE entry whose
 * recorded results lack a passed routing test or any other passed test, and
 * any entry into AVAILABLE from a state other than TESTING, RESERVED (back
 * from a reservation) or RELEASING (back from a refused release).
 */
export async function offeredUntested(db: Db): Promise<{ address: string; version: number; from_state: string | null; why: string }[]> {
  return db.$queryRaw<{ address: string; version: number; from_state: string | null; why: string }[]>`
    SELECT e.address, h.version, h.from_state::text AS from_state,
           CASE WHEN h.from_state = 'TESTING' THEN 'tests not passed: ' || coalesce(h.details->>'results', 'no results recorded')
                ELSE 'entered AVAILABLE without testing' END AS why
      FROM endpoint_history h JOIN endpoints e ON e.id = h.endpoint_id
     WHERE h.to_state = 'AVAILABLE'
       AND (h.from_state IS NULL OR h.from_state NOT IN ('TESTING', 'RESERVED', 'RELEASING')
            OR (h.from_state = 'TESTING' AND NOT (
                  jsonb_typeof(h.details->'results') = 'array'
                  AND EXISTS (SELECT 1 FROM jsonb_array_elements(h.details->'results') r WHERE r->>'test' = 'routing' AND r->>'passed' = 'true')
                  AND EXISTS (SELECT 1 FROM jsonb_array_elements(h.details->'results') r WHERE r->>'test' <> 'routing' AND r->>'passed' = 'true'))))`;
}

/** Endpoints whose holder differs from the one their last history entry records. */
export async function holdersOffHistory(db: Db): Promise<{ address: string; account_id: string | null; history_account_id: string | null }[]> {
  return db.$queryRaw<{ address: string; account_id: string | null; history_account_id: string | null }[]>`
    SELECT e.address, e.account_id, h.account_id AS history_account_id
      FROM endpoints e
      JOIN LATERAL (SELECT account_id FROM endpoint_history WHERE endpoint_id = e.id ORDER BY version DESC LIMIT 1) h ON true
     WHERE e.account_id IS DISTINCT FROM h.account_id`;
}

/**
 * Numbers handed back to a carrier (a return or a release, at a time) while
 * an account held them: the state their history says they were in at that
 * moment is ALLOCATED, RESERVED, PORTING_IN or PORTING_OUT.
 */
export async function handedBackWhileHeld(
  db: Db,
  handedBack: { address: string; at: number }[],
): Promise<{ address: string; at: Date; state: string; account_id: string | null }[]> {
  if (handedBack.length === 0) return [];
  const addresses = handedBack.map((h) => h.address);
  const ats = handedBack.map((h) => new Date(h.at).toISOString());
  return db.$queryRaw<{ address: string; at: Date; state: string; account_id: string | null }[]>`
    SELECT x.address, x.at, h.to_state::text AS state, h.account_id
      FROM unnest(${addresses}::text[], ${ats}::timestamptz[]) AS x(address, at)
      JOIN endpoints e ON e.address = x.address
      JOIN LATERAL (SELECT to_state, account_id FROM endpoint_history
                     WHERE endpoint_id = e.id AND at <= x.at ORDER BY version DESC LIMIT 1) h ON true
     WHERE h.to_state IN ('ALLOCATED', 'RESERVED', 'PORTING_IN', 'PORTING_OUT')`;
}

/** The addresses in these states, with their holder. */
export async function inStates(db: Db, states: EndpointStateName[]): Promise<{ address: string; accountId: string | null; state: EndpointStateName }[]> {
  return db.endpoint.findMany({ where: { state: { in: states } }, select: { address: true, accountId: true, state: true } });
}

/** Port requests of these accounts, with their endpoint's state. */
export async function portRequests(
  db: Db,
  accountIds: string[],
): Promise<{ id: string; direction: string; address: string; accountId: string; status: string }[]> {
  return db.portRequest.findMany({
    where: { accountId: { in: accountIds } },
    select: { id: true, direction: true, address: true, accountId: true, status: true },
  });
}

/** Provider orders by direction and status, e.g. { 'RELEASE COMPLETED': 3 }. */
export async function ordersByDirection(db: Db): Promise<Record<string, number>> {
  const rows = await db.providerOrder.groupBy({ by: ['direction', 'status'], _count: { _all: true } });
  return Object.fromEntries(rows.map((o) => [`${o.direction} ${o.status}`, o._count._all]));
}

/** Endpoints by state. */
export async function endpointsByState(db: Db): Promise<Record<string, number>> {
  const rows = await db.endpoint.groupBy({ by: ['state'], _count: { _all: true } });
  return Object.fromEntries(rows.map((o) => [o.state, o._count._all]));
}

/**
 * AVAILABLE endpoints offered for a medium their last tests did not pass:
 * voice without passed inbound and outbound calls, SMS without a passed SMS
 * test, MMS without a passed MMS test (the results of the last entry into
 * AVAILABLE or ALLOCATED from TESTING).
 */
export async function offeredForUntestedMedia(db: Db): Promise<{ address: string; medium: string }[]> {
  return db.$queryRaw<{ address: string; medium: string }[]>`
    WITH last AS (
      SELECT e.address, e.voice_enabled, e.sms_enabled, e.mms_enabled,
             (SELECT h.details->'results' FROM endpoint_history h
               WHERE h.endpoint_id = e.id AND h.from_state = 'TESTING' ORDER BY h.version DESC LIMIT 1) AS results
        FROM endpoints e WHERE e.state = 'AVAILABLE'),
    passed AS (
      SELECT address, voice_enabled, sms_enabled, mms_enabled,
             coalesce((SELECT array_agg(r->>'test') FROM jsonb_array_elements(CASE WHEN jsonb_typeof(results) = 'array' THEN results ELSE '[]'::jsonb END) r
                        WHERE r->>'passed' = 'true'), '{}') AS ok
        FROM last)
    SELECT address, 'voice' AS medium FROM passed WHERE voice_enabled AND NOT ok @> ARRAY['inbound_call', 'outbound_call']
    UNION ALL SELECT address, 'sms' FROM passed WHERE sms_enabled AND NOT ok @> ARRAY['sms']
    UNION ALL SELECT address, 'mms' FROM passed WHERE mms_enabled AND NOT ok @> ARRAY['mms']`;
}
