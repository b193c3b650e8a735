// Quality feedback on an account's endpoint (0 useless .. 1 perfect): passed
// to its workflow, which moves the quality score (and sends the number back to
// testing below QUALITY_RETEST_BELOW). Only for an endpoint the account holds.
import type { Db } from '../db/client';
import { heldBy } from '../db/endpoint-reads';
import { ownAccount, type Caller } from '../domain/access';
import { addressField } from '../domain/address';
import { NotFound } from '../domain/errors';
import type { Capability } from '../domain/endpoint';
import type { TemporalGateway } from '../temporal/gateway';

export interface FeedbackDeps {
  db: Db;
  temporal: TemporalGateway;
}

export interface FeedbackInput {
  accountId: string;
  address: string;
  score: number;
  /** what measured it, within the account (`account:<id>/<source>`) */
  source?: string;
  comment?: string;
  /** what the report is about: a re-test tests their media only */
  capabilities?: Capability[];
}

export async function feedback(deps: FeedbackDeps, who: Caller, input: FeedbackInput): Promise<void> {
  ownAccount(who, input.accountId);
  const address = addressField(input.address);
  if (!(await heldBy(deps.db, input.accountId, address))) throw new NotFound(`address: no endpoint ${address} held by account ${input.accountId}`);
  await deps.temporal.endpoint(address).qualityReport({
    score: input.score,
    source: `account:${input.accountId}${input.source ? `/${input.source}` : ''}`,
    ...(input.capabilities ? { capabilities: input.capabilities } : {}),
  });
}
