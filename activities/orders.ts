// Provider orders: submitting through the carrier's adapter, verifying and
// accepting deliveries exactly once, returning mismatches, cancelling and
// re-routing the remainder, handing numbers back, and keeping each
// provider's reliability score. Every step is safe to repeat. A carrier's
// final refusal (a 4xx) of a return, release or cancellation is not retried:
// the step ends with the carrier's reason noted on the order and an operator
// alert, and the order goes on to close (never wedged retrying a refusal).
import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../src/db/client';
import { findByAddress } from '../src/db/endpoint-reads';
import { listRules } from '../src/db/country-rules';
import type { CountryRule } from '../src/domain/regulation';
import {
  createOrder,
  decidedAddresses,
  finishOrder,
  findOrder,
  getOrder,
  leaveShelfOperation,
  leavingFor,
  markSubmitted,
  noteCarrierRefusal,
  orderProgress,
  orderRecord,
  providersTried,
  recordDeliveries,
  releaseOrderEndpoints,
} from '../src/db/orders';
import { activeProviderInfos, getProvider, recordReliability } from '../src/db/providers';
import { knownEndpoints } from '../src/db/endpoint-reads';
import { ApiCarrierAdapter, CarrierRejected, CarrierUnavailable, ManualCarrierAdapter, type CarrierAdapter, type HttpOptions } from '../src/carriers/adapter';
import { canonicalAddresses, handBackForm, judgeDelivery, offeredNumbers, orderForm, placesByAddress, returnedOf } from '../src/domain/delivery';
import { Conflict, NotFound } from '../src/domain/errors';
import { derivedUuid } from '../src/domain/ids';
import { assignRequests } from '../src/domain/provider-selection';
import { reliability } from '../src/domain/reliability';
import type { TemporalGateway } from '../src/temporal/gateway';
import { ingest } from '../src/usecases/ingest';
import { startWorkflowForRow } from '../src/usecases/reconcile';
import type { DeliveryInput, LifecyclePolicy } from '../workflows/shared';

export interface OrderDeps {
  db: Db;
  /** for accepted numbers' workflows and release orders' endpoints */
  temporal?: TemporalGateway;
  /** where the endpoint workflows of accepted numbers run (the gateway's task queue) */
  taskQueue: string;
  policy: LifecyclePolicy;
  formsDir: string;
  http?: HttpOptions;
}

/**
 * A carrier call that failed for now (5xx, 429, timeout, no connection) as the
 * activity's failure: retryable, so Temporal's retry policy (the workflow's
 * proxyActivities) tries again — after the carrier's Retry-After when it gave
 * one. The adapter makes one HTTP call per attempt; no loop here.
 */
function forTemporal(err: unknown): Error {
  if (err instanceof CarrierUnavailable)
    return ApplicationFailure.create({
      message: err.message,
      type: 'CarrierUnavailable',
      ...(err.retryAfterMs ? { nextRetryDelay: err.retryAfterMs } : {}),
    });
  return err instanceof Error ? err : new Error(String(err));
}

export function orderActivities(deps: OrderDeps) {
  const { db } = deps;

  async function adapterFor(providerId: string): Promise<{ adapter: CarrierAdapter; name: string }> {
    const p = await getProvider(db, providerId);
    if (p.kind === 'MANUAL') return { adapter: new ManualCarrierAdapter(deps.formsDir, p.name), name: p.name };
    if (!p.apiBaseUrl) throw ApplicationFailure.nonRetryable(`provider ${p.id} has no API base URL`, 'CarrierMisconfigured');
    return { adapter: new ApiCarrierAdapter(p.apiBaseUrl, deps.http), name: p.name };
  }

  /**
   * A carrier's final refusal of one of an order's steps: asking again cannot
   * change it, so the step ends here — the carrier's reason noted on the order
   * (`carrierRefusals`, once however often the activity runs) and an operator
   * alert in the log. Answers the note.
   */
  async function refusedByCarrier(
    order: { id: string; providerId: string },
    step: 'return' | 'release' | 'cancellation',
    what: string,
    err: CarrierRejected,
  ): Promise<string> {
    const note = `${what}: ${err.message}`;
    log.warn(`operator alert: the carrier refused the ${step} for order ${order.id}; not retried`, {
      orderId: order.id,
      provider: order.providerId,
      step,
      refused: what,
      reason: err.message,
    });
    await noteCarrierRefusal(db, order.id, note);
    return note;
  }

  function temporal(activity: string): TemporalGateway {
    if (!deps.temporal) throw new Error(`${activity} needs a Temporal client`);
    return deps.temporal;
  }

  return {
    async submitOrder(input: { orderId: string }): Promise<{ kind: 'submitted' | 'form'; carrierOrderId?: string; formPaths?: string[] }> {
      const order = await getOrder(db, input.orderId);
      if (order.carrierReference) return { kind: 'submitted', carrierOrderId: order.carrierReference }; // done before
      const { adapter, name } = await adapterFor(order.providerId);
      try {
        const res = await adapter.submit(orderForm(order, name));
        if (res.kind === 'submitted') {
          await markSubmitted(db, order.id, res.carrierOrderId);
          return { kind: 'submitted', carrierOrderId: res.carrierOrderId };
        }
        await markSubmitted(db, order.id, null);
        // the operator alert: a carrier without an API needs a person to send the form
        log.warn('order needs an operator: send the form to the carrier, then enter the delivered numbers', {
          orderId: order.id,
          provider: name,
          csv: res.csvPath,
          html: res.htmlPath,
          enterAt: `/v1/orders/${order.id}/deliveries`,
        });
        return { kind: 'form', formPaths: [res.csvPath, res.htmlPath] };
      } catch (err) {
        if (err instanceof CarrierRejected) throw ApplicationFailure.nonRetryable(err.message, 'CarrierRejected');
        throw forTemporal(err);
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
      const order = await getOrder(db, input.orderId);
      const offered = offeredNumbers(input.delivery, new Set(order.lines.map((l) => l.id)));
      const outcomes = judgeDelivery(offered, {
        order,
        lines: order.lines,
        decided: await decidedAddresses(db, order.id),
        known: await knownEndpoints(db, canonicalAddresses(offered)),
        late: input.late,
      });
      const accepted = outcomes.filter((o) => o.outcome === 'ACCEPTED');
      const carrierPlace = placesByAddress(input.delivery.places);
      if (accepted.length) {
        const gateway = temporal('acceptDelivery');
        const res = await ingest(
          { db, temporal: gateway, policy: deps.policy },
          accepted.map((a) => ({ address: a.address, ...carrierPlace.get(a.address) })),
          { entry: 'quarantine', providerId: order.providerId, orderId: order.id, actor: `carrier:${order.providerId}` },
        );
        // rows an interrupted earlier attempt inserted: make sure each has its workflow
        let rules: CountryRule[] | undefined;
        for (const address of res.duplicates) {
          const row = await findByAddress(db, address);
          if (row?.orderId === order.id) await startWorkflowForRow(gateway, row, deps.policy, (rules ??= await listRules(db)));
        }
      }
      const progress = await recordDeliveries(db, order.id, outcomes);
      return { ...progress, acceptedNow: accepted.length, mismatched: returnedOf(outcomes) };
    },

    /** Hands numbers back; a refusal (4xx) ends the step with the reason noted on the order and an alert. */
    async returnToCarrier(input: { orderId: string; numbers: { address: string; reason: string }[] }): Promise<void> {
      const order = await getOrder(db, input.orderId);
      const { adapter, name } = await adapterFor(order.providerId);
      try {
        await adapter.returnNumbers(order.id, input.numbers);
      } catch (err) {
        if (!(err instanceof CarrierRejected)) throw forTemporal(err); // unreachable or failing: Temporal retries the activity
        const shown =
          input.numbers
            .slice(0, 20)
            .map((n) => n.address)
            .join(', ') + (input.numbers.length > 20 ? `, … (${input.numbers.length} in all)` : '');
        await refusedByCarrier(order, 'return', `return of ${shown}`, err);
        return;
      }
      if (adapter instanceof ManualCarrierAdapter && input.numbers.length) {
        // the operator alert: a carrier without an API is told by a person
        log.warn('numbers to return by hand: send the return form to the carrier', {
          orderId: order.id,
          provider: name,
          numbers: input.numbers.length,
          formsDir: deps.formsDir,
        });
      }
    },

    async cancelAtCarrier(input: { orderId: string }): Promise<void> {
      const order = await getOrder(db, input.orderId);
      if (!order.carrierReference) return;
      const { adapter } = await adapterFor(order.providerId);
      try {
        await adapter.cancel(order.carrierReference);
      } catch (err) {
        // a 4xx (say, "unknown order"): nothing open there to stop, and asking again cannot change
        // that; the order goes on (its late deliveries are still taken and returned)
        if (!(err instanceof CarrierRejected)) throw forTemporal(err);
        await refusedByCarrier(order, 'cancellation', `cancellation of ${order.carrierReference} (taken as nothing left to cancel)`, err);
      }
    },

    /** The unfilled remainder as a new order at the next eligible provider (never this one). */
    async rerouteRemainder(input: { orderId: string; reason: string }): Promise<{ orderId: string; providerId: string } | null> {
      const order = await getOrder(db, input.orderId);
      const newId = derivedUuid('reroute', order.id);
      const made = await findOrder(db, newId);
      if (made) return { orderId: made.id, providerId: made.providerId };
      // never back to a provider this chain of orders has already tried
      const infos = await activeProviderInfos(db, { except: [...(await providersTried(db, order))] });
      const requests = order.lines
        .filter((l) => l.quantity > l.accepted)
        .map((l) => ({
          groupingId: l.groupingId ?? l.id,
          tags: l.tags.length ? l.tags : [...(l.npa ? [`npa:${l.npa}`] : [])],
          quantity: l.quantity - l.accepted,
        }));
      if (!requests.length) return null;
      const plan = assignRequests(requests, infos).orders[0];
      if (!plan) return null;
      await createOrder(db, {
        id: newId,
        providerId: plan.providerId,
        direction: 'ACQUIRE',
        parentOrderId: order.id,
        idempotencyKey: `reroute:${order.id}`,
        lines: plan.lines.map((l) => {
          const from = order.lines.find((x) => (x.groupingId ?? x.id) === l.groupingId)!;
          return {
            groupingId: from.groupingId,
            tags: from.tags,
            country: from.country,
            npa: from.npa,
            kind: from.kind,
            capabilities: from.capabilities,
            quantity: l.quantity,
          };
        }),
      });
      return { orderId: newId, providerId: plan.providerId };
    },

    async finishOrder(input: { orderId: string; status: 'DELIVERED' | 'CANCELLED' | 'FAILED'; reason: string | null }): Promise<void> {
      await finishOrder(db, input.orderId, input.status, input.reason);
    },

    /** Fill rate, lead time, mismatch and failure rates from the provider's finished orders. */
    async updateReliability(input: { providerId: string }): Promise<number> {
      const measured = reliability(await orderRecord(db, input.providerId));
      if (!measured) return (await getProvider(db, input.providerId)).reliabilityScore;
      await recordReliability(db, input.providerId, measured);
      return measured.reliabilityScore;
    },

    /**
     * A release order's first step: each of its endpoints leaves the shelf
     * through its own workflow (AVAILABLE or REJECTED → RELEASING, refused
     * when an account holds it). One update id per order and endpoint: a
     * retried activity is the same request.
     */
    async takeOffShelf(input: { orderId: string }): Promise<{ leaving: number; kept: number }> {
      const order = await getOrder(db, input.orderId);
      const gateway = temporal('takeOffShelf');
      let leaving = 0;
      let kept = 0;
      for (const r of await releaseOrderEndpoints(db, order)) {
        if (r.state !== 'AVAILABLE' && r.state !== 'REJECTED' && r.state !== 'RELEASING') {
          kept++; // allocated, reserved, in a retest or gone since the order was planned
          continue;
        }
        try {
          const s = await gateway.endpoint(r.address).leaveShelf({ orderId: order.id, actor: `order:${order.id}` }, leaveShelfOperation(order.id, r.address));
          if (s.state === 'RELEASING') leaving++;
          else kept++;
        } catch (err) {
          // taken first by an account (or no lifecycle): it stays where it is
          if (!(err instanceof NotFound || err instanceof Conflict)) throw err;
          kept++;
        }
      }
      return { leaving, kept };
    },

    /**
     * Hands back at the carrier exactly the endpoints that left the shelf for
     * this order. A carrier without an API gets a form and an operator alert;
     * the order then waits for the operator's confirmation.
     */
    async releaseAtCarrier(input: {
      orderId: string;
    }): Promise<{ kind: 'released'; released: number } | { kind: 'form'; formPaths: string[] } | { kind: 'refused'; reason: string }> {
      const order = await getOrder(db, input.orderId);
      const leaving = await leavingFor(db, order.id);
      const { adapter, name } = await adapterFor(order.providerId);
      let res: Awaited<ReturnType<typeof adapter.release>>;
      try {
        res = await adapter.release(handBackForm(order.id, name, leaving));
      } catch (err) {
        // a refusal (4xx) is final: nothing handed back, the reason noted on the order (it closes FAILED with it),
        // and each endpoint goes back where it came from — still ours, on the shelf (or REJECTED) again
        if (!(err instanceof CarrierRejected)) throw forTemporal(err);
        const reason = await refusedByCarrier(order, 'release', `release of ${leaving.length} endpoints`, err);
        const gateway = temporal('releaseAtCarrier');
        for (const r of leaving) {
          try {
            await gateway
              .endpoint(r.address)
              .backToShelf({ orderId: order.id, reason: err.message, actor: `carrier:${order.providerId}` }, `release-order:${order.id}:${r.address}:back`);
          } catch (e) {
            // moved on already (or no lifecycle): reconciliation reports such rows
            if (!(e instanceof NotFound || e instanceof Conflict)) throw e;
          }
        }
        return { kind: 'refused', reason };
      }
      if (res.kind === 'released') return { kind: 'released', released: leaving.length };
      await markSubmitted(db, order.id, null);
      log.warn('release order needs an operator: send the form to the carrier, then confirm', {
        orderId: order.id,
        provider: name,
        numbers: leaving.length,
        csv: res.csvPath,
        html: res.htmlPath,
        confirmAt: `/v1/orders/${order.id}/confirmations`,
      });
      return { kind: 'form', formPaths: [res.csvPath, res.htmlPath] };
    },

    /** The last step: each endpoint handed back closes its lifecycle, RETIRED (it was spare) or RETURNED (it was rejected). */
    async closeReleased(input: { orderId: string }): Promise<{ released: number }> {
      const order = await getOrder(db, input.orderId);
      const gateway = temporal('closeReleased');
      let released = 0;
      for (const r of await leavingFor(db, order.id)) {
        const updateId = `release-order:${order.id}:${r.address}`;
        try {
          if (r.state === 'RELEASING') {
            if (r.from === 'REJECTED')
              await gateway.endpoint(r.address).returned({ reason: `release order ${order.id}`, actor: `carrier:${order.providerId}` }, updateId);
            else await gateway.endpoint(r.address).retire({ reason: `released to ${order.providerId} (order ${order.id})`, actor: 'monitor' }, updateId);
          }
          released++;
        } catch (err) {
          // no lifecycle to close (or it was closed otherwise): reconciliation reports such rows
          if (!(err instanceof NotFound || err instanceof Conflict)) throw err;
        }
      }
      return { released };
    },

    /** Release orders started before `release-leaves-shelf`: hand the endpoints back, then close each one's lifecycle. */
    async releaseEndpoints(input: { orderId: string }): Promise<{ released: number; refused?: string }> {
      const order = await getOrder(db, input.orderId);
      const rows = await releaseOrderEndpoints(db, order);
      const { adapter, name } = await adapterFor(order.providerId);
      try {
        await adapter.release(
          handBackForm(
            order.id,
            name,
            rows.map((r) => ({ address: r.address, from: r.state === 'REJECTED' ? 'REJECTED' : 'AVAILABLE' })),
          ),
        );
      } catch (err) {
        if (!(err instanceof CarrierRejected)) throw forTemporal(err); // unreachable or failing: Temporal retries the activity
        return { released: 0, refused: await refusedByCarrier(order, 'release', `release of ${rows.length} endpoints`, err) };
      }
      const gateway = temporal('releaseEndpoints');
      let released = 0;
      for (const r of rows) {
        const endpoint = gateway.endpoint(r.address);
        // one update id per order and endpoint: a retried activity is the same request to the workflow
        const updateId = `release-order:${order.id}:${r.address}`;
        try {
          if (r.state === 'REJECTED') await endpoint.returned({ reason: `release order ${order.id}`, actor: `carrier:${order.providerId}` }, updateId);
          else if (r.state === 'AVAILABLE')
            await endpoint.retire({ reason: `released to ${order.providerId} (order ${order.id})`, actor: 'monitor' }, updateId);
          else continue; // allocated or reserved since the order was made: kept
          released++;
        } catch (err) {
          // no lifecycle to close (or it moved on and refused): reconciliation reports such rows
          if (!(err instanceof NotFound || err instanceof Conflict)) throw err;
        }
      }
      return { released };
    },

    async orderProgress(input: { orderId: string }) {
      return orderProgress(db, input.orderId);
    },
  };
}
