// The operators' command line (`npm run ops -- <command>`): commander parses,
// each command calls the use cases directly with the same settings as the
// worker and the API, and every outcome is an exit code a script can trust.
// Nothing here calls process.exit or touches process.stdout: runCli takes its
// writers and returns the code, so tests run it in-process.
import ms from 'ms';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CliContext, CliError, EXIT, isUnreachable, messageOf, type CliIo } from './context';
import { importCommand } from './commands/import';
import { exportCommand } from './commands/export';
import { REPORT_WINDOWS, reportCommand } from './commands/report';
import { checkNowCommand } from './commands/check-now';
import { deliverCommand, orderCommand, ordersCommand } from './commands/orders';
import { reconcileCommand } from './commands/reconcile';
import { geoBackfillCommand } from './commands/geo';
import { rulesDeleteCommand, rulesHistoryCommand, rulesListCommand, rulesSetCommand, type SetOptions } from './commands/rules';
import {
  accountsCreateCommand,
  accountsDeactivateCommand,
  accountsListCommand,
  accountsShowCommand,
  keysCreateCommand,
  keysListCommand,
  keysRevokeCommand,
} from './commands/accounts';
import { EndpointState, OrderStatus } from '../db/generated/enums';
import { DomainError } from '../domain/errors';
import { version } from '../../package.json';

export const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    the command ran and found a problem: bad rows in an import, drift left
       after reconcile, an order closed to deliveries, a delivered number not
       accepted (deliver --wait), a grouping below minimum (report --fail-below-min),
       an account that exists already (accounts create)
  2    usage: unknown command or option, bad or missing argument (an id that
       names nothing too), unreadable input file, invalid setting; nothing was done
  3    a dependency could not be reached: PostgreSQL, Temporal, or for
       check-now the inventory monitor (no worker runs it)
  4    an unexpected failure; the message says what (--verbose adds the stack)
  130  interrupted (Ctrl-C); import stops after the batch under way

Settings come from the environment, as for the worker and the API:
DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, the
QUARANTINE_* durations, … (docs/operations.md, "Settings"). Results go to stdout; progress
and errors to stderr.`;

/** "30s", "2 minutes"; a bare number is refused (seconds or milliseconds?) */
function durationArg(text: string): number {
  const value = /^\d+(\.\d+)?$/.test(text.trim()) ? undefined : ms(text as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new InvalidArgumentError('a duration with its unit, e.g. "30s" or "2 minutes"');
  return value;
}

function countArg(max: number) {
  return (text: string): number => {
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) throw new InvalidArgumentError(`a whole number from 1 to ${max}`);
    return Number(text);
  };
}

function statesArg(text: string): EndpointState[] {
  const states = text
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  const bad = states.filter((s) => !(s in EndpointState));
  if (bad.length || states.length === 0) throw new InvalidArgumentError(`states are ${Object.keys(EndpointState).join(', ')} (comma-separated)`);
  return states as EndpointState[];
}

function npaArg(text: string): string {
  if (!/^\d{1,6}$/.test(text)) throw new InvalidArgumentError('an area code: digits, e.g. 415');
  return text;
}

/** Builds the program; `setCode` receives each command's exit code. */
export function buildProgram(ctx: CliContext, setCode: (code: number) => void): Command {
  const program = new Command('ops');
  program
    .description(
      'Operator commands for the endpoint inventory: import and export endpoints, the inventory report, check-now, provider orders and deliveries, reconciliation.\nRun as `npm run --silent ops -- <command> [options]`.',
    )
    .version(version, '-V, --version', 'print the version')
    .option('--verbose', 'show stack traces with errors')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout(s),
      writeErr: (s) => ctx.io.stderr(s),
      outputError: (s, write) => write(`ops: ${s.replace(/^error: /, '')}`),
    })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP);

  const run =
    (fn: (...args: never[]) => Promise<number>) =>
    async (...args: unknown[]): Promise<void> => {
      setCode(await (fn as (...a: unknown[]) => Promise<number>)(...args));
    };

  program
    .command('import')
    .summary('import endpoints from CSV (bad rows named by line, good rows kept)')
    .description(
      'Import endpoints from a CSV file: good rows are ingested (row + lifecycle workflow each), each bad row is reported by line with its reason, numbers already managed are counted as duplicates',
    )
    .argument(
      '<file>',
      'CSV with a header; columns: address (required), voice, sms, mms, fax (true/false, yes/no, 1/0), monthly_cost_cents; the columns `ops export` adds are ignored',
    )
    .addOption(
      new Option('--entry <entry>', "how the numbers join: quarantine (delivered by a carrier) or port-in (a customer's numbers, for --account)")
        .choices(['quarantine', 'port-in'])
        .default('quarantine'),
    )
    .option('--account <id>', 'the account numbers are ported in for (with --entry port-in)')
    .option('--provider <id>', 'the carrier the numbers come from')
    .option('--country <cc>', 'country of numbers written in national format (e.g. US); default: every number starts with +')
    .option('--dry-run', 'check the file and tell what would be imported; change nothing')
    .option('--json', 'print the result as JSON')
    .addOption(new Option('--batch <n>', 'rows per batch (each batch: one insert, then its workflows)').argParser(countArg(10_000)).default(1000).hideHelp())
    .addHelpText(
      'after',
      `
A row that names capabilities gets exactly those (empty cells are false); a row
with none gets voice and SMS. Bad rows are reported as
  line N: <input>: <reason>
and the good rows are imported all the same (exit 1 when there was a bad row).

Examples:
  npm run --silent ops -- import numbers.csv --provider sim-west
  npm run --silent ops -- import ported.csv --entry port-in --account acme --dry-run`,
    )
    .action(run((file: string, opts: Parameters<typeof importCommand>[2]) => importCommand(ctx, file, opts)));

  program
    .command('export')
    .summary('export endpoints as CSV that import takes back')
    .description('Export endpoints as CSV, in the format `import` reads (a round trip)')
    .addOption(new Option('--state <states>', 'only these states, comma-separated (e.g. AVAILABLE,QUARANTINE)').argParser(statesArg))
    .addOption(new Option('--npa <npa>', 'only this area code').argParser(npaArg))
    .option('--provider <id>', 'only numbers from this carrier')
    .option('--account <id>', 'only numbers held by this account')
    .option('--out <file>', 'write to this file, replacing it whole at the end (default: stdout)')
    .addHelpText(
      'after',
      `
Columns: address, voice, sms, mms, fax, monthly_cost_cents (what import reads),
then state, kind, country, npa, provider, account (import ignores them).

Example:
  npm run --silent ops -- export --state AVAILABLE --npa 415 --out available-415.csv`,
    )
    .action(run((opts: Parameters<typeof exportCommand>[1]) => exportCommand(ctx, opts)));

  program
    .command('report')
    .summary('inventory per grouping against its thresholds')
    .description(
      'Inventory per grouping: available against min/target/max, in quarantine, on order, allocation rate, time to depletion, and what the monitor would order or release',
    )
    .addOption(new Option('--window <window>', 'allocation rate and unmet searches over').choices(Object.keys(REPORT_WINDOWS)).default('24h'))
    .option('--fail-below-min', 'exit 1 when a grouping is below its minimum (for scripts and alerts)')
    .option('--json', 'print the report as JSON')
    .action(run((opts: Parameters<typeof reportCommand>[1]) => reportCommand(ctx, opts)));

  program
    .command('check-now')
    .summary('have the inventory monitor evaluate now')
    .description(
      'Ask the inventory monitor to evaluate now (its checkNow update, like POST /v1/inventory/check) and print its report; exit 3 when no monitor answers',
    )
    .addOption(new Option('--timeout <duration>', 'give up waiting for the monitor after').argParser(durationArg).default(30_000, '30s'))
    .option('--json', 'print the report as JSON')
    .action(run((opts: { json?: boolean; timeout: number }) => checkNowCommand(ctx, { json: opts.json, timeoutMs: opts.timeout })));

  program
    .command('orders')
    .summary('list provider orders')
    .description('Provider orders, newest first')
    .addOption(new Option('--status <status>', 'only orders in this status').choices(Object.keys(OrderStatus)))
    .option('--provider <id>', "only this carrier's orders")
    .addOption(new Option('--limit <n>', 'at most this many').argParser(countArg(10_000)).default(50))
    .option('--json', 'print the orders as JSON')
    .action(run((opts: Parameters<typeof ordersCommand>[1]) => ordersCommand(ctx, opts)));

  program
    .command('order')
    .summary('show one order with its delivered numbers')
    .description('One order: its lines, and every delivered number with its outcome and reason')
    .argument('<id>', 'the order id (from `ops orders`)')
    .option('--json', 'print the order as JSON')
    .action(run((id: string, opts: { json?: boolean }) => orderCommand(ctx, id, opts)));

  program
    .command('deliver')
    .summary('enter numbers a carrier delivered for an order')
    .description(
      "Enter the numbers a carrier delivered for an order (a carrier without an API): the order workflow's delivery signal, like POST /v1/orders/{id}/deliveries; the workflow verifies each number",
    )
    .argument('<orderId>', 'the order id')
    .argument('[numbers...]', 'delivered numbers (E.164, e.g. +14155550123)')
    .option('--file <file>', 'numbers from a file: one a line, or a CSV with an address column')
    .option('--final', 'the carrier delivers nothing more: the rest of the order is re-routed')
    .option('--wait', "wait for the workflow's outcome for each number and print it (exit 1 unless all are accepted)")
    .addOption(new Option('--timeout <duration>', 'with --wait, give up after').argParser(durationArg).default(60_000, '60s'))
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Example:
  npm run --silent ops -- deliver 0b6f…-…  +14155550100 +14155550101 --final --wait`,
    )
    .action(
      run((id: string, numbers: string[], opts: { file?: string; final?: boolean; wait?: boolean; timeout: number; json?: boolean }) =>
        deliverCommand(ctx, id, numbers, { ...opts, timeoutMs: opts.timeout }),
      ),
    );

  program
    .command('reconcile')
    .summary('compare endpoint workflows with their rows (and repair)')
    .description('Compare every running endpoint workflow with its PostgreSQL row and report the drift (exit 1 while drift is left)')
    .option('--repair', 'rewrite drifted rows from their workflow; start workflows for live rows without one')
    .option('--json', 'print the report as JSON')
    .action(run((opts: { repair?: boolean; json?: boolean }) => reconcileCommand(ctx, opts)));

  program
    .command('geo-backfill')
    .summary('fill the place (region, locality, time zone, coordinates) of endpoints that have none yet')
    .description(
      'Look every endpoint not yet placed up in the shipped place data (libphonenumber geocoding, GeoNames cities, US ZIP codes) and write its region, locality, time zone, coordinates, postal code and place tags; a number the data cannot place is marked unknown. Safe to interrupt and run again.',
    )
    .option('--all', 'look every endpoint up again (after the place data changed)')
    .addOption(new Option('--batch <n>', 'rows per statement').argParser(countArg(10_000)).default(1000))
    .option('--json', 'print the result as JSON')
    .action(run((opts: { all?: boolean; batch: number; json?: boolean }) => geoBackfillCommand(ctx, opts)));

  const accounts = program
    .command('accounts')
    .summary('create, list, show and deactivate accounts')
    .description('Accounts: the platform customers numbers are allocated to');
  accounts
    .command('create')
    .description('Create an account')
    .argument('<id>', 'the account id: 1-64 letters, digits, or _ . : -')
    .option('--name <name>', 'its name (default: the id)')
    .option('--json', 'print the account as JSON')
    .action(run((id: string, opts: { name?: string; json?: boolean }) => accountsCreateCommand(ctx, id, opts)));
  accounts
    .command('list')
    .description('List accounts by id')
    .option('--inactive', 'only deactivated accounts')
    .option('--active', 'only active accounts')
    .addOption(new Option('--limit <n>', 'at most this many').argParser(countArg(100_000)).default(1000))
    .option('--json', 'print the accounts as JSON')
    .action(run((opts: Parameters<typeof accountsListCommand>[1]) => accountsListCommand(ctx, opts)));
  accounts
    .command('show')
    .description('One account: active or deactivated, when its numbers are released, what it holds')
    .argument('<id>', 'the account id')
    .option('--json', 'print the account as JSON')
    .action(run((id: string, opts: { json?: boolean }) => accountsShowCommand(ctx, id, opts)));
  accounts
    .command('deactivate')
    .description(
      'Deactivate an account: its platform keys are refused for it, nothing more is allocated to it, and after ACCOUNT_RELEASE_GRACE (default 30 days) its numbers are released by its account-deactivation workflow',
    )
    .argument('<id>', 'the account id')
    .option('--json', 'print the account as JSON')
    .action(run((id: string, opts: { json?: boolean }) => accountsDeactivateCommand(ctx, id, opts)));

  const rules = program
    .command('rules')
    .summary('list, set and delete the country rules')
    .description(
      'The country regulation manager: rules per country (ISO 3166-1 alpha-2) and per kind of number — rest periods, address on file, domestic-only, cap per account, kinds sold (docs/operations.md#country-rules)',
    );
  rules
    .command('list')
    .description('List the rules, by country then kind, with where each comes from')
    .option('--country <cc>', "only this country's rules")
    .option('--json', 'print the rules as JSON')
    .action(run((opts: { country?: string; json?: boolean }) => rulesListCommand(ctx, opts)));
  rules
    .command('set')
    .description(
      "Set (create or replace) a country's rule, or with --kind its rule for one kind: the options given, every other field inherited (the country's rule, then the global settings). Applies to transitions from now on; recorded in the history",
    )
    .argument('<country>', 'ISO 3166-1 alpha-2, e.g. DE')
    .option('--kind <kind>', 'the kind of number (fixed_line, mobile, toll_free, …); default: every kind')
    .addOption(new Option('--quarantine <duration>', 'quarantine before first use, e.g. "60 days"').argParser((t) => Math.round(durationArg(t) / 1000)))
    .addOption(new Option('--aging <duration>', 'aging after release, e.g. "90 days"').argParser((t) => Math.round(durationArg(t) / 1000)))
    .option('--address-required', 'an account needs an address on file in the country')
    .option('--no-address-required', 'no address needed (overrides the country rule, on a kind)')
    .option('--domestic-only', 'numbers may only be used domestically (flagged in search, offered for less)')
    .option('--no-domestic-only', 'not domestic-only (overrides the country rule, on a kind)')
    .addOption(new Option('--discount <percent>', 'domestic-only discount, percent').argParser(countArg(100)))
    .addOption(new Option('--max-per-account <n>', 'numbers one account may hold there').argParser(countArg(1_000_000)))
    .option('--kinds-sold <kinds>', 'comma-separated kinds sold there (country rule only); default every kind')
    .option('--note <text>', 'where the rule comes from')
    .option('--json', 'print the rule as JSON')
    .action(run((country: string, opts: SetOptions) => rulesSetCommand(ctx, country, opts)));
  rules
    .command('delete')
    .description("Delete a country's rule (or with --kind its rule for one kind); recorded in the history")
    .argument('<country>', 'ISO 3166-1 alpha-2')
    .option('--kind <kind>', 'the kind of number; default: the rule for every kind')
    .option('--json', 'print the deleted rule as JSON')
    .action(run((country: string, opts: { kind?: string; json?: boolean }) => rulesDeleteCommand(ctx, country, opts)));
  rules
    .command('history')
    .description("Every change of a country's rules, newest first: when, who, what changed")
    .argument('<country>', 'ISO 3166-1 alpha-2')
    .addOption(new Option('--limit <n>', 'at most this many').argParser(countArg(500)).default(100))
    .option('--json', 'print the changes as JSON')
    .action(run((country: string, opts: { limit: number; json?: boolean }) => rulesHistoryCommand(ctx, country, opts)));

  const keys = program.command('keys').summary('issue, list and revoke API keys').description('API keys with their scopes, accounts and last use');
  keys
    .command('create')
    .description('Issue an API key and print it (shown once; only its hash is kept)')
    .addOption(new Option('--scope <scope>', 'what it may do').choices(['platform', 'operator', 'carrier', 'router']).makeOptionMandatory())
    .requiredOption('--name <name>', 'who or what holds it')
    .option('--accounts <ids>', 'platform keys: the accounts it acts for, comma-separated')
    .option('--provider <id>', 'carrier keys: the provider it speaks for')
    .addOption(new Option('--rate-limit <n>', 'requests per minute (default RATE_LIMIT_PER_MINUTE)').argParser(countArg(100_000_000)))
    .option('--json', 'print the key and its record as JSON')
    .action(run((opts: Parameters<typeof keysCreateCommand>[1]) => keysCreateCommand(ctx, opts)));
  keys
    .command('list')
    .description('List keys, newest first, with scope, accounts and last use (never their secrets)')
    .option('--account <id>', 'only keys acting for this account')
    .addOption(new Option('--scope <scope>', 'only keys of this scope').choices(['platform', 'operator', 'carrier', 'router']))
    .option('--revoked', 'only revoked keys')
    .addOption(new Option('--limit <n>', 'at most this many').argParser(countArg(1000)).default(100))
    .option('--json', 'print the keys as JSON')
    .action(run((opts: Parameters<typeof keysListCommand>[1]) => keysListCommand(ctx, opts)));
  keys
    .command('revoke')
    .description('Revoke a key (API processes stop taking it within 10 s)')
    .argument('<id>', 'the key id (from `ops keys list`)')
    .option('--json', 'print the key as JSON')
    .action(run((id: string, opts: { json?: boolean }) => keysRevokeCommand(ctx, id, opts)));

  return program;
}

/** Runs one command line (without the node and script arguments); resolves to its exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const ctx = new CliContext(io);
  let code: number = EXIT.OK;
  const program = buildProgram(ctx, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    code = reportError(ctx, err, program.opts().verbose === true || argv.includes('--verbose'), commandName(program, argv));
  } finally {
    await ctx.close();
  }
  return code;
}

function commandName(program: Command, argv: string[]): string {
  const name = argv.find((a) => !a.startsWith('-'));
  return program.commands.some((c) => c.name() === name) ? `ops ${name}` : 'ops';
}

function reportError(ctx: CliContext, err: unknown, verbose: boolean, who: string): number {
  // commander has written its own message already
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  const away = isUnreachable(err) || (err instanceof DomainError && err.kind === 'unavailable');
  const code = err instanceof CliError ? err.exitCode : away ? EXIT.UNREACHABLE : EXIT.FAILED;
  const message = err instanceof CliError ? err.message : `${code === EXIT.UNREACHABLE ? 'a dependency went away: ' : ''}${messageOf(err)}`;
  ctx.err(`${who}: ${message}`);
  if (verbose && err instanceof Error && err.stack) ctx.err(err.stack);
  else if (code === EXIT.FAILED) ctx.err('(--verbose shows the stack trace)');
  return code;
}
