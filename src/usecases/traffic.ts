// The call router's feed of inbound calls and messages to unallocated
// numbers: passed to the endpoint's workflow, which judges them in quarantine.
// It names no account and lengthens quarantines, so only the call router
// (router keys) and operators feed it; a tenant's platform key never does.
import { addressField } from '../domain/address';
import type { Capability, Medium } from '../domain/endpoint';
import type { TemporalGateway } from '../temporal/gateway';
import type { Db } from '../db/client';
import { routeOf } from '../db/endpoint-reads';
import type { UsageRecorder } from './usage';

export interface TrafficDeps {
  temporal: TemporalGateway;
  /** with usage: reports about allocated numbers are counted as their usage */
  db?: Db;
  usage?: UsageRecorder;
}

export interface TrafficInput {
  address: string;
  medium: Medium;
  count: number;
  from?: string;
  /** in (default): to the number; out: from it (usage of an allocated number only) */
  direction?: 'in' | 'out';
}

/** NotFound (`address: no managed endpoint <a>`) when no workflow manages it. */
export async function traffic(deps: TrafficDeps, input: TrafficInput): Promise<void> {
  const address = addressField(input.address);
  const out = input.direction === 'out';
  // an allocated number's traffic is its holder's usage (counted in memory; one read, no write)
  const { usage, db } = deps;
  const route = usage && db ? await routeOf(db, address) : null;
  if (usage && route) {
    const kind = input.medium === 'voice' ? (out ? 'callOut' : 'callIn') : out ? 'messageOut' : 'messageIn';
    usage.note(route.endpointId, route.accountId, kind, input.count);
    if (out) return;
  }
  // unwanted inbound traffic: judged by the workflow while the number is in quarantine or aging (ignored otherwise)
  if (!out) await deps.temporal.endpoint(address).inboundTraffic({ medium: input.medium, count: input.count, from: input.from });
}

export interface FailedCallInput {
  address: string;
  /** what failed: a call (voice), an SMS, an MMS or a fax */
  capability: Capability;
  /** what the router saw (a SIP status, "no answer", "delivery failed") */
  reason?: string;
}

/**
 * A call or message to a number in service that the call router saw fail:
 * the number re-tests that medium for real (its workflow ignores it unless
 * AVAILABLE or ALLOCATED). NotFound when no workflow manages the address.
 */
export async function failedCall(deps: TrafficDeps, input: FailedCallInput): Promise<void> {
  const address = addressField(input.address);
  await deps.temporal.endpoint(address).retest({
    reason: `the call router reports a failed ${input.capability === 'voice' ? 'call' : input.capability}${input.reason ? ` (${input.reason.slice(0, 100)})` : ''}`,
    capabilities: [input.capability],
  });
}
