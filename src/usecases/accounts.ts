// Accounts, for operators: create, list, show, deactivate. A deactivated
// account's keys no longer act for it (403 naming it), nothing more can be
// allocated to it (the transition's active check), and after
// ACCOUNT_RELEASE_GRACE its account-deactivation workflow releases every
// number it still holds (releaseAccountNumbers, below).
import type { Db } from '../db/client';
import { accountSid } from '../domain/twilio';
import {
  deactivateAccount as deactivateRow,
  findAccount,
  insertAccount,
  listAccounts as listRows,
  markNumbersReleased,
  pendingDeactivations,
  type AccountRow,
} from '../db/accounts';
import { heldAddresses } from '../db/numbers';
import { clearSettings } from '../db/number-settings';
import { BadRequest, Conflict, NotFound } from '../domain/errors';
import { afterOf, page } from '../domain/paging';
import type { TemporalGateway } from '../temporal/gateway';
import type { AccountRelease } from '../../workflows/shared';

/** the reason a deactivated account's number is released, in its history row's cause */
export const ACCOUNT_DEACTIVATED = 'account deactivated';

const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

export interface AccountView {
  id: string;
  /** its account SID on the Twilio-compatible face (AC…) */
  twilioSid: string;
  name: string;
  active: boolean;
  createdAt: string;
  deactivatedAt: string | null;
  /** when its numbers are (or were) released */
  releaseAfter: string | null;
  releasedAt: string | null;
  /** numbers it holds now */
  numbers: number;
  /** keys acting for it, not revoked */
  keys: number;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
export const accountView = (a: AccountRow): AccountView => ({
  id: a.id,
  twilioSid: accountSid(a.id),
  name: a.name,
  active: a.active,
  createdAt: a.createdAt.toISOString(),
  deactivatedAt: iso(a.deactivatedAt),
  releaseAfter: iso(a.releaseAfter),
  releasedAt: iso(a.releasedAt),
  numbers: a.numbers,
  keys: a.keys,
});

/** Creates an account; Conflict when the id is taken. */
export async function createAccount(db: Db, input: { id: string; name: string }): Promise<AccountView> {
  if (!ACCOUNT_ID.test(input.id)) throw BadRequest.field('id', 'must be 1-64 letters, digits, or _ . : - (starting with a letter or digit)');
  if (!(await insertAccount(db, input))) throw new Conflict(`id: account ${input.id} exists already`);
  return showAccount(db, input.id);
}

export async function showAccount(db: Db, id: string): Promise<AccountView> {
  const row = await findAccount(db, id);
  if (!row) throw new NotFound(`id: no account ${id}`);
  return accountView(row);
}

export async function listAccounts(
  db: Db,
  q: { pageSize: number; pageToken?: string; active?: boolean },
): Promise<{ accounts: AccountView[]; nextPageToken: string | null }> {
  const rows = await listRows(db, { after: afterOf('accounts', q.pageToken), limit: q.pageSize + 1, active: q.active });
  const { items, nextPageToken } = page('accounts', rows, q.pageSize, (a) => a.id);
  return { accounts: items.map(accountView), nextPageToken };
}

export interface DeactivationDeps {
  db: Db;
  temporal: TemporalGateway;
  /** ACCOUNT_RELEASE_GRACE */
  graceMs: number;
}

/**
 * Deactivates the account (a repeat answers the same) and starts — or finds —
 * its deactivation workflow, whose durable timer releases its numbers at
 * releaseAfter. The row is written first: with Temporal away the answer is a
 * 503 and a retry starts the workflow (the row is not written twice).
 */
export async function deactivateAccount(deps: DeactivationDeps, id: string): Promise<AccountView> {
  const row = await deactivateRow(deps.db, id, deps.graceMs);
  if (!row) throw new NotFound(`id: no account ${id}`);
  if (!row.releasedAt) await deps.temporal.accounts.deactivated(id, row.releaseAfter!.getTime());
  return accountView(row);
}

/**
 * Starts (or finds) the deactivation workflow of every deactivated account
 * whose numbers are not released yet: a deactivation whose answer was a 503
 * (Temporal away after the row was written) and never retried still gets its
 * timer. Each worker runs it at start; idempotent (the workflow id).
 */
export async function resumeDeactivations(deps: { db: Db; temporal: TemporalGateway }): Promise<number> {
  const pending = await pendingDeactivations(deps.db);
  for (const a of pending) await deps.temporal.accounts.deactivated(a.id, a.releaseAfter.getTime());
  return pending.length;
}

/** States a deactivated account's number is released from (the `release` update takes these). */
const RELEASABLE = ['ALLOCATED', 'RESERVED'];
/** States in which the account still holds a number that will come back to it (a retest, a port-in being tested): released when it does. */
const COMING_BACK = ['TESTING', 'PORTING_IN'];

/**
 * The deactivation workflow's activity: releases every number the account
 * holds through its workflow's `release` update, with the reason `account
 * deactivated` (one update id per account and number, so a retried activity
 * repeats nothing). Fails — and is retried — while a number is in the middle
 * of a retest. Safe to run again: nothing held, nothing done.
 */
export async function releaseAccountNumbers(deps: { db: Db; temporal: TemporalGateway }, accountId: string): Promise<AccountRelease> {
  const released: string[] = [];
  for (const address of await heldAddresses(deps.db, accountId, RELEASABLE)) {
    try {
      await deps.temporal
        .endpoint(address)
        .release({ accountId, actor: 'operator', reason: ACCOUNT_DEACTIVATED }, `account-deactivated:${accountId}:${address}:release`);
      released.push(address);
    } catch (err) {
      // moved on since it was read (released, ported out): nothing of the account's left to release there
      if (!(err instanceof Conflict) && !(err instanceof NotFound)) throw err;
    }
    await clearSettings(deps.db, address);
  }
  const left = await heldAddresses(deps.db, accountId, [...RELEASABLE, ...COMING_BACK]);
  if (left.length) throw new Error(`account ${accountId} still holds ${left.length} numbers (${left.slice(0, 5).join(', ')}): released when they come back`);
  await markNumbersReleased(deps.db, accountId);
  return { accountId, released };
}
