// Invariant 2: at rest, every endpoint's workflow equals its PostgreSQL row —
// state and version, holder, the capabilities it offers, and its reservation
// and phase deadlines. Compares the two, reports each difference, and can
// repair it: the workflow is the authority for a running endpoint (its row is
// rewritten to match, with a history entry, if the row is still as it was
// read), and a live row without a workflow gets one started from the row,
// resuming its phase.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { everyRow, rowAt, rowsAt, type ReconcileRow } from '../db/reconcile';
import { repairFromWorkflow } from '../db/endpoints';
import { listRules } from '../db/country-rules';
import type { CountryRule } from '../domain/regulation';
import { TemporalGateway } from '../temporal/gateway';
import { TIMED_STATES, type Capabilities, type EndpointStateName, type LifecyclePolicy } from '../domain/endpoint';
import type { EndpointStatus } from '../../workflows/shared';
import { FINAL_STATES } from '../../workflows/endpoint.machine';
import { forEachLimit } from './ingest';
import { startWorkflowForRow } from './restart';

export { startWorkflowForRow, type EndpointRowForStart } from './restart';

/** What is compared besides state and version (a field_mismatch names those that differ). */
export type DriftField = 'accountId' | 'enabled' | 'reservedUntil' | 'phaseEndsAt';

/** One side as the report shows it: state and version, and the values of the fields that differ. */
export interface DriftSide {
  state: EndpointStateName;
  version: number;
  accountId?: string | null;
  enabled?: Capabilities;
  reservedUntil?: string | null;
  phaseEndsAt?: string | null;
}

export interface Drift {
  address: string;
  /** field_mismatch: same state and version, another holder, capabilities or deadline */
  kind: 'state_mismatch' | 'field_mismatch' | 'no_workflow' | 'no_row' | 'unqueryable';
  fields?: DriftField[];
  error?: string;
  workflow?: DriftSide;
  row?: DriftSide;
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
  /** only these endpoints (canonical addresses), each looked up directly; default: every one */
  addresses?: string[];
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

// PostgreSQL keeps milliseconds, rounded
const iso = (ms: number | null) => (ms === null ? null : new Date(Math.round(ms)).toISOString());

/** The fields of a workflow and its row, as comparable values (the row keeps a phase's end only in TIMED_STATES). */
function fieldsOf(x: EndpointStatus | ReconcileRow): Record<DriftField, unknown> {
  if ('endpointId' in x) {
    return {
      accountId: x.accountId,
      enabled: { voice: x.enabled.voice, sms: x.enabled.sms, mms: x.enabled.mms, fax: x.enabled.fax },
      reservedUntil: iso(x.reservedUntil),
      phaseEndsAt: TIMED_STATES.includes(x.state) ? iso(x.phaseEndsAt) : null,
    };
  }
  return {
    accountId: x.accountId,
    enabled: { voice: x.voiceEnabled, sms: x.smsEnabled, mms: x.mmsEnabled, fax: x.faxEnabled },
    reservedUntil: x.reservedUntil?.toISOString() ?? null,
    phaseEndsAt: x.quarantineUntil?.toISOString() ?? null,
  };
}

const FIELDS: DriftField[] = ['accountId', 'enabled', 'reservedUntil', 'phaseEndsAt'];

function side(x: EndpointStatus | ReconcileRow, fields: DriftField[] = []): DriftSide {
  const values = fieldsOf(x);
  return { state: x.state, version: x.version, ...Object.fromEntries(fields.map((f) => [f, values[f]])) };
}

/** What one address's workflow and row say, or undefined when they agree (or neither is live). */
function judge(address: string, wf: EndpointStatus | undefined, row: ReconcileRow | undefined, running: boolean, error?: string): Drift | undefined {
  if (wf && row) {
    if (wf.state !== row.state || wf.version !== row.version) return { address, kind: 'state_mismatch', workflow: side(wf), row: side(row) };
    const [w, r] = [fieldsOf(wf), fieldsOf(row)];
    const fields = FIELDS.filter((f) => JSON.stringify(w[f]) !== JSON.stringify(r[f]));
    if (fields.length) return { address, kind: 'field_mismatch', fields, workflow: side(wf, fields), row: side(row, fields) };
  } else if (row) {
    if (running) return { address, kind: 'unqueryable', row: side(row), error: error ?? 'query failed' };
    if (!FINAL_STATES.includes(row.state)) return { address, kind: 'no_workflow', row: side(row) };
  } else if (wf) {
    return { address, kind: 'no_row', workflow: side(wf) };
  }
  return undefined;
}

/** One line of the text report: `<address>  <kind>: workflow …, row …` */
export function driftLine(d: Drift): string {
  const values = (x: DriftSide) =>
    (d.fields ?? [])
      .map((f) => {
        const shown =
          f === 'enabled'
            ? x.enabled
              ? Object.entries(x.enabled)
                  .filter(([, on]) => on)
                  .map(([c]) => c)
                  .join('+') || 'none'
              : 'undefined'
            : String(x[f]);
        return ` ${f}=${shown}`;
      })
      .join('');
  const wf = d.workflow ? `workflow ${d.workflow.state} v${d.workflow.version}${values(d.workflow)}` : 'no workflow';
  const row = d.row ? `row ${d.row.state} v${d.row.version}${values(d.row)}` : 'no row';
  return `  ${d.address}  ${d.kind}: ${wf}, ${row}${d.error ? ` (${d.error})` : ''}${d.repaired ? '  → repaired' : ''}`;
}

export async function reconcileEndpoints(deps: ReconcileDeps, opts: ReconcileOptions = {}): Promise<ReconcileReport> {
  const { db, temporal } = deps;
  const running = new Map<string, EndpointStatus>();
  const addresses: string[] = [];
  if (opts.addresses) addresses.push(...opts.addresses);
  else for await (const address of temporal.endpoints.running()) addresses.push(address);
  let done = 0;
  const unqueryable = new Map<string, string>();
  await forEachLimit(addresses, 32, async (address) => {
    const wf = temporal.endpoint(address);
    try {
      // a named address may have no workflow, or a closed one (which still answers queries)
      if (opts.addresses && !(await wf.isRunning())) {
        opts.onProgress?.(++done);
        return;
      }
      const status = await wf.state();
      running.set(status.address, status);
    } catch (err) {
      // closed between the list and the query: its row is judged below; else say so
      const closed = await wf.isRunning().then(
        (r) => !r,
        () => true,
      );
      if (!closed) unqueryable.set(address, (err as Error).message);
    }
    opts.onProgress?.(++done);
  });

  const rows = opts.addresses ? await rowsAt(db, opts.addresses) : await everyRow(db);
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
    const wf = (d: Drift) => `${d.workflow!.state} v${d.workflow!.version}`;
    // the country rules, read once when a first row needs its workflow started
    let rules: CountryRule[] | undefined;
    for (const d of drift) {
      const row = byAddress.get(d.address);
      if ((d.kind === 'state_mismatch' || d.kind === 'field_mismatch') && row) {
        // the row takes what the workflow holds only if it is still as read: one that moved since is left (not repaired)
        const cause = `reconciliation: row was ${row.state} v${row.version}, workflow ${wf(d)}${d.fields ? ` (${d.fields.join(', ')} differed)` : ''}`;
        d.repaired = await repairFromWorkflow(db, row, running.get(d.address)!, operation, cause);
      } else if (d.kind === 'no_workflow' && row) {
        rules ??= await listRules(db);
        await startWorkflowForRow(temporal, row, deps.policy, rules);
        d.repaired = true;
      }
      // no_row: a workflow whose row is gone is left for an operator to judge
    }
  }
  return { workflows: running.size, rows: rows.length, drift };
}
