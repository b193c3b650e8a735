// `ops rules …` in-process against the test stack: the same use cases as the
// operator API's /v1/country-rules, with exit codes a script can trust. Its
// rules are for Portugal (PT), which no other suite uses; removed after.
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/program';
import { SHARED_TASK_QUEUE, db, stack } from '../support/stack';

describe('CLI: ops rules', function () {
  this.timeout(60_000);
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: stack().databaseUrl,
    TEMPORAL_ADDRESS: stack().temporalAddress,
    TEMPORAL_TASK_QUEUE: SHARED_TASK_QUEUE,
  });
  async function ops(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: env(), stderrIsTTY: false });
    return { code, out, err };
  }
  const clear = () => db().$executeRaw`DELETE FROM country_rules WHERE country = 'PT'`;
  before(clear);
  after(clear);

  it('lists the shipped defaults with where each comes from', async () => {
    const list = await ops(['rules', 'list']);
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, /^country\s+kind\s+v\s+quarantine\s+aging/m);
    assert.match(list.out, /^DE\s+fixed_line\s+1\s+.*yes\s+yes\s+20%/m);
    assert.match(list.out, /^ {2}DE\/fixed_line: example: Bundesnetzagentur/m);
    const de = JSON.parse((await ops(['rules', 'list', '--country', 'de', '--json'])).out) as { country: string; kind: string | null }[];
    assert.deepEqual(
      de.map((r) => [r.country, r.kind]),
      [
        ['DE', null],
        ['DE', 'FIXED_LINE'],
      ],
    );
  });

  it('sets, replaces and deletes a rule, each change in the history; bad input is exit 2', async () => {
    const made = await ops(['rules', 'set', 'pt', '--aging', '60 days', '--address-required', '--max-per-account', '4', '--note', 'cli test']);
    assert.equal(made.code, 0, made.err);
    assert.match(made.out, /^created: PT v1$/m);
    assert.match(made.out, /^PT\s+\(all\)\s+1\s+60\.0 d\s+yes\s+4\s+ops$/m);
    const kind = await ops(['rules', 'set', 'PT', '--kind', 'mobile', '--no-address-required', '--domestic-only', '--discount', '10', '--json']);
    assert.equal(kind.code, 0, kind.err);
    assert.deepEqual(((r) => [r.kind, r.addressRequired, r.domesticOnly, r.domesticDiscountPercent])(JSON.parse(kind.out) as Record<string, unknown>), [
      'MOBILE',
      false,
      true,
      10,
    ]);
    const replaced = await ops(['rules', 'set', 'PT', '--kinds-sold', 'mobile,fixed_line']);
    assert.match(replaced.out, /^replaced: PT v2$/m);

    assert.equal((await ops(['rules', 'set', 'PT', '--kind', 'pager'])).code, 2);
    assert.equal((await ops(['rules', 'set', 'PT', '--kind', 'mobile', '--kinds-sold', 'mobile'])).code, 2);
    assert.equal((await ops(['rules', 'set', 'PRT'])).code, 2);
    assert.equal((await ops(['rules', 'set', 'PT', '--aging', '60'])).code, 2, 'a duration needs its unit');

    assert.equal((await ops(['rules', 'delete', 'PT', '--kind', 'mobile'])).code, 0);
    const again = await ops(['rules', 'delete', 'PT', '--kind', 'mobile']);
    assert.equal(again.code, 2);
    assert.match(again.err, /no rule for PT mobile/);

    const history = await ops(['rules', 'history', 'PT']);
    assert.equal(history.code, 0, history.err);
    const lines = history.out.trim().split('\n').slice(1);
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /mobile\s+1\s+deleted\s+ops/);
    assert.match(lines[1]!, /\(all\)\s+2\s+updated\s+ops\s+/);
    assert.match(lines[1]!, /agingSeconds 5184000 → null/);
    assert.match(lines[1]!, /kindsSold null → \["MOBILE","FIXED_LINE"\]/);
    assert.match(lines[2]!, /mobile\s+1\s+created\s+ops\s+.*domesticOnly null → true/);
    assert.match(lines[3]!, /\(all\)\s+1\s+created\s+ops/);
  });
});
