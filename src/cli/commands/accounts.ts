// `ops accounts create|list|show|deactivate` and `ops keys create|list|revoke`:
// the operator API's accounts and keys, through the same use cases.
import { CliContext, EXIT, problem, usageError } from '../context';
import { DomainError } from '../../domain/errors';
import { iso, json, table } from '../format';
import { createAccount, deactivateAccount, listAccounts, showAccount, type AccountView } from '../../usecases/accounts';
import { issueKey, listApiKeys, revokeApiKey, type KeyView } from '../../usecases/keys';
import type { Scope } from '../../domain/access';

/** the use cases' refusals as exit codes: bad input or an id naming nothing 2, a conflict (exists already) 1 */
async function exitCodes(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DomainError && (err.kind === 'invalid' || err.kind === 'not_found')) throw usageError(err.message);
    if (err instanceof DomainError && err.kind === 'conflict') throw problem(err.message);
    throw err;
  }
}

const accountLines = (a: AccountView) =>
  [
    `account ${a.id} (${a.name})`,
    `  twilio sid: ${a.twilioSid}`,
    `  active: ${a.active ? 'yes' : 'no'}`,
    `  created: ${iso(Date.parse(a.createdAt))}`,
    ...(a.deactivatedAt ? [`  deactivated: ${iso(Date.parse(a.deactivatedAt))}`] : []),
    ...(a.releaseAfter
      ? [a.releasedAt ? `  numbers released: ${iso(Date.parse(a.releasedAt))}` : `  numbers released after: ${iso(Date.parse(a.releaseAfter))}`]
      : []),
    `  numbers held: ${a.numbers}`,
    `  keys: ${a.keys}`,
  ].join('\n');

export async function accountsCreateCommand(ctx: CliContext, id: string, opts: { name?: string; json?: boolean }): Promise<number> {
  return exitCodes(async () => {
    const a = await createAccount(await ctx.db(), { id, name: opts.name ?? id });
    ctx.out(opts.json ? json(a) : accountLines(a));
    return EXIT.OK;
  });
}

export async function accountsListCommand(ctx: CliContext, opts: { inactive?: boolean; active?: boolean; limit: number; json?: boolean }): Promise<number> {
  return exitCodes(async () => {
    const db = await ctx.db();
    const active = opts.inactive ? false : opts.active ? true : undefined;
    const accounts: AccountView[] = [];
    let pageToken: string | undefined;
    do {
      const page = await listAccounts(db, { pageSize: Math.min(200, opts.limit - accounts.length), pageToken, active });
      accounts.push(...page.accounts);
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken && accounts.length < opts.limit);
    if (opts.json) ctx.out(json(accounts));
    else
      ctx.out(
        table(
          ['id', 'name', 'active', 'numbers', 'keys', 'deactivated', 'release after'],
          accounts.map((a) => [
            a.id,
            a.name,
            a.active ? 'yes' : 'no',
            a.numbers,
            a.keys,
            a.deactivatedAt ?? '',
            a.releasedAt ? 'released' : (a.releaseAfter ?? ''),
          ]),
        ),
      );
    return EXIT.OK;
  });
}

export async function accountsShowCommand(ctx: CliContext, id: string, opts: { json?: boolean }): Promise<number> {
  return exitCodes(async () => {
    const a = await showAccount(await ctx.db(), id);
    ctx.out(opts.json ? json(a) : accountLines(a));
    return EXIT.OK;
  });
}

export async function accountsDeactivateCommand(ctx: CliContext, id: string, opts: { json?: boolean }): Promise<number> {
  return exitCodes(async () => {
    const a = await deactivateAccount({ db: await ctx.db(), temporal: await ctx.gateway(), graceMs: ctx.config().ACCOUNT_RELEASE_GRACE }, id);
    ctx.out(opts.json ? json(a) : accountLines(a));
    return EXIT.OK;
  });
}

const keyRow = (k: KeyView) => [
  k.id,
  k.prefix,
  k.name,
  k.scope,
  k.accountIds.join(',') || k.providerId || '',
  k.lastUsedAt ?? 'never',
  k.revokedAt ? 'revoked' : '',
];
const KEY_HEADER = ['id', 'prefix', 'name', 'scope', 'for', 'last used', 'revoked'];

export async function keysCreateCommand(
  ctx: CliContext,
  opts: { scope: string; name: string; accounts?: string; provider?: string; rateLimit?: number; json?: boolean },
): Promise<number> {
  return exitCodes(async () => {
    const scope = opts.scope.toUpperCase() as Scope;
    const made = await issueKey(await ctx.db(), {
      name: opts.name,
      scope,
      accountIds: opts.accounts
        ?.split(',')
        .map((a) => a.trim())
        .filter(Boolean),
      providerId: opts.provider,
      rateLimit: opts.rateLimit,
    });
    if (opts.json) ctx.out(json(made));
    else {
      ctx.out(made.key);
      ctx.err(`key ${made.id} (${made.scope}${made.accountIds.length ? ` for ${made.accountIds.join(', ')}` : ''}): the key above is shown once`);
    }
    return EXIT.OK;
  });
}

export async function keysListCommand(
  ctx: CliContext,
  opts: { account?: string; scope?: string; revoked?: boolean; limit: number; json?: boolean },
): Promise<number> {
  return exitCodes(async () => {
    const keys = await listApiKeys(await ctx.db(), {
      accountId: opts.account,
      scope: opts.scope?.toUpperCase() as Scope | undefined,
      revoked: opts.revoked,
      limit: opts.limit,
    });
    ctx.out(opts.json ? json(keys) : table(KEY_HEADER, keys.map(keyRow)));
    return EXIT.OK;
  });
}

export async function keysRevokeCommand(ctx: CliContext, id: string, opts: { json?: boolean }): Promise<number> {
  return exitCodes(async () => {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw usageError(`id: ${id} is not a key id (a UUID, from \`ops keys list\`)`);
    const k = await revokeApiKey(await ctx.db(), id);
    ctx.out(opts.json ? json(k) : `key ${k.id} (${k.name}) revoked at ${k.revokedAt ?? ''}`);
    return EXIT.OK;
  });
}
