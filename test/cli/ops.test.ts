// The operators' CLI against the real stack: runCli in-process with captured
// output and its own settings (as an operator's shell would give them), a
// worker on the shared task queue so every imported row has a live workflow
// for the final reconciliation, and the process itself once for its exit code.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { runCli } from '../../src/cli/program';
import { readEndpointCsv } from '../../src/cli/endpoint-csv';
import { lifecyclePolicy, monitorInput } from '../../src/config';
import type { TemporalGateway } from '../../src/temporal/gateway';
import { ingest } from '../../src/usecases/ingest';
import { reconcile } from '../../src/usecases/reconcile';
import { createGrouping } from '../../src/db/groupings';
import { createWorker } from '../../workers/worker';
import { INVENTORY_MONITOR_ID, endpointWorkflowId, orderWorkflowId, stateQuery } from '../../workflows/shared';
import { SHARED_TASK_QUEUE, db, nativeConnection, stack, temporalClient, testConfig, testLog } from '../support/stack';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

describe('CLI: ops', function () {
  this.timeout(120_000);
  let client: Client;
  let connection: Connection;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let dir: string;
  const config = () => testConfig({ TEMPORAL_TASK_QUEUE: SHARED_TASK_QUEUE });
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: stack().databaseUrl,
    TEMPORAL_ADDRESS: stack().temporalAddress,
    TEMPORAL_TASK_QUEUE: SHARED_TASK_QUEUE,
  });

  async function ops(argv: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: { ...env(), ...extraEnv }, stderrIsTTY: false });
    return { code, out, err };
  }

  before(async () => {
    ({ client, connection } = await temporalClient());
    native = await nativeConnection();
    worker = await createWorker({ config: config(), connection: native, db: db(), log: testLog, client });
    running = worker.run();
    dir = await mkdtemp(join(tmpdir(), 'ei-cli-'));
  });
  after(async () => {
    worker.shutdown();
    await running;
    await connection.close();
    await native.close();
    await rm(dir, { recursive: true, force: true });
  });

  // area code 312 is this suite's own
  const MIXED = [
    'address,voice,sms,mms,fax,monthly_cost_cents', //          line 1
    '+13125550100,true,true,false,false,100', //                 2 good
    '"+1 (312) 555-0101",yes,no,,,', //                         3 good: quoted, national punctuation
    '+1 555 0100,true,true,false,false,0', //                    4 invalid number
    'ZZ:12345,,,,,', //                                         5 unknown country
    '+13125550100,true,true,false,false,100', //                 6 duplicate within the file
    '+13125550102,maybe,true,false,false,0', //                  7 bad capability flag
    '"+1312555010"3,true,true,false,false,0', //                 8 malformed quoted field
    '+13125550104,,,,,250', //                                   9 good: default capabilities
    '', //                                                      10 blank: skipped
    '"+13125550105,true,true,false,false,0', //                 11 quote never closed
    '+13125550106,1,1,1,0,"1,5"', //                            12 bad cost (its comma quoted)
    '+13125550107,true,false,true,false,300', //                13 good, read again after line 11's stray quote
  ].join('\r\n');
  const GOOD = ['+13125550100', '+13125550101', '+13125550104', '+13125550107'];

  it('import: a CSV with good and bad rows keeps the good ones (rows + running workflows), names each bad one by line and reason, exits 1', async () => {
    const file = join(dir, 'mixed.csv');
    await writeFile(file, MIXED);

    const dry = await ops(['import', file, '--dry-run']);
    assert.equal(dry.code, 1, dry.out + dry.err);
    assert.match(dry.out, /would import 4 into QUARANTINE, 0 already managed, 7 bad rows/);
    assert.equal(await db().endpoint.count({ where: { address: { in: GOOD } } }), 0, 'a dry run changes nothing');

    const { code, out, err } = await ops(['import', file]);
    assert.equal(code, 1, out + err);
    const reported = out.split('\n').filter((l) => l.startsWith('line '));
    assert.deepEqual(reported, [
      'line 4: +1 555 0100,true,true,false,false,0: address: not a valid phone number for any country',
      'line 5: ZZ:12345,,,,,: address: unknown country ZZ',
      'line 6: +13125550100,true,true,false,false,100: duplicate of line 2 (+13125550100)',
      'line 7: +13125550102,maybe,true,false,false,0: voice: "maybe" is not a flag (true/false, yes/no, 1/0, or empty)',
      'line 8: "+1312555010"3,true,true,false,false,0: unexpected "3" after the closing quote of field 1',
      'line 11: "+13125550105,true,true,false,false,0: a quoted field is not closed on its line (missing ")',
      'line 12: +13125550106,1,1,1,0,"1,5": monthly_cost_cents: "1,5" is not a whole number of cents (0 to 999999999)',
    ]);
    assert.match(out, /: 11 rows: imported 4 into QUARANTINE, 0 already managed, 7 bad rows$/m);
    assert.match(err, /^import 4\/4 in [\d.]+s$/m, 'progress, as plain lines when stderr is not a terminal');

    const rows = await db().endpoint.findMany({ where: { npa: '312' }, orderBy: { address: 'asc' } });
    assert.deepEqual(
      rows.map((r) => r.address),
      GOOD,
    );
    const caps = (a: string) => {
      const r = rows.find((x) => x.address === a)!;
      return [r.voiceCapable, r.smsCapable, r.mmsCapable, r.faxCapable, r.monthlyCostCents, r.state];
    };
    assert.deepEqual(caps('+13125550100'), [true, true, false, false, 100, 'QUARANTINE']);
    assert.deepEqual(caps('+13125550101'), [true, false, false, false, 0, 'QUARANTINE'], 'named capabilities only');
    assert.deepEqual(caps('+13125550104'), [true, true, false, false, 250, 'QUARANTINE'], 'none named: voice and SMS');
    assert.deepEqual(caps('+13125550107'), [true, false, true, false, 300, 'QUARANTINE']);
    for (const a of GOOD) {
      const h = client.workflow.getHandle(endpointWorkflowId(a));
      assert.equal((await h.describe()).status.name, 'RUNNING');
      assert.equal((await h.query(stateQuery)).state, 'QUARANTINE');
    }
    const history = await db().endpointHistory.findFirstOrThrow({ where: { endpoint: { address: GOOD[0] } } });
    assert.match(history.actor, /^cli:/);
  });

  it('import again: numbers already managed are duplicates, not errors (exit 0); --json names every row', async () => {
    const file = join(dir, 'again.csv');
    await writeFile(file, `address\n${GOOD.join('\n')}\n`);
    const { code, out } = await ops(['import', file, '--json']);
    assert.equal(code, 0, out);
    const result = JSON.parse(out) as { imported: unknown[]; duplicates: { line: number; address: string }[]; problems: unknown[] };
    assert.deepEqual(result.imported, []);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(
      result.duplicates,
      GOOD.map((address, i) => ({ line: i + 2, address })),
    );
  });

  it('export → import round trip: the exported file reads back as the same rows, re-imports as all duplicates, and exports again identically', async () => {
    const first = join(dir, 'export-1.csv');
    const exported = await ops(['export', '--npa', '312', '--state', 'quarantine', '--out', first]);
    assert.equal(exported.code, 0, exported.err);
    assert.match(exported.err, /exported 4 endpoints to /);
    const text = await readFile(first, 'utf8');
    assert.equal(text.split('\n')[0], 'address,voice,sms,mms,fax,monthly_cost_cents,state,kind,country,npa,provider,account');

    const parsed = readEndpointCsv(text);
    assert.deepEqual(parsed.problems, []);
    const rows = await db().endpoint.findMany({ where: { npa: '312', state: 'QUARANTINE' }, orderBy: { address: 'asc' } });
    assert.deepEqual(
      parsed.rows.map((r) => ({ address: r.address, ...r.item.capable, cost: r.item.monthlyCostCents })),
      rows.map((r) => ({ address: r.address, voice: r.voiceCapable, sms: r.smsCapable, mms: r.mmsCapable, fax: r.faxCapable, cost: r.monthlyCostCents })),
    );

    const again = await ops(['import', first]);
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /: 4 rows: imported 0 into QUARANTINE, 4 already managed, 0 bad rows$/m);

    const second = await ops(['export', '--npa', '312', '--state', 'QUARANTINE']);
    assert.equal(second.code, 0);
    assert.equal(second.out, text, 'to stdout, the same file');

    const none = await ops(['export', '--npa', '312', '--state', 'ALLOCATED,RESERVED']);
    assert.equal(none.out.trim().split('\n').length, 1, 'the header alone');
    // --out replaces a file whole (written beside it, then renamed), never leaving half a file
    await writeFile(first, 'stale');
    assert.equal((await ops(['export', '--npa', '312', '--state', 'QUARANTINE', '--out', first])).code, 0);
    assert.equal(await readFile(first, 'utf8'), text);
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.endsWith('.tmp')),
      [],
    );
    assert.equal((await ops(['export', '--out', join(dir, 'no-such-dir', 'x.csv')])).code, 2, 'an unwritable --out is a usage error');
  });

  it('import --entry port-in: the numbers join as PORTING_IN for the account, each with a port request', async () => {
    await db().account.upsert({ where: { id: 'acct-cli' }, create: { id: 'acct-cli', name: 'cli' }, update: {} });
    const file = join(dir, 'ported.csv');
    await writeFile(file, 'address,voice,sms\n+13125550150,yes,yes\n+13125550151,yes,no\n');
    const { code, out } = await ops(['import', file, '--entry', 'port-in', '--account', 'acct-cli']);
    assert.equal(code, 0, out);
    assert.match(out, /imported 2 into PORTING_IN for account acct-cli/);
    const ports = await db().portRequest.findMany({ where: { accountId: 'acct-cli', address: { in: ['+13125550150', '+13125550151'] } } });
    assert.equal(ports.length, 2);
    for (const p of ports) {
      let state = '';
      for (let i = 0; i < 200 && state !== 'ALLOCATED'; i++) {
        state = (await client.workflow.getHandle(endpointWorkflowId(p.address)).query(stateQuery)).state;
        if (state !== 'ALLOCATED') await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(state, 'ALLOCATED');
      assert.equal((await db().endpoint.findUniqueOrThrow({ where: { address: p.address } })).accountId, 'acct-cli');
    }
  });

  it('import stops between batches on Ctrl-C (exit 130): every row it wrote has its workflow, the rest is left for the next run', async () => {
    const file = join(dir, 'interrupted.csv');
    const addresses = ['+13125550160', '+13125550161', '+13125550162'];
    await writeFile(file, `address\n${addresses.join('\n')}\n`);
    const interrupt = new AbortController();
    let out = '';
    let err = '';
    const code = await runCli(['import', file, '--batch', '2'], {
      stdout: (t) => void (out += t),
      // the operator presses Ctrl-C as the first batch starts
      stderr: (t) => {
        err += t;
        if (t.startsWith('import 0/')) interrupt.abort();
      },
      env: env(),
      stderrIsTTY: false,
      signal: interrupt.signal,
    });
    assert.equal(code, 130, out + err);
    assert.match(out, /imported 2 into QUARANTINE, 0 already managed, 0 bad rows; interrupted: 1 not processed/);
    const rows = await db().endpoint.findMany({ where: { address: { in: addresses } }, orderBy: { address: 'asc' } });
    assert.deepEqual(
      rows.map((r) => r.address),
      addresses.slice(0, 2),
    );
    for (const r of rows) assert.equal((await client.workflow.getHandle(endpointWorkflowId(r.address)).describe()).status.name, 'RUNNING');
    const rest = await ops(['import', file]);
    assert.equal(rest.code, 0);
    assert.match(rest.out, /imported 1 into QUARANTINE, 2 already managed/);
  });

  it('import again after a run killed between inserting a batch and starting its workflows: the rows get their workflows, no repair needed', async () => {
    const file = join(dir, 'killed.csv');
    // area code 313: not to change what the report test counts in 312
    const addresses = ['+13135550170', '+13135550171', '+13135550172'];
    await writeFile(file, `address\n${addresses.join('\n')}\n`);
    // the first run inserted two rows, then its process died before starting their workflows
    const killed = { endpoints: { start: () => Promise.reject(new Error('the import process was killed')) } } as unknown as TemporalGateway;
    await assert.rejects(
      ingest(
        { db: db(), temporal: killed, policy: lifecyclePolicy(config()) },
        addresses.slice(0, 2).map((address) => ({ address })),
        { entry: 'quarantine', actor: 'cli:test', operation: `import:${randomUUID()}` },
      ),
      /killed/,
    );
    assert.equal(await db().endpoint.count({ where: { address: { in: addresses } } }), 2);

    const { code, out } = await ops(['import', file]);
    assert.equal(code, 0, out);
    for (const a of addresses) {
      const h = client.workflow.getHandle(endpointWorkflowId(a));
      const status = await h.describe().then(
        (d) => d.status.name,
        (err: unknown) => `none (${(err as Error).message})`,
      );
      assert.equal(status, 'RUNNING', `${a} has its workflow`);
      assert.equal((await h.query(stateQuery)).state, 'QUARANTINE');
    }
    assert.match(out, /imported 1 into QUARANTINE, 2 already managed, 0 bad rows; resumed 2 an earlier import left without their workflow/);
    const report = await reconcile({ db: db(), client, taskQueue: SHARED_TASK_QUEUE, policy: lifecyclePolicy(config()) }, { addresses, settleMs: 0 });
    assert.deepEqual(
      report.drift.filter((d) => addresses.includes(d.address)),
      [],
    );
    // and again: nothing left to resume
    const third = await ops(['import', file]);
    assert.equal(third.code, 0);
    assert.match(third.out, /imported 0 into QUARANTINE, 3 already managed, 0 bad rows$/m);
  });

  it('--help works for the program and every command (exit 0), and lists the exit codes', async () => {
    const top = await ops(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.out, /Exit codes:\n {2}0 {4}success/);
    for (const name of ['import', 'export', 'report', 'check-now', 'orders', 'order', 'deliver', 'reconcile', 'geo-backfill']) {
      const res = await ops([name, '--help']);
      assert.equal(res.code, 0, `${name} --help: ${res.err}`);
      assert.match(res.out, new RegExp(`^Usage: ops ${name} `), name);
      assert.equal(res.err, '');
    }
    assert.equal((await ops(['help', 'import'])).code, 0);
    assert.match((await ops(['--version'])).out, /^\d+\.\d+\.\d+\n$/);
  });

  it('usage errors exit 2 with a message on stderr and no stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['import', 'x.csv', '--bogus'], /unknown option '--bogus'/],
      [['imprt'], /unknown command 'imprt'[\s\S]*Did you mean import\?/],
      [[], /Usage: ops/],
      [['import'], /missing required argument 'file'/],
      [['export', '--state', 'SOLD'], /option '--state <states>' argument 'SOLD' is invalid/],
      [['orders', '--limit', '0'], /a whole number from 1 to 10000/],
      [['report', '--window', '1y'], /Allowed choices are 1h, 24h, 7d/],
      [['check-now', '--timeout', '30'], /a duration with its unit/],
      [['import', join(dir, 'missing.csv')], /cannot read .*missing\.csv: no such file/],
      [['import', 'x.csv', '--entry', 'port-in'], /--entry port-in needs --account/],
      [['order', 'not-an-id'], /not an order id/],
      [['order', randomUUID()], /no order /],
      [['deliver', randomUUID()], /no numbers/],
      [['report', 'extra'], /too many arguments/],
    ];
    for (const [argv, message] of cases) {
      const res = await ops(argv);
      assert.equal(res.code, 2, `${argv.join(' ')}: ${res.err}`);
      assert.match(res.err, message, argv.join(' '));
      assert.doesNotMatch(res.err, /\n\s+at /, 'no stack trace');
    }
    const header = join(dir, 'header.csv');
    await writeFile(header, 'number,colour\n+13125550199,red\n');
    const bad = await ops(['import', header]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /unknown column "colour"/);
    const verbose = await ops(['order', 'not-an-id', '--verbose']);
    assert.equal(verbose.code, 2);
    assert.match(verbose.err, /\n\s+at /, '--verbose: with the stack trace');
    const setting = await ops(['report'], { DATABASE_POOL_SIZE: 'many' });
    assert.equal(setting.code, 2);
    assert.match(setting.err, /invalid configuration:\n\s+DATABASE_POOL_SIZE/);
  });

  it('exit 3 when PostgreSQL or Temporal cannot be reached, or no inventory monitor answers check-now', async () => {
    const pg = await ops(['report'], { DATABASE_URL: 'postgresql://endpoint_inventory:secret@127.0.0.1:1/endpoint_inventory' });
    assert.equal(pg.code, 3, pg.err);
    assert.match(
      pg.err,
      /^ops report: PostgreSQL at postgresql:\/\/endpoint_inventory:\*\*\*@127\.0\.0\.1:1\/endpoint_inventory could not be reached: DatabaseNotReachable/,
    );
    const temporal = await ops(['check-now'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(temporal.code, 3, temporal.err);
    assert.match(temporal.err, /Temporal at 127\.0\.0\.1:1 could not be reached/);

    const monitor = client.workflow.getHandle(INVENTORY_MONITOR_ID);
    const runningAlready = await monitor.describe().then(
      (d) => d.status.name === 'RUNNING',
      () => false,
    );
    assert.equal(runningAlready, false, 'no other suite leaves the monitor running');
    const none = await ops(['check-now']);
    assert.equal(none.code, 3);
    assert.match(none.err, /the inventory monitor is not running/);
  });

  it('check-now: the monitor evaluates at once and answers with its report', async () => {
    // the monitor on the shared queue for this test only; a long batch window, so it orders nothing
    await client.workflow.start('inventoryMonitorWorkflow', {
      workflowId: INVENTORY_MONITOR_ID,
      taskQueue: SHARED_TASK_QUEUE,
      args: [{ ...monitorInput(config()), batchWindowMs: 3_600_000 }],
    });
    try {
      const text = await ops(['check-now']);
      assert.equal(text.code, 0, text.err);
      assert.match(text.out, /^evaluated \d+ groupings? at \d{4}-\d\d-\d\dT[\d:]+Z: \d+ below minimum, \d+ above maximum$/m);
      const asJson = await ops(['check-now', '--json']);
      assert.equal((JSON.parse(asJson.out) as { trigger: string }).trigger, 'operator check-now');
    } finally {
      await client.workflow.getHandle(INVENTORY_MONITOR_ID).terminate('cli test over');
    }
  });

  it('report: each grouping against its thresholds, as a table and as JSON; --fail-below-min exits 1 when one is short', async () => {
    await db().classificationGrouping.deleteMany({ where: { name: { startsWith: 'cli ' } } });
    await createGrouping(db(), { name: 'cli npa:312', tags: ['npa:312'], minAvailable: 5, targetAvailable: 10, maxAvailable: 50 });
    try {
      const text = await ops(['report']);
      assert.equal(text.code, 0, text.err);
      assert.match(text.out, /^grouping\s+available\s+min\/target\/max\s+status/m);
      // nothing of 312 is available (the imports are in quarantine; the 2 ported in are allocated): the monitor wants the rest of the target
      const q = await db().endpoint.count({ where: { npa: '312', state: 'QUARANTINE' } });
      assert.ok(q >= 4 && q < 10);
      assert.match(text.out, new RegExp(`^cli npa:312\\s+0\\s+5/10/50\\s+BELOW_MIN\\s+${q}\\s+0\\s+0\\.08\\s+now\\s+0\\s+\\+${10 - q}$`, 'm'));
      const report = JSON.parse((await ops(['report', '--json', '--window', '1h'])).out) as {
        window: string;
        groupings: { name: string; status: string; wants: { quantity: number } | null; inQuarantine: number }[];
      };
      assert.equal(report.window, '1h');
      const mine = report.groupings.find((g) => g.name === 'cli npa:312')!;
      assert.equal(mine.status, 'BELOW_MIN');
      assert.equal(mine.inQuarantine, q);
      assert.equal(mine.wants?.quantity, 10 - q);
      assert.equal((await ops(['report', '--fail-below-min'])).code, 1);
    } finally {
      await db().classificationGrouping.deleteMany({ where: { name: { startsWith: 'cli ' } } });
    }
  });

  it('orders, order and deliver: an operator enters a delivery for a carrier without an API and sees each outcome', async () => {
    await db().provider.upsert({
      where: { id: 'cli-paper' },
      create: { id: 'cli-paper', name: 'CLI Paper', kind: 'MANUAL', costPerNumberCents: 100, reliabilityScore: 0.5, active: false },
      update: {},
    });
    const order = await db().providerOrder.create({
      data: {
        providerId: 'cli-paper',
        direction: 'ACQUIRE',
        idempotencyKey: `cli:${randomUUID()}`,
        lines: { create: [{ quantity: 2, npa: '312', country: 'US', tags: ['npa:312'] }] },
      },
    });
    await client.workflow.start('providerOrderWorkflow', {
      taskQueue: SHARED_TASK_QUEUE,
      workflowId: orderWorkflowId(order.id),
      args: [{ orderId: order.id, providerId: 'cli-paper', direction: 'ACQUIRE', deliveryTimeoutMs: 60_000 }],
    });
    const deadline = Date.now() + 60_000; // seconds on a busy machine
    while (Date.now() < deadline && (await db().providerOrder.findUniqueOrThrow({ where: { id: order.id } })).status !== 'AWAITING_OPERATOR') {
      await new Promise((r) => setTimeout(r, 100));
    }
    const listed = await ops(['orders', '--provider', 'cli-paper', '--status', 'AWAITING_OPERATOR']);
    assert.equal(listed.code, 0, listed.err);
    assert.match(listed.out, new RegExp(`^${order.id}\\s+cli-paper\\s+ACQUIRE\\s+AWAITING_OPERATOR\\s+2\\s+0\\s+0`, 'm'));

    const numbers = join(dir, 'delivered.txt');
    await writeFile(numbers, "# from the carrier's e-mail\n+1 312 555 0191\n");
    const delivered = await ops(['deliver', order.id, '+13125550190', '+14155550199', '--file', numbers, '--final', '--wait']);
    assert.equal(delivered.code, 1, 'a number was not accepted: ' + delivered.out + delivered.err);
    assert.match(delivered.out, /^\+13125550190\s+ACCEPTED/m);
    assert.match(delivered.out, /^\+13125550191\s+ACCEPTED/m);
    assert.match(delivered.out, /^\+14155550199\s+(MISMATCH_RETURNED|DUPLICATE)\s+\S/m);
    assert.match(delivered.out, /2 of 3 accepted/);

    let status = '';
    for (let i = 0; i < 100 && status !== 'DELIVERED'; i++) {
      status = (await db().providerOrder.findUniqueOrThrow({ where: { id: order.id } })).status;
      if (status !== 'DELIVERED') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 'DELIVERED');
    const shown = await ops(['order', order.id]);
    assert.equal(shown.code, 0);
    assert.match(shown.out, /^status\s+DELIVERED/m);
    assert.match(shown.out, /^\+13125550190\s+ACCEPTED/m);
    assert.equal((JSON.parse((await ops(['order', order.id, '--json'])).out) as { deliveries: unknown[] }).deliveries.length, 3);

    const closed = await ops(['deliver', order.id, '+13125550192']);
    assert.equal(closed.code, 1);
    assert.match(closed.err, /is closed \(DELIVERED\)/);
    for (const a of ['+13125550190', '+13125550191']) {
      assert.equal((await client.workflow.getHandle(endpointWorkflowId(a)).describe()).status.name, 'RUNNING');
    }
  });

  it('reconcile: exit 1 while drift is left, 0 once it is repaired', async () => {
    const address = GOOD[0]!;
    await db().endpoint.update({ where: { address }, data: { state: 'RETIRED' } });
    const found = await ops(['reconcile']);
    assert.equal(found.code, 1, found.out);
    assert.match(found.out, new RegExp(`\\${address}  state_mismatch: workflow QUARANTINE v1, row RETIRED v1$`, 'm'));

    const repaired = await ops(['reconcile', '--repair', '--json']);
    const report = JSON.parse(repaired.out) as { drift: { address: string; repaired?: boolean }[] };
    assert.equal(report.drift.find((d) => d.address === address)?.repaired, true);
    // the whole test database is judged: the code follows what is left, whoever made it
    assert.equal(repaired.code, report.drift.every((d) => d.repaired) ? 0 : 1);
    assert.equal((await db().endpoint.findUniqueOrThrow({ where: { address } })).state, 'QUARANTINE');

    const after = await ops(['reconcile']);
    assert.equal(after.code, /drift: 0$/m.test(after.out) ? 0 : 1, after.out);
    assert.doesNotMatch(after.out, new RegExp(`\\${address}`));
  });

  it('as a process: results on stdout, the exit code reaches the shell', async () => {
    const cli = (args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env: env() }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (err: unknown) => {
          const e = err as { code: number; stdout: string; stderr: string }; // execFile's error carries the outputs
          return { code: e.code, stdout: e.stdout, stderr: e.stderr };
        },
      );
    const exported = await cli(['export', '--npa', '312', '--state', 'QUARANTINE']);
    assert.equal(exported.code, 0, exported.stderr);
    const n = await db().endpoint.count({ where: { npa: '312', state: 'QUARANTINE' } });
    assert.equal(exported.stdout.trim().split('\n').length, 1 + n);
    assert.match(exported.stderr, new RegExp(`exported ${n} endpoints`));
    const wrong = await cli(['export', '--bogus']);
    assert.equal(wrong.code, 2);
    assert.equal(wrong.stdout, '');
  });
});
