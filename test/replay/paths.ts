// Every recorded history in test/replay/, by workflow type, with the path it
// walks. replay.test.ts fails when a listed file is missing, when a file is
// not listed, or when a file holds another workflow type than listed here.
// Re-record with RECORD_REPLAY=1 and the suite named in `by` (see docs/testing.md).

export type WorkflowType =
  | 'endpointWorkflow'
  | 'providerOrderWorkflow'
  | 'inventoryMonitorWorkflow'
  | 'inventoryTickWorkflow'
  | 'accountDeactivationWorkflow'
  | 'inactivityPolicyWorkflow';

export interface RecordedPath {
  /** what the history covers */
  path: string;
  /** the test that records it */
  by: string;
}

const LIFECYCLE = 'test/workflows/lifecycle.test.ts';
const ORDERS = 'test/workflows/orders.test.ts';
const MONITOR = 'test/workflows/monitor.test.ts';
const MORE = 'test/workflows/replay-paths.test.ts';
const RETESTS = 'test/workflows/retest.test.ts';

export const RECORDED: Record<WorkflowType, Record<string, RecordedPath>> = {
  endpointWorkflow: {
    'endpoint-quarantine-to-available.json': { path: 'QUARANTINE 30 days (timer) → TESTING (capability tests) → AVAILABLE', by: LIFECYCLE },
    'endpoint-voice-dirty-sms-only.json': {
      path: 'inbound-traffic signals; quarantine extended twice; voice dropped → TESTING messaging only → AVAILABLE SMS-only',
      by: LIFECYCLE,
    },
    'endpoint-rejected-returned.json': {
      path: 'both media dirty after two extensions → REJECTED; `returned` update → RETURNED (workflow completes)',
      by: LIFECYCLE,
    },
    'endpoint-tests-failed-rejected.json': { path: 'quarantine → TESTING, routing test fails → REJECTED', by: LIFECYCLE },
    'endpoint-harness-test-traffic.json': {
      path: "QUARANTINE → TESTING with real test traffic ('harness-test-traffic'): per test a `requestCapabilityTest` activity, its `testArrival` signal, no timer firing → AVAILABLE",
      by: LIFECYCLE,
    },
    'endpoint-retest-feedback.json': {
      path: "AVAILABLE; a `qualityReport` about SMS ('retest-in-service') → TESTING messaging only, the SMS never arrives (its wait's timer) → AVAILABLE without SMS, the score combined",
      by: RETESTS,
    },
    'endpoint-retest-scheduled-pulled.json': {
      path: "AVAILABLE waiting with the re-test timer ('in-service-retest'); it fires → TESTING, routing fails → REJECTED (pulled from the shelf)",
      by: RETESTS,
    },
    'endpoint-retest-allocated-alerted.json': {
      path: 'ALLOCATED; a `retest` signal (a failed call) → TESTING voice, routing fails → ALLOCATED with nothing enabled; `alertHolder` retried once',
      by: RETESTS,
    },
    'endpoint-harness-test-not-delivered.json': {
      path: "QUARANTINE → TESTING with real test traffic: the test calls never arrive, the wait's timers fire → REJECTED",
      by: LIFECYCLE,
    },
    'endpoint-release-aging-available.json': {
      path: 'AVAILABLE → `allocate` update → ALLOCATED → `release` → AGING 45 days → TESTING → AVAILABLE',
      by: LIFECYCLE,
    },
    'endpoint-reservation-expires.json': { path: '`reserve` update → RESERVED; reservation timer fires → AVAILABLE', by: LIFECYCLE },
    'endpoint-reserved-then-allocated.json': { path: "`reserve` → RESERVED; the holder's `allocate` cancels the reservation timer → ALLOCATED", by: LIFECYCLE },
    'endpoint-reservation-released.json': { path: "`reserve` → RESERVED; the holder's `release` → AVAILABLE", by: MORE },
    'endpoint-country-rule-aging.json': {
      path: 'a CA number under its country rule: QUARANTINE 5 days → AVAILABLE; allocate, release → `agingRule` (patch `country-rule-aging`) → AGING 10 days; the rule changed → the next release ages 20 days',
      by: 'test/workflows/country-rules.test.ts',
    },
    'endpoint-ordered-country-rule.json': {
      path: "a CA number started in ORDERED: `quarantineRule` (patch `country-rule-quarantine`) → QUARANTINE 5 days by its country rule (not QUARANTINE_NEW's 30) → TESTING → AVAILABLE",
      by: 'test/workflows/country-rules.test.ts',
    },
    'endpoint-ordered-quarantine-new.json': {
      path: "a US number started in ORDERED as runs before patch `country-rule-quarantine` ran it (no marker, QUARANTINE_NEW 30 days) → TESTING → AVAILABLE; recorded once with that patch taken out of today's code",
      by: 'a one-off run (s23-C), not a test: the path no longer happens',
    },
    'endpoint-local-transitions.json': {
      path: 'the release-aging path as runs since `transition-local-activity` record it: every transition a local activity (an update completes in one workflow task)',
      by: LIFECYCLE,
    },
    'endpoint-patches-at-start.json': {
      path: "the release-aging path as runs since `patches-at-start` record it: that one marker in the first workflow task, none of the other patches' markers (every patch decided there); transitions and the aging rule as activities again, no local activities",
      by: LIFECYCLE,
    },
    'endpoint-concurrent-allocate-local.json': {
      path: 'two `allocate` updates at once with local-activity transitions: one ALLOCATED, the other refused inside the handler',
      by: LIFECYCLE,
    },
    'endpoint-concurrent-allocate.json': { path: 'two `allocate` updates at once: one ALLOCATED, the other refused inside the handler', by: LIFECYCLE },
    'endpoint-quality-retest.json': { path: 'AVAILABLE; `qualityReport` signal below 0.5 → TESTING → AVAILABLE', by: LIFECYCLE },
    'endpoint-allocated-retest.json': {
      path: 'ALLOCATED; a good `qualityReport` written by `recordScores`; a bad one → TESTING → back to its holder (ALLOCATED)',
      by: MORE,
    },
    'endpoint-port-in.json': { path: 'PORTING_IN → capability tests → ALLOCATED to the account', by: LIFECYCLE },
    'endpoint-port-in-rejected.json': { path: 'PORTING_IN → routing test fails → REJECTED', by: MORE },
    'endpoint-port-out.json': { path: 'ALLOCATED → `portOut` update → PORTING_OUT; timer → PORTED_OUT (workflow completes)', by: LIFECYCLE },
    'endpoint-retired.json': { path: 'QUARANTINE; `retire` update cancels the quarantine timer → RETIRED (workflow completes)', by: MORE },
    'endpoint-continue-as-new-first-run.json': {
      path: 'allocate/release/aging cycles until the history limit → continue-as-new with its snapshot',
      by: LIFECYCLE,
    },
    'endpoint-continue-as-new.json': {
      path: 'the last run after continue-as-new: starts AVAILABLE from the snapshot, allocate/release/aging go on',
      by: LIFECYCLE,
    },
    'endpoint-operation-after-continue-as-new.json': {
      path: 'the run after continue-as-new (a short history limit), ALLOCATED, carrying its last completed updates: the repeated `allocate` update id is answered with the recorded result (no transition); then, as timing has it, a refused allocate, a release, or continue-as-new again',
      by: 'test/api/lifecycle.test.ts',
    },
    'endpoint-leaves-shelf-retired.json': {
      path: "AVAILABLE (started from its row); a release order's `leaveShelf` update → RELEASING; `retire` → RETIRED (workflow completes)",
      by: ORDERS,
    },
    'endpoint-leaves-shelf-returned.json': {
      path: "REJECTED (started from its row); a release order's `leaveShelf` update → RELEASING; `returned` → RETURNED (workflow completes)",
      by: ORDERS,
    },
  },
  providerOrderWorkflow: {
    'order-delivered.json': { path: 'ACQUIRE: submitted to an API carrier; delivery signal (signed webhook) → DELIVERED', by: ORDERS },
    'order-mismatch-rerouted.json': {
      path: 'ACQUIRE: wrong area codes returned to the carrier; final delivery short → re-routed to a child order',
      by: ORDERS,
    },
    'order-partial-rerouted.json': { path: 'ACQUIRE: partial fill (PARTIALLY_DELIVERED), carrier done → remainder re-routed to a child order', by: ORDERS },
    'order-carrier-down.json': { path: 'ACQUIRE: submission fails after retries → re-routed to a child order', by: ORDERS },
    'order-operator-entry.json': { path: "ACQUIRE: carrier without an API → AWAITING_OPERATOR; the operator's entry (signal) → DELIVERED", by: ORDERS },
    'order-timeout-rerouted.json': {
      path: 'ACQUIRE: nothing delivered within the delivery timeout (timer) → cancelled at the carrier, re-routed to a child order',
      by: MORE,
    },
    'order-timeout-failed.json': { path: 'ACQUIRE (the re-routed child, no API): times out and no provider is left → FAILED, no child', by: MORE },
    'order-delivered-while-cancelling.json': {
      path: 'ACQUIRE: delivery timeout → cancel at the carrier; a delivery signalled while the carrier confirms → accepted, order DELIVERED, no child',
      by: ORDERS,
    },
    'order-late-returned.json': {
      path: 'LATE (signal-with-start by the webhook route after the order closed): numbers recorded RETURNED and handed back to the carrier',
      by: ORDERS,
    },
    'order-cancelled.json': { path: 'ACQUIRE: `cancelOrder` signal while waiting → cancelled at the carrier → CANCELLED', by: MORE },
    'order-release.json': { path: 'RELEASE as runs before `release-leaves-shelf` ran: endpoints handed back → DELIVERED', by: MONITOR },
    'order-release-leaves-shelf.json': {
      path: 'RELEASE since `release-leaves-shelf`: endpoints leave the shelf (held ones kept), only those released at the API carrier, then retired → DELIVERED',
      by: ORDERS,
    },
    'order-release-operator.json': {
      path: 'RELEASE at a carrier without an API: endpoints leave the shelf, a form → AWAITING_OPERATOR; the `confirmOrder` signal → retired and returned → DELIVERED',
      by: ORDERS,
    },
  },
  inventoryMonitorWorkflow: {
    'inventory-monitor.json': {
      path: 'a run begun before `monitor-history-1000` (no patch marker, continues as new at 5,000 events): check-now updates; a deficit and an excess wait the batching window (timer) while signals arrive; acquire and release orders started as child workflows',
      by: `${MONITOR} at 7ca7144 or earlier`,
    },
    'inventory-monitor-history-1000.json': {
      path: 'the same, as runs since `monitor-history-1000` record it (its marker first, continue-as-new at 1,000 events)',
      by: MONITOR,
    },
    'inventory-monitor-idle.json': {
      path: "started by the tick's signal-with-start; nothing short or in excess (no timer); check-now answers an empty report",
      by: MORE,
    },
    'inventory-monitor-continue-as-new.json': {
      path: 'signals while a batch is pending until the server suggests continue-as-new → continue-as-new carrying the pending batch',
      by: MORE,
    },
    'inventory-monitor-continued.json': {
      path: 'the run after continue-as-new: evaluates, waits out the carried batch deadline, starts the order child',
      by: MORE,
    },
  },
  inventoryTickWorkflow: {
    'inventory-tick.json': { path: "the Schedule's tick: one `wakeMonitor` activity", by: MORE },
  },
  accountDeactivationWorkflow: {
    'account-deactivation-release.json': {
      path: 'the grace period (a 30-day timer), then one `releaseAccountNumbers` activity releasing both numbers',
      by: 'test/workflows/account-deactivation.test.ts',
    },
  },
  inactivityPolicyWorkflow: {
    'inactivity-policy-sweeps.json': {
      path: 'sweeps every 12 hours (one `sweepInactivity` activity with the workflow clock, then a timer): notices, a refused delivery sent again, a release, a cancelled notice, a second notice',
      by: 'test/workflows/inactivity.test.ts',
    },
  },
};

export const WORKFLOW_TYPES = Object.keys(RECORDED) as WorkflowType[];

/** file name → workflow type */
export const TYPE_OF: Record<string, WorkflowType> = Object.fromEntries(
  WORKFLOW_TYPES.flatMap((type) => Object.keys(RECORDED[type]).map((file) => [file, type])),
);
