// One workflow per endpoint (id `endpoint/<address>`) for its whole managed
// life: quarantine, testing, offer, allocation, release, aging, return.
// Handlers change state one at a time (a lock, since each writes through an
// activity); the main loop waits for timers and for the handlers.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import type { Activities } from '../activities';
import {
  FINAL_STATES,
  canTransition,
  cleanliness,
  evaluateQuarantine,
  evaluateRetest,
  evaluateTests,
  judgeArrival,
  mediaOf,
  mediaOfCapabilities,
  refuseAllocate,
  refuseBackToShelf,
  refuseLeaveShelf,
  refusePortOut,
  refuseRelease,
  refuseReserve,
  refuseRetire,
  refuseReturned,
  testsFor,
  type Arrival,
  type TestResult,
} from './endpoint.machine';
import {
  COMPLETED_OPERATIONS,
  EndpointState,
  REJECTED_UPDATE,
  allocateUpdate,
  inboundTrafficSignal,
  backToShelfUpdate,
  leaveShelfUpdate,
  portOutUpdate,
  qualityReportSignal,
  testArrivalSignal,
  retestSignal,
  releaseUpdate,
  reserveUpdate,
  retireUpdate,
  returnedUpdate,
  stateQuery,
  type CapabilityTest,
  type CompletedOperation,
  type EndpointSnapshot,
  type EndpointStateName,
  type EndpointStatus,
  type AllocateInput,
  type EndpointWorkflowInput,
  type BackToShelfInput,
  type LeaveShelfInput,
  type Medium,
  type PortOutInput,
  type ReleaseInput,
  type ReserveInput,
  type RetireInput,
  type ReturnedInput,
  type RetestState,
} from './shared';
import { createLock } from './lock';

// the database may be away for a while: keep trying, never give up on a transition
const TRANSITION_RETRY: RetryPolicy = { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['StaleTransition'] };
const remote = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: TRANSITION_RETRY });
const { recordScores } = remote;
// Runs that began before `patches-at-start` and after
// `transition-local-activity` record each transition (and read a country
// rule) as a local activity, inside the workflow task: an update completed in
// one workflow task instead of three. Runs since `patches-at-start` use an
// activity again (`activity` below): a local activity wrote the row before
// the update that asked for it was in history, so a workflow task lost after
// it (timed out on a loaded worker, or the worker killed) left the row ahead
// of the workflow (seen in the fault suite: row AGING v54, workflow ALLOCATED
// v53); and a query during one can split the workflow task around it (see
// `patches-at-start` below).
const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: TRANSITION_RETRY });
// two short statements, retry-safe (an attempt that committed is answered from
// the row): a worker that dies running one is replaced after 10 s, not 30
const activity = proxyActivities<Activities>({ startToCloseTimeout: '10 seconds', retry: TRANSITION_RETRY });

// runs that began before the harness placed real test traffic replay their one activity per test
const { runCapabilityTest, requestCapabilityTest } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 5 },
});
// the platform may be away for a while: its alert is retried for about a day
const { alertHolder } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '10 seconds', maximumInterval: '30 minutes', maximumAttempts: 60 },
});

function refuse(reason: string | null): void {
  if (reason) throw ApplicationFailure.create({ type: REJECTED_UPDATE, message: reason, nonRetryable: true });
}

/** The endpoint workflow's patches, each the id of a change runs that began before it replay without. */
type EndpointPatch =
  'transition-local-activity' | 'country-rule-aging' | 'country-rule-quarantine' | 'harness-test-traffic' | 'in-service-retest' | 'retest-in-service';

export async function endpointWorkflow(input: EndpointWorkflowInput): Promise<EndpointStatus> {
  // Every patch is decided here, in the run's first workflow task, before the
  // first await. A patch first asked for later can be asked in another
  // workflow task on replay than it was when it ran: a local activity's
  // marker can close one workflow task while the code after it ran in the
  // next (seen when a query arrives while the activity runs), and a replay
  // that resolves it early finds no marker yet for a patch asked right after
  // it — `patched()` answers false and the replay fails (docs/design.md,
  // "Patches"). Runs that began before this replay as they ran: each patch
  // asked where its code is, as before.
  const patchedAtStart = patched('patches-at-start');
  const isPatched = (id: EndpointPatch): boolean => patchedAtStart || patched(id);
  const { address, endpointId, policy } = input;
  const s: EndpointSnapshot = { ...input.snapshot };
  let applicationUri: string | null | undefined;
  let retestPending = false;
  /** why the pending re-test was asked for (a report's score and media, a router's failed call, a registration change) */
  let retestWhy: RetestState | null = null;
  /** capability tests' arrivals at the inbound entry, by nonce, until their test takes them */
  const arrivals = new Map<string, Arrival>();

  const status = (): EndpointStatus => ({ address, endpointId, ...s });
  setHandler(stateQuery, status);

  /** the state a transition being written goes to (validators judge an update against it too) */
  let moving: EndpointSnapshot | null = null;

  /** One change at a time: a handler or timer waits its turn, then re-checks. */
  const lock = createLock();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => lock.run(fn);

  // The last updates completed, in this run and the ones before it (carried
  // over continue-as-new): a retry of one of them (same update id) that
  // reaches a later run is answered with its result, not judged again —
  // Temporal's own dedupe covers one run only. Runs that began before this was
  // carried start with none, and behave as they did.
  const completed: CompletedOperation[] = [...(input.completed ?? [])];
  const recorded = (): CompletedOperation | undefined => {
    const id = currentUpdateInfo()?.id;
    return id === undefined ? undefined : completed.find((o) => o.id === id);
  };
  /**
   * An update handler (with its validator): a repeat of a completed one is
   * answered from the record; otherwise it is judged, then applied in turn
   * and its answer recorded.
   */
  function operation<I>(refusal: (req: I, at: EndpointSnapshot) => string | null, apply: (req: I) => Promise<void>) {
    return {
      handler: (req: I): Promise<EndpointStatus> => {
        const prior = recorded();
        if (prior) return Promise.resolve(prior.result);
        return exclusive(async () => {
          refuse(refusal(req, s));
          await apply(req);
          const result = status();
          const id = currentUpdateInfo()?.id;
          if (id !== undefined) {
            completed.push({ id, result });
            if (completed.length > COMPLETED_OPERATIONS) completed.splice(0, completed.length - COMPLETED_OPERATIONS);
          }
          return result;
        });
      },
      validator: (req: I): void => {
        if (recorded()) return;
        const now = refusal(req, s);
        // a transition in flight (its activity has written the row, or is writing it: the
        // API may already see the new state) is judged where it is going too; the handler
        // judges again under the lock, once it has landed
        if (now !== null && (moving === null || refusal(req, moving) !== null)) refuse(now);
      },
    };
  }

  /** Writes the transition (compare-and-set + history), then takes it on. */
  async function move(
    to: EndpointStateName,
    cause: string,
    actor: string,
    changes: Partial<EndpointSnapshot> = {},
    details?: Record<string, unknown>,
  ): Promise<void> {
    if (!canTransition(s.state, to)) {
      throw ApplicationFailure.create({ type: REJECTED_UPDATE, message: `no transition ${s.state} → ${to}`, nonRetryable: true });
    }
    const next: EndpointSnapshot = { ...s, ...changes, state: to };
    // out of service (aging, testing, gone): the next period in service starts its own re-test schedule
    if (to !== 'AVAILABLE' && to !== 'ALLOCATED' && to !== 'RESERVED') next.nextRetestAt = null;
    // the update that asked for it, or this workflow's own step from this version
    const operation = currentUpdateInfo()?.id ?? `${workflowInfo().workflowId}@v${s.version}`;
    // the row keeps when a timed phase ends (TIMED_STATES of src/domain/endpoint.ts), so a workflow started again from it resumes the phase
    const timed = to === 'QUARANTINE' || to === 'AGING' || to === 'PORTING_OUT';
    // runs that began before transitions became local activities, or while they were, replay as they ran
    const recordTransition = patchedAtStart
      ? activity.recordTransition
      : isPatched('transition-local-activity')
        ? local.recordTransition
        : remote.recordTransition;
    moving = next;
    const { version } = await recordTransition({
      endpointId,
      from: s.state,
      fromVersion: s.version,
      to,
      cause,
      actor,
      operation,
      details,
      set: {
        accountId: next.accountId,
        reservedUntil: next.reservedUntil,
        quarantineUntil: timed ? next.phaseEndsAt : null,
        enabled: next.enabled,
        voiceCleanliness: next.voiceCleanliness,
        messagingCleanliness: next.messagingCleanliness,
        qualityScore: next.qualityScore,
        ...(applicationUri !== undefined ? { applicationUri } : {}),
      },
    }).finally(() => {
      moving = null;
    });
    Object.assign(s, next, { version });
    applicationUri = undefined;
    upsertSearchAttributes([{ key: EndpointState, value: s.state }]);
  }

  /** A fresh quarantine (or aging) period with clean counters. */
  const period = (ms: number): Partial<EndpointSnapshot> => ({
    phaseEndsAt: Date.now() + ms,
    voiceEvents: 0,
    messagingEvents: 0,
    voiceCleanliness: 1,
    messagingCleanliness: 1,
  });

  // ---------------------------------------------------------------- handlers

  const allocation = operation(
    (req: AllocateInput, at) => refuseAllocate(at, req),
    async (req) => {
      applicationUri = req.applicationUri ?? null;
      const cause = s.state === 'RESERVED' ? 'allocated by its reservation holder' : 'allocated';
      await move('ALLOCATED', cause, req.actor ?? `account:${req.accountId}`, { accountId: req.accountId, reservedUntil: null });
    },
  );
  setHandler(allocateUpdate, allocation.handler, { validator: allocation.validator });

  const reservation = operation(
    (req: ReserveInput, at) => refuseReserve(at, req, Date.now(), policy),
    async (req) => {
      const cause =
        req.extend === true ? `reservation extended until ${new Date(req.until).toISOString()}` : `reserved until ${new Date(req.until).toISOString()}`;
      await move('RESERVED', cause, req.actor ?? `account:${req.accountId}`, {
        accountId: req.accountId,
        reservedUntil: req.until,
      });
    },
  );
  setHandler(reserveUpdate, reservation.handler, { validator: reservation.validator });

  const release = operation(
    (req: ReleaseInput, at) => refuseRelease(at, req),
    async (req) => {
      const actor = req.actor ?? `account:${req.accountId}`;
      // a release for a reason (an account deactivated) says so in its history row
      const why = req.reason === undefined ? '' : ` (${req.reason})`;
      if (s.state === 'RESERVED') {
        await move('AVAILABLE', `reservation released${why}`, actor, { accountId: null, reservedUntil: null });
      } else {
        // its country's rule, resolved now (one more command, so runs released before it replay as they ran)
        const aging = patchedAtStart
          ? await activity.agingRule({ endpointId })
          : isPatched('country-rule-aging')
            ? await local.agingRule({ endpointId })
            : { agingMs: null, rule: null };
        applicationUri = null;
        await move(
          'AGING',
          `released${why}: aging before reuse`,
          actor,
          { accountId: null, extensions: 0, droppedMedia: [], ...period(aging.agingMs ?? policy.agingMs) },
          aging.rule ? { countryRule: aging.rule } : undefined,
        );
      }
    },
  );
  setHandler(releaseUpdate, release.handler, { validator: release.validator });

  const portOut = operation(
    (req: PortOutInput, at) => refusePortOut(at, req),
    async (req) => {
      await move('PORTING_OUT', 'port-out requested by its holder', req.actor ?? `account:${req.accountId}`, {
        phaseEndsAt: Date.now() + policy.portOutMs,
      });
    },
  );
  setHandler(portOutUpdate, portOut.handler, { validator: portOut.validator });

  const retirement = operation(
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- update arguments arrive unchecked: a null one is refused, not thrown on
    (req: RetireInput, at) => refuseRetire(at, req?.reason),
    async (req) => {
      await move('RETIRED', `retired: ${req.reason}`, req.actor ?? 'operator', { phaseEndsAt: null });
    },
  );
  setHandler(retireUpdate, retirement.handler, { validator: retirement.validator });

  const returned = operation(
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- update arguments arrive unchecked: a null one is refused, not thrown on
    (req: ReturnedInput, at) => refuseReturned(at, req?.reason),
    async (req) => {
      await move('RETURNED', `returned to its carrier: ${req.reason}`, req.actor ?? 'carrier');
    },
  );
  setHandler(returnedUpdate, returned.handler, { validator: returned.validator });

  const leavingShelf = operation(
    (req: LeaveShelfInput, at) => refuseLeaveShelf(at, req),
    async (req) => {
      if (s.state === 'RELEASING') return; // this order took it already
      const from = s.state === 'REJECTED' ? 'REJECTED' : 'AVAILABLE';
      await move('RELEASING', `leaving the shelf: release order ${req.orderId}`, req.actor ?? `order:${req.orderId}`, {
        releasing: { orderId: req.orderId, from },
      });
    },
  );
  setHandler(leaveShelfUpdate, leavingShelf.handler, { validator: leavingShelf.validator });

  const backOnShelf = operation(
    (req: BackToShelfInput, at) => refuseBackToShelf(at, req),
    async (req) => {
      const to = s.releasing?.from === 'REJECTED' ? 'REJECTED' : 'AVAILABLE';
      await move(to, `back from release order ${req.orderId}: its carrier refused the release (${req.reason})`, req.actor ?? `order:${req.orderId}`, {
        releasing: null,
      });
    },
  );
  setHandler(backToShelfUpdate, backOnShelf.handler, { validator: backOnShelf.validator });

  setHandler(inboundTrafficSignal, ({ medium, count }) => {
    if (s.state !== 'QUARANTINE' && s.state !== 'AGING') return; // only unallocated numbers are judged
    const n = Number.isInteger(count) && (count ?? 0) > 0 ? (count as number) : 1;
    if (medium === 'voice') {
      s.voiceEvents += n;
      s.voiceCleanliness = cleanliness(s.voiceEvents, policy.eventWeight);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- signal payloads arrive unchecked: an unknown medium is ignored
    } else if (medium === 'messaging') {
      s.messagingEvents += n;
      s.messagingCleanliness = cleanliness(s.messagingEvents, policy.eventWeight);
    }
  });

  setHandler(testArrivalSignal, (a) => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- signal payloads arrive unchecked
    if (typeof a?.nonce !== 'string' || arrivals.has(a.nonce)) return; // the first arrival counts
    arrivals.set(a.nonce, {
      number: a.number,
      routedAsLookup: a.routedAsLookup,
      routedTo: a.routedTo,
      expectedRoute: a.expectedRoute,
      oneWayAudio: a.oneWayAudio,
      at: a.at,
    });
  });

  setHandler(qualityReportSignal, async ({ score, capabilities }) => {
    if (typeof score !== 'number' || !(score >= 0 && score <= 1)) return;
    s.qualityScore = score;
    if (score < policy.retestBelow && (s.state === 'AVAILABLE' || s.state === 'ALLOCATED')) {
      retestPending = true; // the retest transition writes the score
      retestWhy = { reason: `quality report ${score.toFixed(2)} below ${policy.retestBelow}`, media: mediaOfCapabilities(capabilities), feedback: score };
    } else {
      await exclusive(() => recordScores({ endpointId, version: s.version, set: { qualityScore: s.qualityScore } }));
    }
  });

  setHandler(retestSignal, ({ reason, capabilities }) => {
    if (s.state !== 'AVAILABLE' && s.state !== 'ALLOCATED') return; // only numbers in service
    retestPending = true;
    const why = typeof reason === 'string' && reason.trim() ? reason.slice(0, 200) : 're-test asked';
    // a quality report's score, when one is pending too, still counts
    retestWhy = { reason: why, media: mediaOfCapabilities(capabilities), feedback: retestWhy?.feedback ?? null };
  });

  // ---------------------------------------------------------------- phases

  async function endOfQuarantine(): Promise<void> {
    const verdict = evaluateQuarantine(s, policy);
    if (verdict.action === 'extend') {
      // a self-transition: recorded with its cause, counters start over
      await move(
        s.state,
        verdict.reason,
        'workflow',
        { extensions: s.extensions + 1, ...period(policy.extensionMs) },
        {
          voiceEvents: s.voiceEvents,
          messagingEvents: s.messagingEvents,
        },
      );
    } else if (verdict.action === 'reject') {
      await move('REJECTED', verdict.reason, 'workflow', { phaseEndsAt: null }, { voiceEvents: s.voiceEvents, messagingEvents: s.messagingEvents });
    } else {
      const dropped = mediaOf(s.capable).filter((m) => !verdict.media.includes(m));
      await move('TESTING', verdict.reason, 'workflow', { phaseEndsAt: null, droppedMedia: dropped });
    }
  }

  /**
   * One capability test for real: the activity asks the number's carrier
   * network to place it, carrying a nonce; the workflow then waits — a durable
   * timer, nothing busy — for its arrival at the inbound entry (the
   * testArrival signal), and judges what arrived.
   */
  async function probe(test: CapabilityTest): Promise<TestResult> {
    const nonce = uuid4();
    const asked = await requestCapabilityTest({ endpointId, address, test, nonce });
    if (!asked.requested) return { test, passed: false, detail: asked.detail };
    await condition(() => arrivals.has(nonce), asked.timeoutMs);
    const arrival = arrivals.get(nonce);
    arrivals.delete(nonce);
    return judgeArrival(address, test, arrival, asked.timeoutMs);
  }

  async function runTests(media: Medium[]): Promise<{ results: TestResult[]; verdict: ReturnType<typeof evaluateTests> }> {
    if (isPatched('harness-test-traffic')) {
      const tests = testsFor(s.capable, media, true);
      const results = await Promise.all(tests.map(probe));
      return { results, verdict: evaluateTests(s.capable, media, results) };
    }
    const tests = testsFor(s.capable, media);
    const results = await Promise.all(tests.map((test) => runCapabilityTest({ address, test })));
    return { results, verdict: evaluateTests(s.capable, media, results) };
  }

  /**
   * A re-test of a number in service: only the media asked about; an
   * AVAILABLE number that fails leaves the shelf (REJECTED); an ALLOCATED one
   * stays with its holder with what still works, and the holder is alerted
   * (the platform's webhook; operators: the log, the history row's details,
   * the failed-re-tests metric).
   */
  async function retesting(retest: RetestState): Promise<void> {
    const offered = mediaOf(s.capable).filter((m) => !s.droppedMedia.includes(m));
    const asked = retest.media ? offered.filter((m) => retest.media!.includes(m)) : offered;
    const media = asked.length ? asked : offered;
    const { results } = await runTests(media);
    const v = evaluateRetest(s.capable, s.enabled, media, results, retest);
    const details = {
      results,
      retest: { reason: retest.reason, media, feedback: retest.feedback, tested: v.tested, quality: v.quality, lost: v.lost, failed: v.failed },
    };
    if (s.afterTesting === 'ALLOCATED') {
      const impaired = v.failed || v.lost.length > 0;
      const holder = s.accountId;
      await move(
        'ALLOCATED',
        v.reason,
        'workflow',
        { enabled: v.enabled, qualityScore: v.quality, afterTesting: 'AVAILABLE', retest: null },
        { ...details, holderAlerted: impaired },
      );
      if (impaired && holder) {
        // not awaited: the platform being away must not hold the number's other operations
        void alertHolder({ accountId: holder, address, endpointId, version: s.version, failed: v.failed, lost: v.lost, reason: v.reason }).catch(
          () => undefined,
        );
      }
    } else if (v.failed) {
      await move('REJECTED', `pulled from the shelf: ${v.reason}`, 'workflow', { qualityScore: v.quality, retest: null }, details);
    } else {
      await move('AVAILABLE', v.reason, 'workflow', { enabled: v.enabled, qualityScore: v.quality, retest: null }, details);
    }
  }

  async function testing(): Promise<void> {
    if (s.retest) return retesting(s.retest);
    const media = mediaOf(s.capable).filter((m) => !s.droppedMedia.includes(m));
    const { results, verdict } = await runTests(media);
    const details = { results };
    if (s.afterTesting === 'ALLOCATED') {
      // a holder's number is never taken away by a test: it goes back with what works
      const enabled = verdict.passed ? verdict.enabled : { voice: false, sms: false, mms: false, fax: false };
      await move('ALLOCATED', `retested: ${verdict.reason}`, 'workflow', { enabled, qualityScore: verdict.quality, afterTesting: 'AVAILABLE' }, details);
    } else if (verdict.passed) {
      await move('AVAILABLE', verdict.reason, 'workflow', { enabled: verdict.enabled, qualityScore: verdict.quality }, details);
    } else {
      await move('REJECTED', verdict.reason, 'workflow', { qualityScore: verdict.quality }, details);
    }
  }

  async function portIn(): Promise<void> {
    const { results, verdict } = await runTests(mediaOf(s.capable));
    if (verdict.passed) {
      await move('ALLOCATED', `ported in; ${verdict.reason}`, 'workflow', { enabled: verdict.enabled, qualityScore: verdict.quality }, { results });
    } else {
      await move('REJECTED', `port-in checks failed: ${verdict.reason}`, 'workflow', { accountId: null, qualityScore: verdict.quality }, { results });
    }
  }

  const historyTooLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > policy.historyLimit;

  /** Waits until the state moves, a deadline passes (true), or history should be cut. */
  async function waitIn(state: EndpointStateName, until: number | null, extra: () => boolean = () => false): Promise<boolean> {
    const moved = () => s.state !== state || extra() || historyTooLong();
    if (until === null) {
      await condition(moved);
      return false;
    }
    const left = until - Date.now();
    if (left <= 0) return true;
    return !(await condition(moved, left));
  }

  // ---------------------------------------------------------------- main loop

  while (!FINAL_STATES.includes(s.state)) {
    if (historyTooLong()) {
      await condition(() => !lock.held && allHandlersFinished());
      await continueAsNew<typeof endpointWorkflow>({ address, endpointId, policy, snapshot: s, completed });
    }
    const state = s.state;
    switch (state) {
      case 'ORDERED':
        await exclusive(async () => {
          if (s.state !== 'ORDERED') return;
          // its country's rule, resolved now, as ingest does (a local activity: runs delivered before it replay as they ran)
          const rest = patchedAtStart
            ? await activity.quarantineRule({ endpointId })
            : isPatched('country-rule-quarantine')
              ? await local.quarantineRule({ endpointId })
              : { quarantineMs: null, rule: null };
          await move(
            'QUARANTINE',
            'delivered: quarantine before first use',
            'workflow',
            { extensions: 0, droppedMedia: [], ...period(rest.quarantineMs ?? policy.quarantineNewMs) },
            rest.rule ? { countryRule: rest.rule } : undefined,
          );
        });
        break;
      case 'PORTING_IN':
        await exclusive(() => (s.state === 'PORTING_IN' ? portIn() : Promise.resolve()));
        break;
      case 'QUARANTINE':
      case 'AGING':
        if (await waitIn(state, s.phaseEndsAt)) {
          await exclusive(() => (s.state === state && Date.now() >= (s.phaseEndsAt ?? 0) ? endOfQuarantine() : Promise.resolve()));
        }
        break;
      case 'TESTING':
        await exclusive(() => (s.state === 'TESTING' ? testing() : Promise.resolve()));
        break;
      case 'RESERVED':
        if (await waitIn(state, s.reservedUntil)) {
          await exclusive(() =>
            s.state === 'RESERVED' && Date.now() >= (s.reservedUntil ?? 0)
              ? move('AVAILABLE', 'reservation expired', 'workflow', { accountId: null, reservedUntil: null })
              : Promise.resolve(),
          );
        }
        break;
      case 'PORTING_OUT':
        if (await waitIn(state, s.phaseEndsAt)) {
          await exclusive(() =>
            s.state === 'PORTING_OUT'
              ? move('PORTED_OUT', 'ported out to another carrier', 'workflow', { accountId: null, phaseEndsAt: null })
              : Promise.resolve(),
          );
        }
        break;
      case 'AVAILABLE':
      case 'ALLOCATED': {
        const every = policy.retestEveryMs ?? 0;
        // runs that began before numbers in service were re-tested on a schedule wait without a timer
        if (every > 0 && isPatched('in-service-retest')) {
          s.nextRetestAt ??= Date.now() + every;
          if (await waitIn(state, s.nextRetestAt, () => retestPending)) {
            retestPending = true;
            retestWhy ??= { reason: `scheduled re-test (every ${+(every / 86_400_000).toFixed(2)} days)`, media: null, feedback: null };
          }
        } else {
          await waitIn(state, null, () => retestPending);
        }
        // the qualityReport and retest handlers set it while waitIn() waits
        if (retestPending) {
          retestPending = false;
          const why = retestWhy;
          retestWhy = null;
          // runs that began before a re-test combined its results with the feedback replay their plain retest
          const inService = why !== null && isPatched('retest-in-service');
          await exclusive(() =>
            s.state === state
              ? move(
                  'TESTING',
                  inService ? `${why.reason}: re-test` : `quality report ${s.qualityScore?.toFixed(2)} below ${policy.retestBelow}: retest`,
                  'workflow',
                  {
                    afterTesting: state === 'ALLOCATED' ? 'ALLOCATED' : 'AVAILABLE',
                    ...(inService ? { retest: why, nextRetestAt: null } : {}),
                  },
                )
              : Promise.resolve(),
          );
        }
        break;
      }
      default: // REJECTED: waits for its return or retirement
        await waitIn(state, null);
    }
  }
  // the last update's answer goes out before the run closes
  await condition(allHandlersFinished);
  return status();
}
