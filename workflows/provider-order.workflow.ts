// One provider order (id `order/<order id>`), started by the inventory monitor
// or by an order re-routing its remainder. Acquire: submit through the
// carrier's adapter (its idempotency key is derived from the order id), take
// deliveries as signals (the carrier's signed webhook, or an operator's
// entry) until the order is filled, the carrier says it is done, or the
// delivery timeout passes; then cancel and re-route what is missing to the
// next provider. Release: take each endpoint off the shelf through its own
// workflow (RELEASING), hand back only those at the carrier (an operator's
// work item, confirmed by a signal, at a carrier without an API), then retire
// or return them. A carrier's final refusal (a 4xx) of a return, release or
// cancellation ends that step (the activity notes it on the order and alerts
// an operator) and the order goes on to close.
import { ParentClosePolicy, condition, patched, proxyActivities, setHandler, startChild, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  OrderProvider,
  OrderStatus,
  cancelOrderSignal,
  confirmOrderSignal,
  deliverySignal,
  orderProgressQuery,
  orderWorkflowId,
  type DeliveryInput,
  type OrderConfirmation,
  type OrderProgress,
  type ProviderOrderInput,
} from './shared';

const DEFAULT_DELIVERY_TIMEOUT_MS = 3 * 24 * 3600_000;

// Carrier calls are retried here, by Temporal: each activity attempt makes one HTTP call, and
// a 5xx, 429 (its Retry-After the next wait), timeout or lost connection fails the attempt.
// A carrier's 4xx is final (CarrierRejected, non-retryable). Retry policies are not part of
// the workflow's commands' identity: changing them replays unchanged.
const NOT_RETRIED = ['CarrierRejected', 'CarrierMisconfigured'];
// the database steps and the carrier's return, release and cancellation: until they go through
const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: NOT_RETRIED },
});
// a carrier that stays down (6 attempts over about 25 s) is given up on, and the order goes elsewhere
const { submitOrder } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 6, nonRetryableErrorTypes: NOT_RETRIED },
});

export async function providerOrderWorkflow(input: ProviderOrderInput): Promise<OrderProgress> {
  const progress: OrderProgress = { orderId: input.orderId, status: 'PENDING', requested: 0, accepted: 0, rejected: 0, outstanding: 0, reroutedTo: null };
  const inbox: DeliveryInput[] = [];
  let cancelled: string | null = null;
  setHandler(deliverySignal, (d) => {
    inbox.push(d);
  });
  setHandler(cancelOrderSignal, ({ reason }) => {
    cancelled ??= reason || 'cancelled';
  });
  let confirmed: OrderConfirmation | null = null;
  setHandler(confirmOrderSignal, (c) => {
    confirmed ??= c;
  });
  setHandler(orderProgressQuery, () => progress);
  const status = (s: string) => {
    progress.status = s;
    upsertSearchAttributes([
      { key: OrderStatus, value: s },
      { key: OrderProvider, value: input.providerId },
    ]);
  };

  // A delivery is never dropped. Deliveries that came in while the order was
  // deciding (before the carrier took the cancellation) still count for it;
  // one that arrives after the order stopped waiting (`late`: timed out,
  // cancelled, filled, carrier said final) is recorded as RETURNED with the
  // reason and handed back to the carrier. Temporal re-runs a workflow task
  // whose completion raced a signal, so draining the inbox after the last
  // await sees every signal the order accepted.
  const drain = async (late: boolean) => {
    while (inbox.length > 0) {
      const d = inbox.shift()!;
      const res = await acts.acceptDelivery({ orderId: input.orderId, delivery: d, ...(late ? { late } : {}) });
      if (!late) Object.assign(progress, { requested: res.requested, accepted: res.accepted, rejected: res.rejected, outstanding: res.outstanding });
      if (res.mismatched.length) await acts.returnToCarrier({ orderId: input.orderId, numbers: res.mismatched });
    }
  };

  if (input.direction === 'RELEASE') {
    // Each endpoint leaves the shelf through its own workflow first (RELEASING: nothing allocates
    // it any more); only those are released at the carrier, then retired or returned. Runs that
    // began releasing everything first replay as they ran.
    if (patched('release-leaves-shelf')) {
      const { leaving, kept } = await acts.takeOffShelf({ orderId: input.orderId });
      let how = '';
      if (leaving > 0) {
        const handed = await acts.releaseAtCarrier({ orderId: input.orderId });
        if (handed.kind === 'refused') {
          // final: nothing was handed back; the activity put the endpoints back where they came from
          await acts.finishOrder({ orderId: input.orderId, status: 'FAILED', reason: handed.reason });
          status('FAILED');
          return progress;
        }
        if (handed.kind === 'form') {
          // a carrier without an API: an operator hands them back with the form and confirms
          status('AWAITING_OPERATOR');
          await condition(() => confirmed !== null);
          how = `; confirmed by ${confirmed!.actor}${confirmed!.note ? `: ${confirmed!.note}` : ''}`;
        }
      }
      const { released } = await acts.closeReleased({ orderId: input.orderId });
      const keptNote = kept ? `; ${kept} kept (held, or no longer on the shelf, when the order ran)` : '';
      await acts.finishOrder({ orderId: input.orderId, status: 'DELIVERED', reason: `${released} endpoints handed back${keptNote}${how}` });
      status('DELIVERED');
      return progress;
    }
    // a release the carrier refused (a 4xx: final) closes the order FAILED with the carrier's
    // reason; the same commands either way, so histories of earlier runs replay unchanged
    const { released, refused } = await acts.releaseEndpoints({ orderId: input.orderId });
    const outcome = refused ? 'FAILED' : 'DELIVERED';
    await acts.finishOrder({ orderId: input.orderId, status: outcome, reason: refused ?? `${released} endpoints handed back` });
    status(outcome);
    return progress;
  }

  if (input.direction === 'LATE') {
    await drain(true);
    progress.status = 'LATE_DELIVERY_RETURNED';
    return progress;
  }

  Object.assign(progress, await acts.orderProgress({ orderId: input.orderId }));
  let submitted: Awaited<ReturnType<typeof submitOrder>> | null = null;
  let why = '';
  try {
    submitted = await submitOrder({ orderId: input.orderId });
    status(submitted.kind === 'form' ? 'AWAITING_OPERATOR' : 'SUBMITTED');
  } catch (err) {
    why = `submission failed: ${(err as Error).message}`;
  }

  let carrierDone = false;
  if (submitted) {
    const deadline = Date.now() + (input.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the cancelOrder handler sets it while condition() waits; TS does not see writes from handlers
    while (progress.outstanding > 0 && !carrierDone && cancelled === null) {
      const left = deadline - Date.now();
      if (left <= 0 || !(await condition(() => inbox.length > 0 || cancelled !== null, left))) {
        why = 'delivery timed out';
        break;
      }
      while (inbox.length > 0) {
        const d = inbox.shift()!;
        const res = await acts.acceptDelivery({ orderId: input.orderId, delivery: d });
        Object.assign(progress, { requested: res.requested, accepted: res.accepted, rejected: res.rejected, outstanding: res.outstanding });
        if (res.mismatched.length) await acts.returnToCarrier({ orderId: input.orderId, numbers: res.mismatched });
        if (d.final) carrierDone = true;
      }
      if (progress.accepted > 0 && progress.outstanding > 0) status('PARTIALLY_DELIVERED');
    }
    if (carrierDone && progress.outstanding > 0) why = 'the carrier delivered all it will';
  }

  // runs that began before late deliveries were kept replay as they ran
  const keepsLate = patched('order-late-deliveries');

  if (progress.outstanding === 0) {
    await acts.finishOrder({ orderId: input.orderId, status: 'DELIVERED', reason: null });
    status('DELIVERED');
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the cancelOrder handler sets it while condition() waits; TS does not see writes from handlers
  } else if (cancelled !== null) {
    if (submitted?.kind === 'submitted') await acts.cancelAtCarrier({ orderId: input.orderId });
    if (keepsLate) await drain(false);
    await acts.finishOrder({ orderId: input.orderId, status: 'CANCELLED', reason: cancelled });
    status('CANCELLED');
  } else {
    // what is missing goes to the next eligible provider
    if (submitted?.kind === 'submitted' && !carrierDone) await acts.cancelAtCarrier({ orderId: input.orderId });
    if (keepsLate) await drain(false);
    if (progress.outstanding === 0) {
      // filled by what was in flight
      await acts.finishOrder({ orderId: input.orderId, status: 'DELIVERED', reason: null });
      status('DELIVERED');
    } else {
      const next = await acts.rerouteRemainder({ orderId: input.orderId, reason: why });
      if (next) {
        await startChild(providerOrderWorkflow, {
          workflowId: orderWorkflowId(next.orderId),
          args: [{ orderId: next.orderId, providerId: next.providerId, direction: 'ACQUIRE', deliveryTimeoutMs: input.deliveryTimeoutMs }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          typedSearchAttributes: [
            { key: OrderProvider, value: next.providerId },
            { key: OrderStatus, value: 'PENDING' },
          ],
        });
        progress.reroutedTo = next.orderId;
      }
      const reason = `${why}: ${progress.accepted} of ${progress.requested} accepted; ${next ? `the rest re-routed to order ${next.orderId} (${next.providerId})` : 'no other provider can take the rest'}`;
      const final = progress.accepted === 0 && !next ? 'FAILED' : 'CANCELLED';
      await acts.finishOrder({ orderId: input.orderId, status: final, reason });
      status(final);
    }
  }
  await acts.updateReliability({ providerId: input.providerId });
  if (keepsLate) await drain(true);
  return progress;
}
