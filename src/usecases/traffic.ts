// The call router's feed of inbound calls and messages to unallocated
// numbers: passed to the endpoint's workflow, which judges them in quarantine.
// It names no account and lengthens quarantines, so only the call router
// (router keys) and operators feed it; a tenant's platform key never does.
import { addressField } from '../domain/address';
import type { Medium } from '../domain/endpoint';
import type { TemporalGateway } from '../temporal/gateway';

export interface TrafficDeps {
  temporal: TemporalGateway;
}

export interface TrafficInput {
  address: string;
  medium: Medium;
  count: number;
  from?: string;
}

/** NotFound (`address: no managed endpoint <a>`) when no workflow manages it. */
export async function traffic(deps: TrafficDeps, input: TrafficInput): Promise<void> {
  const address = addressField(input.address);
  await deps.temporal.endpoint(address).inboundTraffic({ medium: input.medium, count: input.count, from: input.from });
}
