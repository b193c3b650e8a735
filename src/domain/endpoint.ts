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
export type CapabilityTest = 'inbound_call' | 'outbound_call' | 'sms' | 'mms' | 'routing';

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

