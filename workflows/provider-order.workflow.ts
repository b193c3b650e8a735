// One provider order (id `order/<order id>`), started by the inventory monitor.
// So far it holds the order open and can be cancelled; submitting to the
// carrier, deliveries, verification and re-routing are issue 5.
import { condition, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { OrderStatus, cancelOrderSignal, type ProviderOrderInput } from './shared';

const { setOrderStatus } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function providerOrderWorkflow(input: ProviderOrderInput): Promise<string> {
  let cancelled: string | null = null;
  setHandler(cancelOrderSignal, ({ reason }) => {
    cancelled ??= reason || 'cancelled';
  });
  await condition(() => cancelled !== null);
  await setOrderStatus({ orderId: input.orderId, status: 'CANCELLED', reason: cancelled });
  upsertSearchAttributes([{ key: OrderStatus, value: 'CANCELLED' }]);
  return 'CANCELLED';
}
