// Who calls, and what a caller may touch. Platform keys act for their own
// accounts only: another account's business does not exist for them (404,
// never 403, so nothing is learnt of it). The call router's feeds (inbound
// traffic, routing lookups) are not a tenant's: they take a router key of
// their own (or an operator's), never a platform key.
import { Forbidden, NotFound } from './errors';

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
  /** those of accountIds that are deactivated: the key no longer acts for them (absent: none) */
  inactiveAccountIds?: string[];
}

/**
 * Throws NotFound unless the caller acts for this account, and Forbidden
 * (naming it: the account is the caller's own) when that account is deactivated.
 */
export function ownAccount(who: Caller, accountId: string): void {
  if (!who.accountIds.includes(accountId)) throw new NotFound(`accountId: no account ${accountId} for this key`);
  if (who.inactiveAccountIds?.includes(accountId)) throw new Forbidden(`accountId: account ${accountId} is deactivated`);
}

/** How a caller is named in an endpoint's history. */
export const actorOf = (who: Caller): string => `key:${who.name}`;

// ------------------------------------------------------------ history

/** who acts for the service itself, not for anyone: named in every view */
const SERVICE_ACTORS = new Set(['workflow', 'reconciler', 'monitor', 'operator']);

/** An endpoint history row as far as who may read it is concerned. */
export interface HeldRow {
  /** the account holding the endpoint after this transition (null: none) */
  accountId: string | null;
  actor: string;
}

/**
 * The part of an endpoint's history (oldest first) a platform key may read:
 * its own holding periods — every transition that left the endpoint held by
 * one of its accounts, and the one that ended each such holding (its
 * release, the end of its reservation). Nothing from before, between or
 * after, so no earlier or later holder's account, key or doings. In what is
 * left, an actor is named only when it is the caller's own key, one of its
 * accounts or the service itself; any other is `redacted`.
 */
export function holdingHistory<R extends HeldRow>(rows: readonly R[], who: Caller): R[] {
  const mine = (accountId: string | null) => accountId !== null && who.accountIds.includes(accountId);
  const own = actorOf(who);
  const named = (actor: string) =>
    SERVICE_ACTORS.has(actor) || actor === own || actor.startsWith(`${own} (`) || who.accountIds.some((a) => actor === `account:${a}`);
  const kept: R[] = [];
  rows.forEach((row, i) => {
    if (mine(row.accountId) || (i > 0 && mine(rows[i - 1]!.accountId))) kept.push(named(row.actor) ? row : { ...row, actor: 'redacted' });
  });
  return kept;
}

// ------------------------------------------------------------ refusals

/** The one answer to a request for a number the account does not hold and cannot have: nothing of its state or holder. */
export const notAvailable = (address: string): string => `address: ${address} is not available`;

/** a workflow's reason about a field of the request itself (`until: a reservation lasts at most 60 minutes`) */
const REQUEST_FIELD = /^(accountId|applicationUri|until|minutes|reason): /;

/**
 * A refusal as the requesting account may read it. The workflow's reason is
 * kept when it is about the request (a field of it) or about the account's
 * own holding (`endpoint is RESERVED, not AVAILABLE` for its own reservation,
 * `endpoint is already allocated to this account`); anything else — a number
 * another account holds, reserves or has just released (AGING), one on its
 * way through quarantine — is the one neutral answer, so a refusal never
 * tells one account of another's holding. (Operators read the workflow's own
 * reason in its history in Temporal Web.)
 */
export function refusalFor(address: string, reason: string, ownHolding: boolean): string {
  if (REQUEST_FIELD.test(reason)) return reason;
  if (ownHolding && !/another account/.test(reason)) return reason;
  return notAvailable(address);
}
