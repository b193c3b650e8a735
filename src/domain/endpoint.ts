// The endpoint's vocabulary: its states, media, capabilities, the automated
// tests, and the durations and thresholds of its lifecycle. Owned here; the
// workflow contract (workflows/shared.ts) re-exports these types.

export type EndpointStateName =
  | 'ORDERED'
  | 'QUARANTINE'
  | 'TESTING'
  | 'AVAILABLE'
  | 'RESERVED'
  | 'ALLOCATED'
  | 'AGING'
  | 'REJECTED'
  /** leaving the shelf for a release order: nothing allocates or reserves it; released at its carrier, then RETIRED or RETURNED */
  | 'RELEASING'
  | 'RETURNED'
  | 'PORTING_IN'
  | 'PORTING_OUT'
  | 'PORTED_OUT'
  | 'RETIRED';

export type Medium = 'voice' | 'messaging';
export type Capability = 'voice' | 'sms' | 'mms' | 'fax';
/** the automated tests of the patent: each checks one thing end to end */
export type CapabilityTest = 'inbound_call' | 'outbound_call' | 'sms' | 'mms' | 'fax' | 'routing';

/** Durations and thresholds of a lifecycle, fixed when the workflow starts. */
export interface LifecyclePolicy {
  /** quarantine of a newly delivered number */
  quarantineNewMs: number;
  /** aging of a released number before reuse */
  agingMs: number;
  /** one extension of a dirty number's quarantine */
  extensionMs: number;
  /** after this many extensions a still-dirty medium is dropped (or the number rejected) */
  maxExtensions: number;
  /** a medium is clean when its cleanliness is at least this (0..1) */
  cleanThreshold: number;
  /** each unwanted inbound event in a period costs this much: cleanliness = 1 / (1 + n·weight) */
  eventWeight: number;
  /** a quality report below this sends an available or allocated number back to testing */
  retestBelow: number;
  /** numbers in service (AVAILABLE, ALLOCATED) are re-tested this often; 0 or absent (runs started before): never */
  retestEveryMs?: number;
  /** how long a port-out takes before the number is gone */
  portOutMs: number;
  /** the longest reservation accepted */
  maxReservationMs: number;
  /** continue-as-new after this many history events (also on the server's suggestion) */
  historyLimit: number;
}

export interface Capabilities {
  voice: boolean;
  sms: boolean;
  mms: boolean;
  fax: boolean;
}

/**
 * States whose end is timed by the workflow's `phaseEndsAt`, which the row
 * keeps as `quarantine_until` (quarantine, aging, and a port-out's end).
 */
export const TIMED_STATES: readonly EndpointStateName[] = ['QUARANTINE', 'AGING', 'PORTING_OUT'];

/**
 * When the timed phase a row is in ends, for a workflow started again from
 * the row: the row's own deadline, or — for a row written before a
 * port-out's end was kept — its phase's length from when it entered it
 * (a quarantine's or an aging's: its country rule's when one sets it, as for
 * a workflow's own; else the policy's). Null for states without a timed end.
 */
export function phaseEndOf(
  row: { state: EndpointStateName; quarantineUntil: number | null; stateChangedAt: number },
  policy: Pick<LifecyclePolicy, 'quarantineNewMs' | 'agingMs' | 'portOutMs'>,
  /** the number's country rule (src/domain/regulation.ts effectiveRule): its rest periods over the policy's */
  rule: { quarantineMs: number | null; agingMs: number | null } | null = null,
): number | null {
  if (!TIMED_STATES.includes(row.state)) return null;
  if (row.quarantineUntil !== null) return row.quarantineUntil;
  const length =
    row.state === 'PORTING_OUT' ? policy.portOutMs : row.state === 'AGING' ? (rule?.agingMs ?? policy.agingMs) : (rule?.quarantineMs ?? policy.quarantineNewMs);
  return row.stateChangedAt + length;
}

/**
 * How many unwanted inbound events a cleanliness stands for (the inverse of
 * cleanliness = 1 / (1 + n·weight)), so a restarted quarantine counts on from
 * where its row stands.
 */
export function eventsBehind(cleanliness: number, weight: number): number {
  if (!(cleanliness > 0) || !(weight > 0) || cleanliness >= 1) return 0;
  return Math.max(0, Math.round((1 / cleanliness - 1) / weight));
}
