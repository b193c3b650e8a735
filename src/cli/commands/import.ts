// `ops import <file.csv>`: numbers from a carrier's or customer's list into
// the repository. Every row is checked on its own; the good ones are ingested
// (rows and lifecycle workflows, in batches, with progress) and each bad one
// is named by its line and the reason. Numbers already managed here are
// duplicates, not errors, so the same file can be imported again — and a run
// that was killed between inserting a batch and starting its workflows is
// finished by importing the file again: rows an import brought in that are
// still at their entry without a workflow get it (reported as resumed).
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { CliContext, EXIT, usageError } from '../context';
import { CsvHeaderError, readEndpointCsv, type GoodRow, type RowProblem } from '../endpoint-csv';
import { progress } from '../progress';
import { json } from '../format';
import { lifecyclePolicy } from '../../config';
import { accountExists } from '../../db/accounts';
import { knownEndpoints } from '../../db/endpoint-reads';
import { findProvider } from '../../db/providers';
import { createPorts } from '../../db/ports';
import { ingest } from '../../usecases/ingest';

export interface ImportOptions {
  entry: 'quarantine' | 'port-in';
  account?: string;
  provider?: string;
  country?: string;
  dryRun?: boolean;
  json?: boolean;
  batch: number;
}

/** duplicates listed one by one in the text report, before "… and N more" */
const LISTED_DUPLICATES = 20;

export async function importCommand(ctx: CliContext, file: string, opts: ImportOptions): Promise<number> {
  if (opts.entry === 'port-in' && !opts.account) throw usageError('--entry port-in needs --account <id>: the account the numbers are ported in for');
  if (opts.entry !== 'port-in' && opts.account)
    throw usageError('--account goes with --entry port-in (numbers that enter quarantine belong to no account yet)');
  if (opts.country !== undefined && !isSupportedCountry(opts.country.toUpperCase()))
    throw usageError(`--country: unknown country "${opts.country}" (ISO 3166-1 alpha-2, e.g. US)`);

  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw usageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let parsed;
  try {
    parsed = readEndpointCsv(text, { defaultCountry: opts.country?.toUpperCase() });
  } catch (err) {
    if (err instanceof CsvHeaderError) throw usageError(`${file}: ${err.message}`);
    throw err;
  }
  const { rows, problems, total } = parsed;

  const db = await ctx.db();
  if (opts.provider && !(await findProvider(db, opts.provider))) {
    throw usageError(`--provider: no provider "${opts.provider}" (see GET /v1/providers)`);
  }
  if (opts.account && !(await accountExists(db, opts.account))) {
    throw usageError(`--account: no account "${opts.account}"`);
  }

  const imported: GoodRow[] = [];
  const duplicates: GoodRow[] = [];
  /** duplicates an earlier, interrupted import left without their workflow: started now */
  const resumed: GoodRow[] = [];
  let interrupted = false;
  const targetState = opts.entry === 'port-in' ? 'PORTING_IN' : 'QUARANTINE';

  if (opts.dryRun) {
    for (let i = 0; i < rows.length; i += 5000) {
      const chunk = rows.slice(i, i + 5000);
      const known = await knownEndpoints(
        db,
        chunk.map((r) => r.address),
      );
      for (const r of chunk) (known.has(r.address) ? duplicates : imported).push(r);
    }
  } else if (rows.length > 0) {
    const config = ctx.config();
    const temporal = await ctx.gateway();
    const deps = { db, temporal, policy: lifecyclePolicy(config) };
    const bar = progress({ write: (t) => ctx.io.stderr(t), tty: ctx.io.stderrIsTTY ?? false, label: 'import', total: rows.length });
    const actor = `cli:${safeUser()}`;
    // one operation for the whole run, recorded with each number's first history row
    const operation = `import:${randomUUID()}`;
    for (let i = 0; i < rows.length; i += opts.batch) {
      // Ctrl-C: stop between batches, so every row written has its workflow
      if (ctx.aborted) {
        interrupted = true;
        break;
      }
      bar.update(i);
      const batch = rows.slice(i, i + opts.batch);
      const byAddress = new Map(batch.map((r) => [r.address, r]));
      let result;
      try {
        result = await ingest(
          deps,
          batch.map((r) => r.item),
          {
            entry: opts.entry,
            accountId: opts.account,
            providerId: opts.provider,
            actor,
            operation,
            // an earlier import of these rows (any run) that stopped before starting their workflows
            resume: (entry) => entry.startsWith('import:'),
            onProgress: (done) => bar.update(i + done),
          },
        );
      } catch (err) {
        bar.finish('stopped');
        ctx.err(
          `import stopped after ${imported.length} imported: rows of the batch from line ${batch[0]!.line} may be in the database without their workflow; import the file again to start them`,
        );
        throw err;
      }
      for (const a of result.accepted) imported.push(byAddress.get(a.address)!);
      for (const d of result.duplicates) duplicates.push(byAddress.get(d)!);
      for (const r of result.resumed ?? []) if (r.started) resumed.push(byAddress.get(r.address)!);
      // ingest checks addresses the same way; anything it refuses still gets its line
      for (const r of result.rejected) {
        const row = byAddress.get(r.input);
        problems.push({ line: row?.line ?? 0, input: r.input, reason: `address: ${r.reason}` });
      }
      if (opts.entry === 'port-in') {
        // one request per number that joined (operation id: its endpoint), so a resumed row gets the one its first run did not write
        const joined = [...result.accepted, ...(result.resumed ?? [])];
        await createPorts(
          db,
          joined.map((a) => ({
            direction: 'IN' as const,
            address: a.address,
            accountId: opts.account!,
            endpointId: a.endpointId,
            operationId: `import:${a.endpointId}`,
          })),
        );
      }
      bar.update(Math.min(i + batch.length, rows.length));
    }
    bar.finish(interrupted ? 'interrupted' : undefined);
    // what is on its way changed: the monitor re-evaluates now rather than at its next tick (none running: nothing to tell)
    if (imported.length || resumed.length)
      await temporal.monitor.inventoryChangedIfRunning(`cli import of ${imported.length + resumed.length}`).catch(() => undefined);
  }

  imported.sort((a, b) => a.line - b.line);
  duplicates.sort((a, b) => a.line - b.line);
  resumed.sort((a, b) => a.line - b.line);
  problems.sort((a, b) => a.line - b.line);
  const notReached = rows.length - imported.length - duplicates.length;

  if (opts.json) {
    ctx.out(
      json({
        file,
        dryRun: !!opts.dryRun,
        entry: opts.entry,
        state: targetState,
        rows: total,
        imported: imported.map(({ line, address }) => ({ line, address })),
        duplicates: duplicates.map(({ line, address }) => ({ line, address })),
        ...(resumed.length ? { resumed: resumed.map(({ line, address }) => ({ line, address })) } : {}),
        problems,
        ...(interrupted ? { interrupted: true, notProcessed: notReached } : {}),
      }),
    );
  } else {
    for (const p of problems) ctx.out(problemLine(p));
    for (const d of duplicates.slice(0, LISTED_DUPLICATES)) ctx.out(`line ${d.line}: ${d.address}: already managed here (duplicate, left as it is)`);
    if (duplicates.length > LISTED_DUPLICATES) ctx.out(`… and ${duplicates.length - LISTED_DUPLICATES} more already managed`);
    const verb = opts.dryRun ? 'would import' : 'imported';
    ctx.out(
      `${file}: ${total} row${total === 1 ? '' : 's'}: ${verb} ${imported.length} into ${targetState}` +
        `${opts.provider ? ` (provider ${opts.provider})` : ''}${opts.account ? ` for account ${opts.account}` : ''}, ` +
        `${duplicates.length} already managed, ${problems.length} bad row${problems.length === 1 ? '' : 's'}` +
        (resumed.length ? `; resumed ${resumed.length} an earlier import left without their workflow` : '') +
        (interrupted ? `; interrupted: ${notReached} not processed (import the file again to go on)` : ''),
    );
  }
  if (interrupted) return EXIT.INTERRUPTED;
  return problems.length ? EXIT.PROBLEM : EXIT.OK;
}

/** `line N: <input>: <reason>` */
export function problemLine(p: RowProblem): string {
  const input = p.input.length > 80 ? `${p.input.slice(0, 79)}…` : p.input;
  return `line ${p.line}: ${input}: ${p.reason}`;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'operator';
  }
}
