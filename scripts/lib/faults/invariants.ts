// The fault suite's checks, after the load stopped and orders and lifecycles
// settled: every invariant of the architecture (docs/design.md#invariants),
// read-only, from the repository (src/db/audit.ts), the carrier simulator's
// records, the Temporal server and the clients' ledger.
import type { Db } from '../../../src/db/client';
import * as audit from '../../../src/db/audit';
import { findByAddress } from '../../../src/db/endpoint-reads';
import type { LifecyclePolicy } from '../../../workflows/shared';
import type { SimulatorStats } from '../../../src/carriers/simulator/simulator';
import { reconcileEndpoints } from '../../../src/usecases/reconcile';
import type { TemporalGateway } from '../../../src/temporal/gateway';
import type { Ledger } from './ledger';

export interface Checked {
  violations: string[];
  unacknowledged: { address: string; accountId: string | null; stateChangedAt: string }[];
  numbersDelivered: number;
  handedBack: { returns: number; releases: number; rejectedReturned: number };
  reconciliation: { workflows: number; rows: number; drift: number };
}

export async function checkInvariants(deps: {
  db: Db;
  gateway: () => TemporalGateway;
  policy: LifecyclePolicy;
  ledger: Ledger;
  accounts: string[];
  stats: SimulatorStats;
  carriers: readonly string[];
  answers: Record<string, number>;
}): Promise<Checked> {
  const { db, ledger, accounts, stats, carriers } = deps;
  const violations = [...ledger.violations];
  const v = (what: string) => violations.push(what);

  // 1. every acknowledged holding is there, held by its client's account; nothing is held twice
  const heldRows = await audit.holdings(db, [...ledger.held.keys()]);
  const byAddress = new Map(heldRows.map((r) => [r.address, r]));
  for (const [address, h] of ledger.held) {
    const row = byAddress.get(address);
    if (!row || row.state !== 'ALLOCATED' || row.accountId !== accounts[h.client])
      v(`acknowledged holding lost: ${address} (client ${h.client}, ${h.via}) is ${row ? `${row.state} for ${row.accountId}` : 'missing'}`);
  }
  // 2. nothing held without an acknowledgement: an allocation the client was never told of is a violation
  const orphans = await audit.allocatedBesides(db, accounts, [...ledger.held.keys()]);
  for (const o of orphans) v(`allocated without an acknowledgement: ${o.address} to ${o.accountId} since ${o.stateChangedAt.toISOString()}`);
  // port-ins: each acknowledged one ended COMPLETED (and was held) or REJECTED
  for (const [id, p] of ledger.portIns) v(`port-in ${id} of ${p.address} (client ${p.client}) never reached COMPLETED or REJECTED`);
  // 3. every endpoint's history is one unbroken chain, its row's version and holder its last entry's
  for (const b of await audit.historyBreaks(db)) v(`history chain broken: ${b.address} v${b.version} from ${b.from_state} after ${b.prev} (step ${b.step})`);
  for (const s of await audit.versionsOffHistory(db)) v(`row version differs from its last history entry: ${s.address}`);
  for (const s of await audit.holdersOffHistory(db))
    v(`row holder ${s.account_id} differs from its last history entry's ${s.history_account_id}: ${s.address}`);
  // 4. every number offered had passed its tests, and is offered only for the media that passed
  for (const o of await audit.offeredUntested(db)) v(`offered untested: ${o.address} v${o.version} from ${o.from_state}: ${o.why.slice(0, 200)}`);
  for (const o of await audit.offeredForUntestedMedia(db)) v(`offered for a medium its last tests did not pass: ${o.address} ${o.medium}`);
  // 5. every number a carrier delivered is in the repository exactly once, or was returned with a reason
  const delivered = await audit.deliveredNumbers(db);
  const outcomes = new Map<string, { outcome: string; reason: string | null }[]>();
  for (const d of delivered) outcomes.set(d.address, [...(outcomes.get(d.address) ?? []), d]);
  let numbersDelivered = 0;
  let abandoned = 0;
  for (const c of carriers) {
    abandoned += stats.carriers[c]!.webhooksAbandoned;
    for (const n of new Set(stats.carriers[c]!.deliveredNumbers)) {
      numbersDelivered++;
      const seen = outcomes.get(n);
      if (!seen) {
        v(`delivered number lost: ${n} from ${c} has no outcome in the repository`);
        continue;
      }
      const accepted = seen.filter((s) => s.outcome === 'ACCEPTED').length;
      if (accepted > 1) v(`delivered number accepted twice: ${n}`);
      if (accepted === 0 && seen.some((s) => !s.reason)) v(`delivered number refused without a reason: ${n}`);
      if (accepted === 1 && !(await findByAddress(db, n))) v(`accepted number missing from endpoints: ${n}`);
    }
  }
  if (abandoned) v(`${abandoned} carrier webhooks were given up after every retry (their numbers never reached the service)`);
  // 6. exactly one order at the carrier per order of the repository
  const orders = await audit.acquireOrders(db);
  const ordersByKey = new Map(orders.map((o) => [o.idempotencyKey, o]));
  for (const c of carriers) {
    const keys = stats.carriers[c]!.orderKeys;
    if (new Set(keys).size !== keys.length) v(`carrier ${c} holds two orders for one key`);
    for (const k of keys) if (ordersByKey.get(k)?.providerId !== c) v(`carrier ${c} holds an order the repository does not know: ${k}`);
  }
  for (const o of orders)
    if (o.carrierReference && !stats.carriers[o.providerId]?.orderKeys.includes(o.idempotencyKey))
      v(`order ${o.idempotencyKey} is marked submitted but ${o.providerId} has no such order`);
  // 7. nothing handed back to a carrier (returned or released) while an account held it
  const handedBack = carriers.flatMap((c) => stats.carriers[c]!.handedBack);
  for (const h of await audit.handedBackWhileHeld(db, handedBack))
    v(`handed back to its carrier while held: ${h.address} at ${h.at.toISOString()} was ${h.state}${h.account_id ? ` for ${h.account_id}` : ''}`);
  const rejectedReturned = carriers.flatMap((c) => stats.carriers[c]!.returns).length;
  // 8. reconciliation: every endpoint workflow agrees with its row (state, version, holder and fields); no workflow failed
  const gateway = deps.gateway();
  const report = await reconcileEndpoints({ db, temporal: gateway, policy: deps.policy });
  for (const d of report.drift)
    v(
      `reconciliation drift: ${d.address} ${d.kind}${d.fields ? ` [${d.fields.join(', ')}]` : ''} (workflow ${d.workflow?.state ?? '-'} v${d.workflow?.version ?? '-'} ${d.workflow?.accountId ?? ''}, row ${d.row?.state ?? '-'} v${d.row?.version ?? '-'} ${d.row?.accountId ?? ''})`,
    );
  const failed = await gateway.countWorkflows('ExecutionStatus = "Failed"');
  if (failed) v(`${failed} workflows failed`);
  await gateway.close();
  // 9. never a 500: faults are 503s
  if (deps.answers[500]) v(`${deps.answers[500]} answers were 500`);

  return {
    violations,
    unacknowledged: orphans.map((o) => ({ ...o, stateChangedAt: o.stateChangedAt.toISOString() })),
    numbersDelivered,
    handedBack: {
      returns: handedBack.filter((h) => h.kind === 'return').length,
      releases: handedBack.filter((h) => h.kind === 'release').length,
      rejectedReturned,
    },
    reconciliation: { workflows: report.workflows, rows: report.rows, drift: report.drift.length },
  };
}
