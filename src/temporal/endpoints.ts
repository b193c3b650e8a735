// Endpoint lifecycle workflows (`endpoint/<address>`): typed updates, signals
// and the state query of one, and starting or listing them as a whole.
import { TypedSearchAttributes, type UpdateDefinition } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { endpointWorkflow } from '../../workflows/endpoint.workflow';
import {
  EndpointCountry,
  EndpointNpa,
  EndpointNumber,
  EndpointState,
  EndpointType,
  allocateUpdate,
  endpointWorkflowId,
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
  type AllocateInput,
  type EndpointSnapshot,
  type EndpointStatus,
  type InboundTrafficInput,
  type BackToShelfInput,
  type LeaveShelfInput,
  type PortOutInput,
  type QualityReportInput,
  type ProbeArrival,
  type RetestInput,
  type ReleaseInput,
  type ReserveInput,
  type RetireInput,
  type ReturnedInput,
} from '../../workflows/shared';
import type { Capabilities, EndpointStateName, LifecyclePolicy } from '../domain/endpoint';
import { NotFound, Unavailable } from '../domain/errors';
import { temporalCall, workflowTaskFailing } from './errors';

interface ClientSource {
  client(): Promise<Client>;
  readonly taskQueue: string;
  /** how long an update's outcome is waited for (TEMPORAL_UPDATE_WAIT) */
  readonly updateWaitMs: number;
}

/** an update the request stopped waiting for still runs this many TEMPORAL_UPDATE_WAITs before its call is cut */
const ABANDONED_UPDATE_FACTOR = 12;

/** how long an update refused while its workflow's task is failing waits before it is sent again */
const TASK_FAILING_PAUSE_MS = 500;

/** One endpoint's workflow. Update ids make a retried request the same update: applied once, answered again. */
export class EndpointWorkflow {
  constructor(
    private readonly gateway: ClientSource,
    readonly address: string,
  ) {}

  private get notFound(): string {
    return `address: no managed endpoint ${this.address}`;
  }

  private async handle() {
    return (await this.gateway.client()).workflow.getHandle<typeof endpointWorkflow>(endpointWorkflowId(this.address));
  }

  /**
   * An update, by its id. Temporal can answer an update NOT_FOUND while the
   * workflow runs (an update in flight when its workflow's state was reloaded,
   * seen by the fault suite during a PostgreSQL restart and after Temporal was
   * frozen) and then apply it after all: that is an unknown outcome, not a
   * refusal — Unavailable, so the caller keeps its claim and the client's retry
   * with the same Idempotency-Key lands on the same update. Only a workflow
   * that does not exist, or has ended, is NotFound.
   */
  private update<I>(def: UpdateDefinition<EndpointStatus, [I]>, input: I, updateId: string): Promise<EndpointStatus> {
    return temporalCall(async () => {
      const client = await this.gateway.client();
      const handle = client.workflow.getHandle<typeof endpointWorkflow>(endpointWorkflowId(this.address));
      const waitMs = this.gateway.updateWaitMs;
      // The call itself runs on (its own deadline far off): cancelling an update's
      // RPC mid-wait was seen in the fault suite to leave its retries failing at
      // once for minutes on the full server. The request stops waiting instead.
      // Temporal refuses an update outright (FAILED_PRECONDITION) while the
      // workflow's task is being retried after a timeout or failure — a worker
      // killed or replaying: nothing was admitted, so it is sent again while
      // the wait allows, then answered as a workflow recovering (below).
      const deadline = Date.now() + waitMs;
      const send = async (): Promise<EndpointStatus> => {
        for (;;) {
          try {
            return await client.withDeadline(Date.now() + waitMs * ABANDONED_UPDATE_FACTOR, () => handle.executeUpdate(def, { args: [input], updateId }));
          } catch (err) {
            if (!workflowTaskFailing(err) || Date.now() + TASK_FAILING_PAUSE_MS >= deadline) throw err;
            await new Promise((r) => setTimeout(r, TASK_FAILING_PAUSE_MS));
          }
        }
      };
      const call = send();
      call.catch(() => undefined); // an answer nobody waits for any more
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<'waited'>((resolve) => {
        timer = setTimeout(() => resolve('waited'), waitMs);
      });
      try {
        const outcome = await Promise.race([call, waited]);
        // sent, perhaps admitted, not answered in time: it may still apply — the same update id makes the retry land on it
        if (outcome === 'waited') {
          throw new Unavailable(
            `${this.address}'s workflow did not answer within ${Math.round(waitMs / 1000)} s (TEMPORAL_UPDATE_WAIT); the change may still be made: retry with the same Idempotency-Key`,
            5,
            'temporal',
          );
        }
        return outcome;
      } catch (err) {
        if (workflowTaskFailing(err)) {
          throw new Unavailable(
            `${this.address}'s workflow is recovering: Temporal refused the update for ${Math.round(waitMs / 1000)} s (TEMPORAL_UPDATE_WAIT) while the workflow's task was retried after a worker restart or timeout: retry with the same Idempotency-Key`,
            5,
            'temporal',
          );
        }
        if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
          throw new Unavailable(`${this.address}'s workflow update was cut off (${err.message}); retry with the same Idempotency-Key`, 5, 'temporal');
        }
        if (err instanceof WorkflowNotFoundError && (await this.mayRun(handle))) {
          throw new Unavailable(
            `Temporal lost track of an update to ${this.address}'s workflow (${err.message}); retry with the same Idempotency-Key`,
            1,
            'temporal',
          );
        }
        throw err;
      } finally {
        clearTimeout(timer);
      }
    }, this.notFound);
  }

  /** false only when Temporal says the workflow does not exist or has ended */
  private async mayRun(handle: { describe(): Promise<{ status: { name: string } }> }): Promise<boolean> {
    try {
      return (await handle.describe()).status.name === 'RUNNING';
    } catch (err) {
      return !(err instanceof WorkflowNotFoundError);
    }
  }

  allocate(input: AllocateInput, updateId: string): Promise<EndpointStatus> {
    return this.update(allocateUpdate, input, updateId);
  }

  reserve(input: ReserveInput, updateId: string): Promise<EndpointStatus> {
    return this.update(reserveUpdate, input, updateId);
  }

  release(input: ReleaseInput, updateId: string): Promise<EndpointStatus> {
    return this.update(releaseUpdate, input, updateId);
  }

  portOut(input: PortOutInput, updateId: string): Promise<EndpointStatus> {
    return this.update(portOutUpdate, input, updateId);
  }

  retire(input: RetireInput, updateId: string): Promise<EndpointStatus> {
    return this.update(retireUpdate, input, updateId);
  }

  returned(input: ReturnedInput, updateId: string): Promise<EndpointStatus> {
    return this.update(returnedUpdate, input, updateId);
  }

  /** A release order takes it off the shelf (AVAILABLE or REJECTED → RELEASING); Conflict when it is held or gone elsewhere. */
  leaveShelf(input: LeaveShelfInput, updateId: string): Promise<EndpointStatus> {
    return this.update(leaveShelfUpdate, input, updateId);
  }

  backToShelf(input: BackToShelfInput, updateId: string): Promise<EndpointStatus> {
    return this.update(backToShelfUpdate, input, updateId);
  }

  inboundTraffic(input: InboundTrafficInput): Promise<void> {
    return temporalCall(async () => (await this.handle()).signal(inboundTrafficSignal, input), this.notFound);
  }

  qualityReport(input: QualityReportInput): Promise<void> {
    return temporalCall(async () => (await this.handle()).signal(qualityReportSignal, input), this.notFound);
  }

  /** Re-test it for real if it is in service (AVAILABLE, ALLOCATED); ignored in any other state. */
  retest(input: RetestInput): Promise<void> {
    return temporalCall(async () => (await this.handle()).signal(retestSignal, input), this.notFound);
  }

  /** A capability test's arrival at the inbound entry, for the workflow waiting on it. */
  testArrived(arrival: ProbeArrival): Promise<void> {
    return temporalCall(async () => (await this.handle()).signal(testArrivalSignal, arrival), this.notFound);
  }

  /** What the workflow holds now (a closed workflow still answers). */
  state(): Promise<EndpointStatus> {
    return temporalCall(async () => (await this.handle()).query(stateQuery), this.notFound);
  }

  /** Whether its workflow runs (false when closed or never started). */
  async isRunning(): Promise<boolean> {
    return temporalCall(async () => (await (await this.handle()).describe()).status.name === 'RUNNING', this.notFound).catch((err: unknown) => {
      if (err instanceof NotFound) return false;
      throw err;
    });
  }
}

/** What a workflow needs to start from a repository row. */
export interface EndpointStart {
  address: string;
  endpointId: string;
  state: EndpointStateName;
  version: number;
  kind: string;
  country: string | null;
  npa: string | null;
  capable: Capabilities;
  accountId?: string | null;
  reservedUntil?: number | null;
  /** when the current timed phase (quarantine, aging, port-out) ends */
  phaseEndsAt?: number | null;
  /** what a row that has been through its tests offers, its quality and cleanliness (default: nothing measured yet) */
  enabled?: Capabilities;
  qualityScore?: number | null;
  voiceCleanliness?: number;
  messagingCleanliness?: number;
  /** unwanted inbound events of the current quarantine period that made those cleanlinesses */
  voiceEvents?: number;
  messagingEvents?: number;
  /** where a number in TESTING goes when it passes (a holder's number goes back to ALLOCATED) */
  afterTesting?: 'AVAILABLE' | 'ALLOCATED';
}

export class EndpointWorkflows {
  constructor(private readonly gateway: ClientSource) {}

  /** Starts an endpoint's workflow from its row, or finds it running (same id: a no-op). */
  async start(row: EndpointStart, policy: LifecyclePolicy): Promise<void> {
    const snapshot = initialSnapshot(row.state, row.version, row.capable, {
      accountId: row.accountId ?? null,
      reservedUntil: row.reservedUntil ?? null,
      phaseEndsAt: row.phaseEndsAt ?? null,
      ...(row.enabled ? { enabled: row.enabled } : {}),
      ...(row.qualityScore !== undefined ? { qualityScore: row.qualityScore } : {}),
      ...(row.voiceCleanliness !== undefined ? { voiceCleanliness: row.voiceCleanliness } : {}),
      ...(row.messagingCleanliness !== undefined ? { messagingCleanliness: row.messagingCleanliness } : {}),
      ...(row.voiceEvents !== undefined ? { voiceEvents: row.voiceEvents } : {}),
      ...(row.messagingEvents !== undefined ? { messagingEvents: row.messagingEvents } : {}),
      ...(row.afterTesting ? { afterTesting: row.afterTesting } : {}),
    });
    await temporalCall(async () =>
      (await this.gateway.client()).workflow.start(endpointWorkflow, {
        taskQueue: this.gateway.taskQueue,
        workflowId: endpointWorkflowId(row.address),
        args: [{ address: row.address, endpointId: row.endpointId, policy, snapshot }],
        typedSearchAttributes: endpointSearchAttributes(row, row.state),
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    );
  }

  /** The addresses of every running endpoint workflow. */
  async *running(): AsyncIterable<string> {
    const client = await temporalCall(() => this.gateway.client());
    for await (const wf of client.workflow.list({ query: `WorkflowType = "${endpointWorkflow.name}" AND ExecutionStatus = "Running"` })) {
      yield wf.workflowId.slice('endpoint/'.length);
    }
  }
}

export const NO_CAPABILITIES: Capabilities = { voice: false, sms: false, mms: false, fax: false };

/** The first snapshot of an endpoint's workflow: nothing measured yet. */
export function initialSnapshot(state: EndpointStateName, version: number, capable: Capabilities, extra: Partial<EndpointSnapshot> = {}): EndpointSnapshot {
  return {
    state,
    version,
    accountId: null,
    reservedUntil: null,
    phaseEndsAt: null,
    extensions: 0,
    voiceEvents: 0,
    messagingEvents: 0,
    voiceCleanliness: 1,
    messagingCleanliness: 1,
    capable,
    enabled: NO_CAPABILITIES,
    droppedMedia: [],
    qualityScore: null,
    afterTesting: 'AVAILABLE',
    ...extra,
  };
}

export function endpointSearchAttributes(
  p: { address: string; country: string | null; npa: string | null; kind: string },
  state: EndpointStateName,
): TypedSearchAttributes {
  return new TypedSearchAttributes([
    { key: EndpointNumber, value: p.address },
    { key: EndpointState, value: state },
    { key: EndpointType, value: p.kind },
    ...(p.country ? [{ key: EndpointCountry, value: p.country.trim() }] : []),
    ...(p.npa ? [{ key: EndpointNpa, value: p.npa }] : []),
  ]);
}
