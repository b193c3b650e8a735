// The contract between workflows, the worker and the API: task queue, ids,
// search attributes and every signal, update and query with its input type.
// Workflow code and the API import the same names from here.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';

export const TASK_QUEUE = 'endpoint-inventory';

export const endpointWorkflowId = (address: string): string => `endpoint/${address}`;
export const orderWorkflowId = (orderId: string): string => `order/${orderId}`;
export const INVENTORY_MONITOR_ID = 'inventory-monitor';
export const accountDeactivationWorkflowId = (accountId: string): string => `account-deactivation/${accountId}`;

// ------------------------------------------------------------ search attributes

export const EndpointNumber = defineSearchAttributeKey('EndpointNumber', 'KEYWORD');
export const EndpointState = defineSearchAttributeKey('EndpointState', 'KEYWORD');
export const EndpointCountry = defineSearchAttributeKey('EndpointCountry', 'KEYWORD');
export const EndpointNpa = defineSearchAttributeKey('EndpointNpa', 'KEYWORD');
export const EndpointType = defineSearchAttributeKey('EndpointType', 'KEYWORD');
export const OrderProvider = defineSearchAttributeKey('OrderProvider', 'KEYWORD');
export const OrderStatus = defineSearchAttributeKey('OrderStatus', 'KEYWORD');

/** Registered on the server at start (the dev server's `--search-attribute NAME=Keyword`; elsewhere src/temporal/search-attributes.ts). */
export const SEARCH_ATTRIBUTE_KEYS = [EndpointNumber, EndpointState, EndpointCountry, EndpointNpa, EndpointType, OrderProvider, OrderStatus];
export const SEARCH_ATTRIBUTE_NAMES = SEARCH_ATTRIBUTE_KEYS.map((k) => k.name);

// ------------------------------------------------------------ endpoint lifecycle

// The endpoint's vocabulary belongs to the domain (src/domain/endpoint.ts);
// the contract re-exports it (type-only: nothing enters the workflow bundle).
export type { EndpointStateName, Medium, Capability, CapabilityTest, LifecyclePolicy, Capabilities } from '../src/domain/endpoint';
import type { EndpointStateName, Medium, Capabilities, Capability, LifecyclePolicy } from '../src/domain/endpoint';
import type { ProbeArrival } from '../src/domain/harness';
export type { ProbeArrival };

/** Everything the workflow needs to go on: its input, and what continue-as-new carries. */
export interface EndpointSnapshot {
  state: EndpointStateName;
  version: number;
  accountId: string | null;
  reservedUntil: number | null;
  /** when the current timed phase (quarantine, aging, port-out) ends, epoch ms */
  phaseEndsAt: number | null;
  extensions: number;
  /** unwanted inbound events in the current quarantine period */
  voiceEvents: number;
  messagingEvents: number;
  voiceCleanliness: number;
  messagingCleanliness: number;
  /** what the number can do (from the carrier) and what is offered (tests passed) */
  capable: Capabilities;
  enabled: Capabilities;
  /** media that stayed dirty after the last extension: never offered */
  droppedMedia: Medium[];
  qualityScore: number | null;
  /** where to go after TESTING when the number has a holder (retest of an allocated number) */
  afterTesting: 'AVAILABLE' | 'ALLOCATED';
  /** RELEASING: for which release order, and from where (absent in runs that began before RELEASING existed) */
  releasing?: { orderId: string; from: 'AVAILABLE' | 'REJECTED' } | null;
  /** in service: when the scheduled re-test is due (epoch ms); null until the period starts */
  nextRetestAt?: number | null;
  /** TESTING as a re-test of a number in service: why, which media, and the feedback score that asked for it */
  retest?: RetestState | null;
}

/** A re-test of a number in service under way. */
export interface RetestState {
  reason: string;
  /** null: every medium offered */
  media: Medium[] | null;
  /** the quality report's score that asked for it, if one did (combined with the tests' share) */
  feedback: number | null;
}

export interface EndpointWorkflowInput {
  /** canonical address (E.164, `CC:digits` short code, or sip:) */
  address: string;
  /** the endpoint's row id in PostgreSQL */
  endpointId: string;
  policy: LifecyclePolicy;
  /** the row as it is now; ORDERED and PORTING_IN start their own first step */
  snapshot: EndpointSnapshot;
  /** the last updates it completed, carried over continue-as-new (absent in runs started before they were) */
  completed?: CompletedOperation[];
}

/**
 * An update the workflow completed, by its update id. Temporal answers a
 * repeated update id only within one run; the workflow carries the last
 * COMPLETED_OPERATIONS of these across continue-as-new and answers a repeat
 * with the recorded result, so an operation's dedupe does not depend on the run.
 */
export interface CompletedOperation {
  id: string;
  result: EndpointStatus;
}
export const COMPLETED_OPERATIONS = 20;

export interface EndpointStatus extends EndpointSnapshot {
  address: string;
  endpointId: string;
}

export interface AllocateInput {
  accountId: string;
  applicationUri?: string;
  actor?: string;
}
/** The ApplicationFailure type of a transition the number's country rules refuse (its details: the rule's code, country, kind, rule versions). */
export const REGULATION_REFUSED = 'RegulationRefused';

/** How long a released number ages by its country's rule, and which rule version said so; null: no rule (the policy's agingMs). */
export interface AgingRule {
  agingMs: number | null;
  rule: { country: string; kind: string | null; version: number; agingMs: number } | null;
}

/** How long a delivered number rests by its country's rule, and which rule version said so; null: no rule (the policy's quarantineNewMs). */
export interface QuarantineRule {
  quarantineMs: number | null;
  rule: { country: string; kind: string | null; version: number; quarantineMs: number } | null;
}

export interface ReserveInput {
  accountId: string;
  /** epoch ms */
  until: number;
  actor?: string;
  /** extend this account's own reservation to `until` (the endpoint must be RESERVED for it), instead of reserving an AVAILABLE one */
  extend?: boolean;
}
export interface ReleaseInput {
  accountId: string;
  actor?: string;
  /** why, when not the holder's own wish (e.g. `account deactivated`): said in the history row's cause */
  reason?: string;
}
export interface PortOutInput {
  accountId: string;
  actor?: string;
}
export interface RetireInput {
  reason: string;
  actor?: string;
}
export interface InboundTrafficInput {
  medium: Medium;
  count?: number;
  from?: string;
}
export interface QualityReportInput {
  /** 0 (useless) .. 1 (perfect) */
  score: number;
  source?: string;
  /** the capabilities the report is about (a re-test tests their media only); absent: all */
  capabilities?: Capability[];
}
/** Something seen in service asks for a re-test: a failed call the router reports, a carrier's registration change. */
export interface RetestInput {
  reason: string;
  /** the capabilities affected; absent: all */
  capabilities?: Capability[];
}
export interface ReturnedInput {
  reason: string;
  actor?: string;
}
export interface LeaveShelfInput {
  /** the release order taking it */
  orderId: string;
  actor?: string;
}
export interface BackToShelfInput {
  /** the release order that took it */
  orderId: string;
  /** the carrier's refusal */
  reason: string;
  actor?: string;
}

export const allocateUpdate = defineUpdate<EndpointStatus, [AllocateInput]>('allocate');
export const reserveUpdate = defineUpdate<EndpointStatus, [ReserveInput]>('reserve');
export const releaseUpdate = defineUpdate<EndpointStatus, [ReleaseInput]>('release');
export const portOutUpdate = defineUpdate<EndpointStatus, [PortOutInput]>('portOut');
export const retireUpdate = defineUpdate<EndpointStatus, [RetireInput]>('retire');
/** a REJECTED number has gone back to its carrier (the release order confirms it) */
export const returnedUpdate = defineUpdate<EndpointStatus, [ReturnedInput]>('returned');
/** a release order takes an AVAILABLE or REJECTED endpoint off the shelf: RELEASING, until `retire` or `returned` closes it */
export const leaveShelfUpdate = defineUpdate<EndpointStatus, [LeaveShelfInput]>('leaveShelf');
/** the carrier refused the release (a final 4xx): the endpoint goes back where it came from (AVAILABLE or REJECTED) */
export const backToShelfUpdate = defineUpdate<EndpointStatus, [BackToShelfInput]>('backToShelf');
export const inboundTrafficSignal = defineSignal<[InboundTrafficInput]>('inboundTraffic');
export const qualityReportSignal = defineSignal<[QualityReportInput]>('qualityReport');
/** a capability test's call or message reached the platform's inbound entry (src/usecases/test-arrival.ts) */
export const testArrivalSignal = defineSignal<[ProbeArrival]>('testArrival');
/** re-test a number in service (AVAILABLE or ALLOCATED) for real; ignored in any other state */
export const retestSignal = defineSignal<[RetestInput]>('retest');
export const stateQuery = defineQuery<EndpointStatus>('state');

/** The type of the failure an update handler or validator throws for a refused request. */
export const REJECTED_UPDATE = 'RejectedUpdate';

// ------------------------------------------------------------ inventory monitor

export interface AcquireRequest {
  groupingId: string;
  tags: string[];
  quantity: number;
  preferredProviderIds: string[];
}
export interface ReleaseRequest {
  /** the grouping in excess, or REJECTED_RETURNS */
  groupingId: string;
  tags: string[];
  quantity: number;
  /** REJECTED numbers (with these tags) back to their carriers, not a grouping's spare AVAILABLE ones */
  rejected?: boolean;
}
/** the pending-release key of the monitor's request to return REJECTED numbers (not a grouping) */
export const REJECTED_RETURNS = 'rejected-returns';

export interface InventoryMonitorInput {
  /** requests wait this long for others before orders are placed */
  batchWindowMs: number;
  /** allocation rate, unmet searches and trend look back this far */
  evaluationWindowMs: number;
  /** handed to each order it starts */
  orderDeliveryTimeoutMs?: number;
  /** carried over continue-as-new */
  pendingAcquire?: AcquireRequest[];
  pendingRelease?: ReleaseRequest[];
  batchDeadline?: number | null;
}

export interface DecisionSummary {
  groupingId: string;
  name: string;
  quantity: number;
  reason: string;
}

export interface InventoryReport {
  evaluatedAt: number;
  trigger: string;
  groupings: number;
  belowMin: number;
  aboveMax: number;
  /** at most 100 of each, most urgent first */
  acquire: DecisionSummary[];
  release: DecisionSummary[];
  /** when the pending requests become orders (epoch ms), if any are pending */
  batchDeadline: number | null;
}

export interface MonitorStatus {
  pendingAcquire: AcquireRequest[];
  pendingRelease: ReleaseRequest[];
  batchDeadline: number | null;
  lastReport: InventoryReport | null;
  ordersStarted: string[];
}

export const inventoryChangedSignal = defineSignal<[{ reason?: string }]>('inventoryChanged');
export const checkNowUpdate = defineUpdate<InventoryReport, []>('checkNow');
export const monitorStatusQuery = defineQuery<MonitorStatus>('monitorStatus');

// ------------------------------------------------------------ provider orders

export interface ProviderOrderInput {
  orderId: string;
  providerId: string;
  /**
   * ACQUIRE and RELEASE are orders; LATE takes deliveries that reached an
   * order after its workflow had closed (started by the webhook route with
   * signal-with-start as `order/<id>/late`): each number is recorded as
   * RETURNED with the reason and handed back to the carrier.
   */
  direction: 'ACQUIRE' | 'RELEASE' | 'LATE';
  /** how long to wait for the carrier's deliveries before re-routing the rest; default 3 days */
  deliveryTimeoutMs?: number;
}

/** Numbers a carrier delivered (its signed webhook) or an operator entered. */
export interface DeliveryInput {
  source: 'carrier' | 'operator';
  /** numbers by order line, when the carrier says which */
  lines?: { lineId: string; numbers: string[] }[];
  /** numbers without a line: matched to the order's open lines */
  numbers?: string[];
  /** what the carrier says of each number's place (NANP rate center, LATA), where it gives them */
  places?: { number: string; rateCenter?: string; lata?: string }[];
  /** the carrier will deliver nothing more for this order */
  final?: boolean;
}

export interface OrderProgress {
  orderId: string;
  status: string;
  requested: number;
  accepted: number;
  rejected: number;
  outstanding: number;
  reroutedTo: string | null;
}

export const deliverySignal = defineSignal<[DeliveryInput]>('delivery');
/** deliveries that reached an order after its workflow closed */
export const lateDeliveryWorkflowId = (orderId: string): string => `order/${orderId}/late`;
export const cancelOrderSignal = defineSignal<[{ reason: string }]>('cancelOrder');
export interface OrderConfirmation {
  /** who confirmed (`operator:<key name>`) */
  actor: string;
  note?: string;
}
/** an operator confirms a release order's work item is done at a carrier without an API (the numbers are handed back) */
export const confirmOrderSignal = defineSignal<[OrderConfirmation]>('confirmOrder');
export const orderProgressQuery = defineQuery<OrderProgress>('progress');

// ------------------------------------------------------------ account deactivation

export interface AccountDeactivationInput {
  accountId: string;
  /** when its numbers are released (epoch ms): the deactivation + ACCOUNT_RELEASE_GRACE */
  releaseAt: number;
}

export interface AccountRelease {
  accountId: string;
  /** the numbers released, by address */
  released: string[];
}

// ------------------------------------------------------------ inactivity policy

/** the one inactivity-policy workflow (a sweeper on a durable timer) */
export const INACTIVITY_POLICY_ID = 'inactivity-policy';

/** what one sweep of the inactivity policy did (counts: the addresses are in the worker's log) */
export interface InactivitySweep {
  noticed: number;
  delivered: number;
  undelivered: number;
  used: number;
  released: number;
  moved: number;
  /** how long until the next sweep (INACTIVITY_SWEEP_EVERY); null: the policy is off, and the workflow ends */
  nextSweepMs: number | null;
}
