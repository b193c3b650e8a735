// Who calls, and what a caller may touch. Platform keys act for their own
// accounts only: another account's business does not exist for them (404,
// never 403, so nothing is learnt of it). The call router's feeds (inbound
// traffic, routing lookups) are not a tenant's: they take a router key of
// their own (or an operator's), never a platform key.
import { NotFound } from './errors';

/** platform: a tenant's accounts · operator: the service's staff · carrier: one provider's deliveries · router: the call router */
export type Scope = 'PLATFORM' | 'OPERATOR' | 'CARRIER' | 'ROUTER';

export interface Caller {
  keyId: string;
  name: string;
  scope: Scope;
  accountIds: string[];
  providerId: string | null;
  /** requests per minute; null = RATE_LIMIT_PER_MINUTE */
  rateLimit: number | null;
}

/** Throws NotFound unless the caller acts for this account. */
export function ownAccount(who: Caller, accountId: string): void {
  if (!who.accountIds.includes(accountId)) throw new NotFound(`accountId: no account ${accountId} for this key`);
}

/** How a caller is named in an endpoint's history. */
export const actorOf = (who: Caller): string => `key:${who.name}`;
