// Endpoint repository writes made on behalf of endpoint workflows. Every write
// is a compare-and-set on (state, version), so a retried activity never
// applies or records a transition twice.
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../src/db/client';
import type { EndpointStateName } from '../workflows/shared';

export interface TransitionInput {
  endpointId: string;
  from: EndpointStateName;
  /** the version the workflow last saw; the row must still have it */
  fromVersion: number;
  to: EndpointStateName;
  cause: string;
  actor: string;
  details?: Record<string, unknown>;
}

export interface TransitionResult {
  version: number;
}

export function endpointActivities(db: Db) {
  return {
    async recordTransition(input: TransitionInput): Promise<TransitionResult> {
      const next = input.fromVersion + 1;
      return db.$transaction(async (tx) => {
        const { count } = await tx.endpoint.updateMany({
          where: { id: input.endpointId, state: input.from, version: input.fromVersion },
          data: { state: input.to, version: next, stateChangedAt: new Date() },
        });
        if (count === 0) {
          const row = await tx.endpoint.findUnique({
            where: { id: input.endpointId },
            select: { state: true, version: true },
          });
          // an earlier attempt of this very activity committed: same answer again
          if (row && row.version === next && row.state === input.to) return { version: next };
          throw ApplicationFailure.create({
            type: 'StaleTransition',
            nonRetryable: true,
            message: row
              ? `endpoint ${input.endpointId} is ${row.state} v${row.version}, expected ${input.from} v${input.fromVersion}`
              : `endpoint ${input.endpointId} does not exist`,
          });
        }
        await tx.endpointHistory.create({
          data: {
            endpointId: input.endpointId,
            version: next,
            fromState: input.from,
            toState: input.to,
            cause: input.cause,
            actor: input.actor,
            details: (input.details ?? {}) as object,
          },
        });
        return { version: next };
      });
    },
  };
}
