// Provider orders: submitting through the carrier's adapter, verifying and
// accepting deliveries exactly once, returning mismatches, cancelling and
// re-routing the remainder, handing numbers back, and keeping each
// provider's reliability score. Every step is safe to repeat.
import { derivedUuid } from '../src/domain/ids';
import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Db } from '../src/db/client';
import { ApiCarrierAdapter, CarrierRejected, ManualCarrierAdapter, type CarrierAdapter, type HttpOptions } from '../src/carriers/adapter';
import { inherentTags } from '../src/domain/classification';
import { parseAddress, AddressError, type ParsedAddress } from '../src/domain/numbers';
import { OPEN_ORDER_STATUSES } from '../src/domain/inventory';
import { assignRequests, type ProviderInfo } from '../src/domain/provider-selection';
import { ingestEndpoints } from '../src/usecases/ingest';
import { startWorkflowForRow } from '../src/usecases/reconcile';
import {
  endpointWorkflowId,
  retireUpdate,
  returnedUpdate,
  type DeliveryInput,
  type LifecyclePolicy,
} from '../workflows/shared';

const INHERENT = new Set(['country', 'region', 'npa', 'nxx', 'kind', 'vanity', 'word']);

export interface OrderDeps {
  db: Db;
  client?: Client;
  taskQueue: string;
  policy: LifecyclePolicy;
  formsDir: string;
  http?: HttpOptions;
}


interface LineRow {
  id: string;
  tags: string[];
  country: string | null;
  npa: string | null;
  kind: string | null;
  quantity: number;
}

/** Why a delivered number does not fit a line, or null when it does. */
export function mismatch(p: ParsedAddress, line: LineRow): string | null {
  if (line.country && p.country !== line.country.trim()) return `country ${p.country ?? 'none'}, ordered ${line.country}`;
  if (line.npa && p.npa !== line.npa) return `area code ${p.npa ?? 'none'}, ordered ${line.npa}`;
  // libphonenumber cannot tell US mobile from fixed lines: FIXED_LINE_OR_MOBILE fits either
  if (line.kind && p.kind !== line.kind && !(p.kind === 'FIXED_LINE_OR_MOBILE' && ['MOBILE', 'FIXED_LINE'].includes(line.kind))) {
    return `kind ${p.kind}, ordered ${line.kind}`;
  }
  const has = new Set(inherentTags(p));
  const missing = line.tags.filter((t) => INHERENT.has(t.split(':')[0]!) && !has.has(t));
  return missing.length ? `lacks ${missing.join(', ')}` : null;
}

function parseAddressOrNull(input: string): string | null {
  try {
    return parseAddress(input).address;
  } catch {
    return null;
  }
}

export function orderActivities(deps: OrderDeps) {
  const { db } = deps;

  async function adapterFor(providerId: string): Promise<{ adapter: CarrierAdapter; name: string; kind: string }> {
    const p = await db.provider.findUniqueOrThrow({ where: { id: providerId } });
    if (p.kind === 'MANUAL') return { adapter: new ManualCarrierAdapter(deps.formsDir), name: p.name, kind: p.kind };
    if (!p.apiBaseUrl) throw ApplicationFailure.nonRetryable(`provider ${p.id} has no API base URL`, 'CarrierMisconfigured');
    return { adapter: new ApiCarrierAdapter(p.apiBaseUrl, deps.http), name: p.name, kind: p.kind };
  }

  async function outstanding(orderId: string): Promise<{ requested: number; accepted: number; rejected: number; outstanding: number }> {
    const lines = await db.orderLine.findMany({ where: { orderId } });
    const requested = lines.reduce((a, l) => a + l.quantity, 0);
    const accepted = lines.reduce((a, l) => a + l.accepted, 0);
    const rejected = lines.reduce((a, l) => a + l.rejected, 0);
    return { requested, accepted, rejected, outstanding: lines.reduce((a, l) => a + Math.max(0, l.quantity - l.accepted), 0) };
  }

  return {
    async submitOrder(input: { orderId: string }): Promise<{ kind: 'submitted' | 'form'; carrierOrderId?: string; formPaths?: string[] }> {
      const order = await db.providerOrder.findUniqueOrThrow({ where: { id: input.orderId }, include: { lines: true } });
      if (order.carrierReference) return { kind: 'submitted', carrierOrderId: order.carrierReference }; // done before
      const { adapter, name } = await adapterFor(order.providerId);
      try {
        const res = await adapter.submit({
          orderId: order.id,
          idempotencyKey: order.idempotencyKey,
          providerName: name,
          lines: order.lines.map((l) => ({ lineId: l.id, quantity: l.quantity, npa: l.npa, country: l.country?.trim() ?? null, kind: l.kind, capabilities: l.capabilities })),
        });
        if (res.kind === 'submitted') {
          await db.providerOrder.update({ where: { id: order.id }, data: { status: 'SUBMITTED', carrierReference: res.carrierOrderId, submittedAt: new Date() } });
          return { kind: 'submitted', carrierOrderId: res.carrierOrderId };
        }
        await db.providerOrder.update({ where: { id: order.id }, data: { status: 'AWAITING_OPERATOR', submittedAt: new Date() } });
        // the operator alert: a carrier without an API needs a person to send the form
        log.warn('order needs an operator: send the form to the carrier, then enter the delivered numbers', {
          orderId: order.id, provider: name, csv: res.csvPath, html: res.htmlPath, enterAt: `/v1/orders/${order.id}/deliveries`,
        });
        return { kind: 'form', formPaths: [res.csvPath, res.htmlPath] };
      } catch (err) {
        if (err instanceof CarrierRejected) throw ApplicationFailure.nonRetryable(err.message, 'CarrierRejected');
        throw err;
      }
    },

    /**
     * Verifies each delivered number (parses, is new to the repository, fits
     * its line) and accepts the good ones into quarantine with a lifecycle
     * workflow each. A number already decided for this order is skipped, so a
     * duplicate webhook or a retried activity changes nothing. `late`: the
     * order has stopped taking numbers; each new one is recorded as RETURNED
     * with the reason (and the workflow hands it back to the carrier).
     */
    async acceptDelivery(input: { orderId: string; delivery: DeliveryInput; late?: boolean }) {
      const order = await db.providerOrder.findUniqueOrThrow({ where: { id: input.orderId }, include: { lines: true } });
      const lines = new Map(order.lines.map((l) => [l.id, l]));
      const offered: { address: string; lineId: string | null }[] = [
        ...(input.delivery.lines ?? []).flatMap((l) => l.numbers.map((address) => ({ address, lineId: lines.has(l.lineId) ? l.lineId : null }))),
        ...(input.delivery.numbers ?? []).map((address) => ({ address, lineId: null })),
      ];
      const decided = new Set(
        (await db.deliveredNumber.findMany({ where: { orderId: order.id }, select: { address: true } })).map((d) => d.address),
      );
      const taken = new Map(order.lines.map((l) => [l.id, l.accepted]));
      // which offered numbers the repository already holds, in one query
      const known = new Map(
        (await db.endpoint.findMany({
          where: { address: { in: offered.map((o) => parseAddressOrNull(o.address)).filter((a): a is string => a !== null) } },
          select: { address: true, orderId: true },
        })).map((e) => [e.address, e.orderId]),
      );
      const outcomes: { address: string; lineId: string | null; outcome: 'ACCEPTED' | 'MISMATCH_RETURNED' | 'DUPLICATE' | 'INVALID' | 'RETURNED'; reason: string | null; parsed?: ParsedAddress }[] = [];
      for (const o of offered) {
        let p: ParsedAddress;
        try {
          p = parseAddress(o.address);
        } catch (err) {
          if (!(err instanceof AddressError)) throw err;
          if (!decided.has(o.address)) outcomes.push({ ...o, outcome: 'INVALID', reason: err.reason });
          continue;
        }
        if (decided.has(p.address) || outcomes.some((x) => x.address === p.address)) continue;
        if (known.has(p.address) && known.get(p.address) !== order.id) {
          outcomes.push({ address: p.address, lineId: o.lineId, outcome: 'DUPLICATE', reason: 'already in the repository' });
          continue;
        }
        if (input.late && !known.has(p.address)) {
          const closed = order.completedAt ? ` (${order.status} at ${order.completedAt.toISOString()})` : ` (${order.status})`;
          outcomes.push({ address: p.address, lineId: null, outcome: 'RETURNED', reason: `delivered after the order stopped taking numbers${closed}` });
          continue;
        }
        // the line it was delivered for, or the first open line it fits
        const candidates = o.lineId ? [lines.get(o.lineId)!] : order.lines.filter((l) => (taken.get(l.id) ?? 0) < l.quantity);
        const fits = candidates.find((l) => !mismatch(p, l) && (taken.get(l.id) ?? 0) < l.quantity);
        if (!fits) {
          const why = candidates[0] ? (mismatch(p, candidates[0]) ?? 'more than the line asked for') : 'no open line';
          outcomes.push({ address: p.address, lineId: o.lineId, outcome: 'MISMATCH_RETURNED', reason: why });
          continue;
        }
        taken.set(fits.id, (taken.get(fits.id) ?? 0) + 1);
        outcomes.push({ address: p.address, lineId: fits.id, outcome: 'ACCEPTED', reason: null, parsed: p });
      }

      const accepted = outcomes.filter((o) => o.outcome === 'ACCEPTED');
      if (accepted.length) {
        if (!deps.client) throw new Error('acceptDelivery needs a Temporal client');
        const res = await ingestEndpoints(
          { db, client: deps.client, taskQueue: deps.taskQueue, policy: deps.policy },
          accepted.map((a) => ({ address: a.address })),
          { entry: 'quarantine', providerId: order.providerId, orderId: order.id, actor: `carrier:${order.providerId}` },
        );
        // rows an interrupted earlier attempt inserted: make sure each has its workflow
        for (const address of res.duplicates) {
          const row = await db.endpoint.findUnique({ where: { address } });
          if (row?.orderId === order.id) await startWorkflowForRow(deps.client, row, deps.taskQueue, deps.policy);
        }
      }
      await db.deliveredNumber.createMany({
        data: outcomes.map((o) => ({ orderId: order.id, lineId: o.lineId, address: o.address, outcome: o.outcome, reason: o.reason })),
        skipDuplicates: true,
      });
      // line counters from the recorded outcomes: exact whatever was retried
      await db.$executeRaw`
        UPDATE order_lines l SET
          delivered = (SELECT count(*) FROM delivered_numbers d WHERE d.line_id = l.id)::int,
          accepted = (SELECT count(*) FROM delivered_numbers d WHERE d.line_id = l.id AND d.outcome = 'ACCEPTED')::int,
          rejected = (SELECT count(*) FROM delivered_numbers d WHERE d.line_id = l.id AND d.outcome <> 'ACCEPTED')::int
         WHERE l.order_id = ${order.id}::uuid`;
      const progress = await outstanding(order.id);
      if (progress.accepted > 0 && progress.outstanding > 0) {
        await db.providerOrder.updateMany({ where: { id: order.id, status: { in: ['SUBMITTED', 'AWAITING_OPERATOR', 'PENDING'] } }, data: { status: 'PARTIALLY_DELIVERED' } });
      }
      return {
        ...progress,
        acceptedNow: accepted.length,
        mismatched: outcomes.filter((o) => o.outcome !== 'ACCEPTED').map((o) => ({ address: o.address, reason: `${o.outcome}: ${o.reason}` })),
      };
    },

    async returnToCarrier(input: { orderId: string; numbers: { address: string; reason: string }[] }): Promise<void> {
      const order = await db.providerOrder.findUniqueOrThrow({ where: { id: input.orderId } });
      const { adapter } = await adapterFor(order.providerId);
      await adapter.returnNumbers(order.id, input.numbers);
    },

    async cancelAtCarrier(input: { orderId: string }): Promise<void> {
      const order = await db.providerOrder.findUniqueOrThrow({ where: { id: input.orderId } });
      if (!order.carrierReference) return;
      const { adapter } = await adapterFor(order.providerId);
      try {
        await adapter.cancel(order.carrierReference);
      } catch (err) {
        // a 4xx (say, "unknown order"): nothing open there to stop, and asking again cannot change
        // that; the order goes on (its late deliveries are still taken and returned)
        if (!(err instanceof CarrierRejected)) throw err;
        log.warn('the carrier refused the cancellation; taken as nothing left to cancel', { orderId: order.id, provider: order.providerId, reason: err.message });
      }
    },

    /** The unfilled remainder as a new order at the next eligible provider (never this one). */
    async rerouteRemainder(input: { orderId: string; reason: string }): Promise<{ orderId: string; providerId: string } | null> {
      const order = await db.providerOrder.findUniqueOrThrow({ where: { id: input.orderId }, include: { lines: true } });
      const newId = derivedUuid('reroute', order.id);
      const made = await db.providerOrder.findUnique({ where: { id: newId } });
      if (made) return { orderId: made.id, providerId: made.providerId };
      // never back to a provider this chain of orders has already tried
      const tried = new Set<string>([order.providerId]);
      for (let parent = order.parentOrderId; parent; ) {
        const p = await db.providerOrder.findUnique({ where: { id: parent }, select: { providerId: true, parentOrderId: true } });
        if (!p) break;
        tried.add(p.providerId);
        parent = p.parentOrderId;
      }
      const providers = await db.provider.findMany({ where: { active: true, id: { notIn: [...tried] } } });
      const infos: ProviderInfo[] = providers.map((p) => ({
        id: p.id, active: p.active, countries: p.countries, npas: p.npas, kinds: p.kinds,
        costPerNumberCents: p.costPerNumberCents, reliabilityScore: p.reliabilityScore, quotaNumbers: p.quotaNumbers, orderedInPeriod: 0,
      }));
      const requests = order.lines
        .filter((l) => l.quantity > l.accepted)
        .map((l) => ({ groupingId: l.groupingId ?? l.id, tags: l.tags.length ? l.tags : [...(l.npa ? [`npa:${l.npa}`] : [])], quantity: l.quantity - l.accepted }));
      if (!requests.length) return null;
      const plan = assignRequests(requests, infos).orders[0];
      if (!plan) return null;
      await db.providerOrder.create({
        data: {
          id: newId,
          providerId: plan.providerId,
          direction: 'ACQUIRE',
          parentOrderId: order.id,
          idempotencyKey: `reroute:${order.id}`,
          lines: {
            create: plan.lines.map((l) => {
              const from = order.lines.find((x) => (x.groupingId ?? x.id) === l.groupingId)!;
              return { groupingId: from.groupingId, tags: from.tags, country: from.country, npa: from.npa, kind: from.kind, capabilities: from.capabilities, quantity: l.quantity };
            }),
          },
        },
      });
      return { orderId: newId, providerId: plan.providerId };
    },

    async finishOrder(input: { orderId: string; status: 'DELIVERED' | 'CANCELLED' | 'FAILED'; reason: string | null }): Promise<void> {
      await db.providerOrder.update({
        where: { id: input.orderId },
        data: { status: input.status, failureReason: input.reason, completedAt: new Date() },
      });
    },

    /** Fill rate, lead time, mismatch and failure rates from the provider's finished orders. */
    async updateReliability(input: { providerId: string }): Promise<number> {
      const [s] = await db.$queryRaw<{ orders: number; requested: number; accepted: number; rejected: number; failed: number; lead: number | null }[]>`
        SELECT count(DISTINCT po.id)::int AS orders, coalesce(sum(l.quantity), 0)::int AS requested,
               coalesce(sum(l.accepted), 0)::int AS accepted, coalesce(sum(l.rejected), 0)::int AS rejected,
               count(DISTINCT po.id) FILTER (WHERE po.status = 'FAILED')::int AS failed,
               avg(extract(epoch FROM po.completed_at - po.submitted_at)) FILTER (WHERE po.status = 'DELIVERED')::float8 AS lead
          FROM provider_orders po JOIN order_lines l ON l.order_id = po.id
         WHERE po.provider_id = ${input.providerId} AND po.direction = 'ACQUIRE'
           AND po.status::text <> ALL(${[...OPEN_ORDER_STATUSES]}::text[])`;
      if (!s || s.orders === 0) return (await db.provider.findUniqueOrThrow({ where: { id: input.providerId } })).reliabilityScore;
      const fillRate = s.requested ? s.accepted / s.requested : 1;
      const delivered = s.accepted + s.rejected;
      const mismatchRate = delivered ? s.rejected / delivered : 0;
      const failureRate = s.failed / s.orders;
      const score = Math.max(0, Math.min(1, 0.5 * fillRate + 0.3 * (1 - mismatchRate) + 0.2 * (1 - failureRate)));
      await db.provider.update({
        where: { id: input.providerId },
        data: { fillRate, mismatchRate, failureRate, meanLeadTimeSeconds: s.lead, reliabilityScore: score },
      });
      return score;
    },

    /** A release order: hand the endpoints back to the carrier, then close each one's lifecycle. */
    async releaseEndpoints(input: { orderId: string }): Promise<{ released: number }> {
      const order = await db.providerOrder.findUniqueOrThrow({ where: { id: input.orderId }, include: { lines: true } });
      const ids = order.lines.flatMap((l) => l.endpointIds);
      const rows = await db.endpoint.findMany({ where: { id: { in: ids } }, select: { address: true, state: true } });
      const { adapter } = await adapterFor(order.providerId);
      await adapter.release(rows.map((r) => r.address));
      if (!deps.client) throw new Error('releaseEndpoints needs a Temporal client');
      let released = 0;
      for (const r of rows) {
        const h = deps.client.workflow.getHandle(endpointWorkflowId(r.address));
        try {
          if (r.state === 'REJECTED') await h.executeUpdate(returnedUpdate, { args: [{ reason: `release order ${order.id}`, actor: `carrier:${order.providerId}` }] });
          else if (r.state === 'AVAILABLE') await h.executeUpdate(retireUpdate, { args: [{ reason: `released to ${order.providerId} (order ${order.id})`, actor: 'monitor' }] });
          else continue; // allocated or reserved since the order was made: kept
          released++;
        } catch (err) {
          // no lifecycle to close (or it moved on and refused): reconciliation reports such rows
          if (!(err instanceof WorkflowNotFoundError || err instanceof WorkflowUpdateFailedError)) throw err;
        }
      }
      return { released };
    },

    async orderProgress(input: { orderId: string }) {
      return outstanding(input.orderId);
    },
  };
}
