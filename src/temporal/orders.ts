// Provider order workflows (`order/<id>`): deliveries, cancellation, progress;
// and deliveries that reach an order after its workflow closed.
import type { Client } from '@temporalio/client';
import { providerOrderWorkflow } from '../../workflows/provider-order.workflow';
import {
  cancelOrderSignal,
  confirmOrderSignal,
  deliverySignal,
  lateDeliveryWorkflowId,
  orderProgressQuery,
  orderWorkflowId,
  type DeliveryInput,
  type OrderConfirmation,
  type OrderProgress,
} from '../../workflows/shared';
import { temporalCall } from './errors';

interface ClientSource {
  client(): Promise<Client>;
  readonly taskQueue: string;
}

export class OrderWorkflow {
  constructor(
    private readonly gateway: ClientSource,
    readonly orderId: string,
  ) {}

  private get notFound(): string {
    return `no running workflow for order ${this.orderId}`;
  }

  private async handle() {
    return (await this.gateway.client()).workflow.getHandle<typeof providerOrderWorkflow>(orderWorkflowId(this.orderId));
  }

  /** Hands numbers to the order; NotFound when its workflow has closed. */
  deliver(delivery: DeliveryInput): Promise<void> {
    return temporalCall(async () => (await this.handle()).signal(deliverySignal, delivery), this.notFound);
  }

  cancel(reason: string): Promise<void> {
    return temporalCall(async () => (await this.handle()).signal(cancelOrderSignal, { reason }), this.notFound);
  }

  /** An operator's word that a release order's numbers are handed back (a carrier without an API); NotFound when closed. */
  confirm(confirmation: OrderConfirmation): Promise<void> {
    return temporalCall(async () => (await this.handle()).signal(confirmOrderSignal, confirmation), this.notFound);
  }

  progress(): Promise<OrderProgress> {
    return temporalCall(async () => (await this.handle()).query(orderProgressQuery), this.notFound);
  }
}

export class OrderWorkflows {
  constructor(private readonly gateway: ClientSource) {}

  /**
   * Numbers that reached an order after its workflow closed: a short workflow
   * of their own (`order/<id>/late`) records each as RETURNED with the reason
   * and hands it back to the carrier. Signal-with-start: repeats join it.
   */
  async deliverLate(orderId: string, providerId: string, delivery: DeliveryInput): Promise<void> {
    await temporalCall(async () =>
      (await this.gateway.client()).workflow.signalWithStart(providerOrderWorkflow, {
        taskQueue: this.gateway.taskQueue,
        workflowId: lateDeliveryWorkflowId(orderId),
        args: [{ orderId, providerId, direction: 'LATE' }],
        signal: deliverySignal,
        signalArgs: [delivery],
      }),
    );
  }
}
