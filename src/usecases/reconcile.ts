// Invariant 2: at rest, every endpoint's workflow state equals its PostgreSQL
// state. Compares the two, reports each difference, and can repair it: the
// workflow is the authority for a running endpoint (its row is rewritten to
// match, with a history entry), and a live row without a workflow gets one
// started from the row.
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { endpointSearchAttributes, initialSnapshot } from '../temporal/endpoints';
import { parseAddress } from '../domain/numbers';
import { forEachLimit } from './ingest';
import {
  endpointWorkflowId,
  stateQuery,
  type EndpointStateName,
  type EndpointStatus,
  type LifecyclePolicy,
} from '../../workflows/shared';
import { FINAL_STATES } from '../../workflows/endpoint.machine';

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

export interface ReconcileDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  policy: LifecyclePolicy;
}

export async function reconcile(
  deps: ReconcileDeps,
  opts: { repair?: boolean; onProgress?: (done: number) => void; /** pause before drift is read again (0: report the first reading) */ settleMs?: number } = {},
): Promise<ReconcileReport> {
  const running = new Map<string, EndpointStatus>();
  const ids: string[] = [];
  for await (const wf of deps.client.workflow.list({
    query: `WorkflowType = "endpointWorkflow" AND ExecutionStatus = "Running"`,
  })) {
    ids.push(wf.workflowId);
  }
  let done = 0;
  const unqueryable = new Map<string, string>();
  await forEachLimit(ids, 32, async (id) => {
    const handle = deps.client.workflow.getHandle(id);
    try {
      const status = await handle.query(stateQuery);
      running.set(status.address, status);
    } catch (err) {
      // closed between the list and the query: its row is judged below; else say so
      const closed = await handle.describe().then((d) => d.status.name !== 'RUNNING', () => true);
      if (!closed) unqueryable.set(id.slice('endpoint/'.length), (err as Error).message);
    }
    opts.onProgress?.(++done);
  });

  const rows = await deps.db.endpoint.findMany({
    select: { id: true, address: true, state: true, version: true, accountId: true, kind: true, country: true, npa: true,
      voiceCapable: true, smsCapable: true, mmsCapable: true, faxCapable: true, reservedUntil: true, quarantineUntil: true },
  });
  const drift: Drift[] = [];
  const byAddress = new Map(rows.map((r) => [r.address, r]));
  for (const row of rows) {
    const wf = running.get(row.address);
    if (wf) {
      if (wf.state !== row.state || wf.version !== row.version) {
        drift.push({ address: row.address, kind: 'state_mismatch', workflow: { state: wf.state, version: wf.version }, row: { state: row.state, version: row.version } });
      }
    } else if (unqueryable.has(row.address)) {
      drift.push({ address: row.address, kind: 'unqueryable', row: { state: row.state, version: row.version }, error: unqueryable.get(row.address) });
    } else if (!FINAL_STATES.includes(row.state)) {
      drift.push({ address: row.address, kind: 'no_workflow', row: { state: row.state, version: row.version } });
    }
  }
  for (const [address, wf] of running) {
    if (!byAddress.has(address)) drift.push({ address, kind: 'no_row', workflow: { state: wf.state, version: wf.version } });
  }

  // The workflow's state and the row are read moments apart, and visibility lags a
  // start: a transition in flight looks like drift. Only what is still drift when
  // read again, both sides together, after a pause, is reported (and repaired).
  const settleMs = opts.settleMs ?? 1500;
  for (let round = 0; round < 2 && drift.length && settleMs > 0; round++) {
    await new Promise((r) => setTimeout(r, settleMs));
    const still: Drift[] = [];
    await forEachLimit(drift, 16, async (d) => {
      const handle = deps.client.workflow.getHandle(endpointWorkflowId(d.address));
      // a closed workflow still answers queries: only a running one counts
      const isRunning = await handle.describe().then((x) => x.status.name === 'RUNNING', () => false);
      const wf = isRunning ? await handle.query(stateQuery).catch(() => undefined) : undefined;
      const row = await deps.db.endpoint.findUnique({ where: { address: d.address } });
      if (row) byAddress.set(d.address, { ...byAddress.get(d.address)!, ...row });
      if (wf) running.set(d.address, wf);
      else running.delete(d.address);
      if (wf && row) {
        if (wf.state !== row.state || wf.version !== row.version) still.push({ address: d.address, kind: 'state_mismatch', workflow: { state: wf.state, version: wf.version }, row: { state: row.state, version: row.version } });
      } else if (row && !wf) {
        if (isRunning) still.push({ address: d.address, kind: 'unqueryable', row: { state: row.state, version: row.version }, error: d.error ?? 'query failed' });
        else if (!FINAL_STATES.includes(row.state)) still.push({ address: d.address, kind: 'no_workflow', row: { state: row.state, version: row.version } });
      } else if (wf && !row) {
        still.push({ address: d.address, kind: 'no_row', workflow: { state: wf.state, version: wf.version } });
      }
    });
    drift.splice(0, drift.length, ...still);
  }

  if (opts.repair) {
    for (const d of drift) {
      const row = byAddress.get(d.address);
      if (d.kind === 'state_mismatch' && row) {
        const wf = running.get(d.address)!;
        await deps.db.$transaction([
          deps.db.endpoint.update({
            where: { id: row.id },
            data: { state: wf.state, version: wf.version, accountId: wf.accountId, reservedUntil: wf.reservedUntil ? new Date(wf.reservedUntil) : null },
          }),
          deps.db.$executeRaw`INSERT INTO endpoint_history (endpoint_id, version, from_state, to_state, cause, actor)
            VALUES (${row.id}::uuid, ${wf.version}, ${row.state}::"EndpointState", ${wf.state}::"EndpointState",
                    ${`reconciliation: row was ${row.state} v${row.version}, workflow ${wf.state} v${wf.version}`}, 'reconciler')
            ON CONFLICT (endpoint_id, version) DO NOTHING`,
        ]);
        d.repaired = true;
      } else if (d.kind === 'no_workflow' && row) {
        await startWorkflowForRow(deps.client, row, deps.taskQueue, deps.policy);
        d.repaired = true;
      }
      // no_row: a workflow whose row is gone is left for an operator to judge
    }
  }
  return { workflows: running.size, rows: rows.length, drift };
}

export interface EndpointRowForStart {
  id: string;
  address: string;
  state: EndpointStateName;
  version: number;
  accountId: string | null;
  kind: string;
  country: string | null;
  npa: string | null;
  voiceCapable: boolean;
  smsCapable: boolean;
  mmsCapable: boolean;
  faxCapable: boolean;
  reservedUntil: Date | null;
  quarantineUntil: Date | null;
}

/** Starts (or finds running) the lifecycle workflow of a row, from the row as it is. */
export async function startWorkflowForRow(client: Client, row: EndpointRowForStart, taskQueue: string, policy: LifecyclePolicy): Promise<void> {
  const snapshot = initialSnapshot(
    row.state,
    row.version,
    { voice: row.voiceCapable, sms: row.smsCapable, mms: row.mmsCapable, fax: row.faxCapable },
    { accountId: row.accountId, reservedUntil: row.reservedUntil?.getTime() ?? null, phaseEndsAt: row.quarantineUntil?.getTime() ?? null },
  );
  await client.workflow.start('endpointWorkflow', {
    taskQueue,
    workflowId: endpointWorkflowId(row.address),
    args: [{ address: row.address, endpointId: row.id, policy, snapshot }],
    typedSearchAttributes: endpointSearchAttributes({ ...parseAddressSafe(row.address), kind: row.kind as never, country: row.country, npa: row.npa }, row.state),
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

function parseAddressSafe(address: string): { address: string } {
  try {
    return { address: parseAddress(address).address };
  } catch {
    return { address };
  }
}
