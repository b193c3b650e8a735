// Invariant 2: at rest, every endpoint's workflow state equals its PostgreSQL
// state. Compares the two, reports each difference, and can repair it: the
// workflow is the authority for a running endpoint (its row is rewritten to
// match, with a history entry, if the row is still as it was read), and a live
// row without a workflow gets one started from the row.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { everyRow, rowAt, type ReconcileRow } from '../db/reconcile';
import { repairFromWorkflow } from '../db/endpoints';
import { TemporalGateway } from '../temporal/gateway';
import type { EndpointStateName, LifecyclePolicy } from '../domain/endpoint';
import type { EndpointStatus } from '../../workflows/shared';
import { FINAL_STATES } from '../../workflows/endpoint.machine';
import { forEachLimit } from './ingest';

export interface Drift {
  address: string;
  kind: 'state_mismatch' | 'no_workflow' | 'no_row' | 'unqueryable';
  error?: string;
  workflow?: { state: EndpointStateName; version: number };
  row?: { state: EndpointStateName; version: number };
  repaired?: boolean;
}

export interface ReconcileReport {
  workflows: number;
  rows: number;
  drift: Drift[];
}

export interface ReconcileOptions {
  repair?: boolean;
  onProgress?: (done: number) => void;
  /** pause before drift is read again (0: report the first reading) */
  settleMs?: number;
}

/** The shape callers with a bare Client use (tests, scripts). */
export interface ReconcileClientDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  policy: LifecyclePolicy;
}

export interface ReconcileDeps {
  db: Db;
  temporal: TemporalGateway;
  policy: LifecyclePolicy;
}

/** reconcileEndpoints() over a bare Client. */
export function reconcile(deps: ReconcileClientDeps, opts: ReconcileOptions = {}): Promise<ReconcileReport> {
  return reconcileEndpoints({ db: deps.db, temporal: TemporalGateway.fromClient(deps.client, deps.taskQueue), policy: deps.policy }, opts);
}

const side = (s: { state: EndpointStateName; version: number }) => ({ state: s.state, version: s.version });

/** What one address's workflow and row say, or undefined when they agree (or neither is live). */
function judge(address: string, wf: EndpointStatus | undefined, row: ReconcileRow | undefined, running: boolean, error?: string): Drift | undefined {
  if (wf && row) {
    if (wf.state !== row.state || wf.version !== row.version) return { address, kind: 'state_mismatch', workflow: side(wf), row: side(row) };
  } else if (row) {
    if (running) return { address, kind: 'unqueryable', row: side(row), error: error ?? 'query failed' };
    if (!FINAL_STATES.includes(row.state)) return { address, kind: 'no_workflow', row: side(row) };
  } else if (wf) {
    return { address, kind: 'no_row', workflow: side(wf) };
  }
  return undefined;
}

export async function reconcileEndpoints(deps: ReconcileDeps, opts: ReconcileOptions = {}): Promise<ReconcileReport> {
  const { db, temporal } = deps;
  const running = new Map<string, EndpointStatus>();
  const addresses: string[] = [];
  for await (const address of temporal.endpoints.running()) addresses.push(address);
  let done = 0;
  const unqueryable = new Map<string, string>();
  await forEachLimit(addresses, 32, async (address) => {
    const wf = temporal.endpoint(address);
    try {
      const status = await wf.state();
      running.set(status.address, status);
    } catch (err) {
      // closed between the list and the query: its row is judged below; else say so
      const closed = await wf.isRunning().then((r) => !r, () => true);
      if (!closed) unqueryable.set(address, (err as Error).message);
    }
    opts.onProgress?.(++done);
  });

  const rows = await everyRow(db);
  const byAddress = new Map(rows.map((r) => [r.address, r]));
  const drift: Drift[] = [];
  for (const row of rows) {
    const d = judge(row.address, running.get(row.address), row, unqueryable.has(row.address), unqueryable.get(row.address));
    if (d) drift.push(d);
  }
  for (const [address, wf] of running) if (!byAddress.has(address)) drift.push(judge(address, wf, undefined, true)!);

  // The workflow's state and the row are read moments apart, and visibility lags a
  // start: a transition in flight looks like drift. Only what is still drift when
  // read again, both sides together, after a pause, is reported (and repaired).
  const settleMs = opts.settleMs ?? 1500;
  for (let round = 0; round < 2 && drift.length && settleMs > 0; round++) {
    await new Promise((r) => setTimeout(r, settleMs));
    const still: Drift[] = [];
    await forEachLimit(drift, 16, async (d) => {
      const handle = temporal.endpoint(d.address);
      // a closed workflow still answers queries: only a running one counts
      const isRunning = await handle.isRunning().catch(() => false);
      const wf = isRunning ? await handle.state().catch(() => undefined) : undefined;
      const row = (await rowAt(db, d.address)) ?? undefined;
      if (row) byAddress.set(d.address, row);
      if (wf) running.set(d.address, wf);
      else running.delete(d.address);
      const again = judge(d.address, wf, row, isRunning, d.error);
      if (again) still.push(again);
    });
    drift.splice(0, drift.length, ...still);
  }

  if (opts.repair) {
    const operation = `reconcile:${randomUUID()}`;
    for (const d of drift) {
      const row = byAddress.get(d.address);
      if (d.kind === 'state_mismatch' && row) {
        // the row takes the workflow's state only if it is still as read: one that moved since is left (not repaired)
        d.repaired = await repairFromWorkflow(db, row, running.get(d.address)!, operation);
      } else if (d.kind === 'no_workflow' && row) {
        await startWorkflowForRow(temporal, row, deps.policy);
        d.repaired = true;
      }
      // no_row: a workflow whose row is gone is left for an operator to judge
    }
  }
  return { workflows: running.size, rows: rows.length, drift };
}

/** A row a workflow can be started from (a repository row of endpoints has these columns). */
export type EndpointRowForStart = ReconcileRow;

/** Starts (or finds running) the lifecycle workflow of a row, from the row as it is. */
export async function startWorkflowForRow(temporal: TemporalGateway, row: EndpointRowForStart, policy: LifecyclePolicy): Promise<void> {
  await temporal.endpoints.start(
    {
      address: row.address,
      endpointId: row.id,
      state: row.state,
      version: row.version,
      kind: row.kind,
      country: row.country,
      npa: row.npa,
      capable: { voice: row.voiceCapable, sms: row.smsCapable, mms: row.mmsCapable, fax: row.faxCapable },
      accountId: row.accountId,
      reservedUntil: row.reservedUntil?.getTime() ?? null,
      phaseEndsAt: row.quarantineUntil?.getTime() ?? null,
    },
    policy,
  );
}
