// `ops accounts …` and `ops keys …` in-process against the test stack: the
// same use cases as the operator API, with exit codes a script can trust.
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/program';
import { callerOfKey } from '../../src/usecases/keys';
import { SHARED_TASK_QUEUE, db, stack } from '../support/stack';

describe('CLI: ops accounts, ops keys', function () {
  this.timeout(60_000);
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: stack().databaseUrl,
    TEMPORAL_ADDRESS: stack().temporalAddress,
    TEMPORAL_TASK_QUEUE: SHARED_TASK_QUEUE,
    ACCOUNT_RELEASE_GRACE: '7 days',
  });
  async function ops(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: env(), stderrIsTTY: false });
    return { code, out, err };
  }

  it('accounts: create (exists already: exit 1; a bad id: exit 2), list, show, deactivate (its release after ACCOUNT_RELEASE_GRACE)', async () => {
    const made = await ops(['accounts', 'create', 'acct-cli-1', '--name', 'Cli One']);
    assert.equal(made.code, 0, made.out + made.err);
    assert.match(made.out, /^account acct-cli-1 \(Cli One\)$/m);
    const dup = await ops(['accounts', 'create', 'acct-cli-1']);
    assert.equal(dup.code, 1, dup.err);
    assert.match(dup.err, /exists already/);
    assert.equal((await ops(['accounts', 'create', '-bad id'])).code, 2);
    assert.equal((await ops(['accounts', 'create', 'acct-cli-2', '--json'])).code, 0);

    const list = await ops(['accounts', 'list', '--json']);
    assert.equal(list.code, 0, list.err);
    const ids = (JSON.parse(list.out) as { id: string }[]).map((a) => a.id);
    assert.ok(ids.includes('acct-cli-1') && ids.includes('acct-cli-2'));
    assert.match((await ops(['accounts', 'list'])).out, /^id\s+name\s+active/m);

    const shown = await ops(['accounts', 'show', 'acct-cli-2', '--json']);
    assert.equal((JSON.parse(shown.out) as { active: boolean }).active, true);
    assert.equal((await ops(['accounts', 'show', 'acct-cli-none'])).code, 2);

    const gone = await ops(['accounts', 'deactivate', 'acct-cli-2', '--json']);
    assert.equal(gone.code, 0, gone.err);
    const a = JSON.parse(gone.out) as { active: boolean; deactivatedAt: string; releaseAfter: string };
    assert.equal(a.active, false);
    assert.equal(Date.parse(a.releaseAfter) - Date.parse(a.deactivatedAt), 7 * 86_400_000, 'ACCOUNT_RELEASE_GRACE from the environment');
    assert.match((await ops(['accounts', 'show', 'acct-cli-2'])).out, /active: no\n.*\n\s+deactivated: .*\n\s+numbers released after: /);
    assert.match((await ops(['accounts', 'show', 'acct-cli-2'])).out, /twilio sid: AC[0-9a-f]{32}\n/);
    const inactive = JSON.parse((await ops(['accounts', 'list', '--inactive', '--json'])).out) as { id: string }[];
    assert.ok(inactive.some((x) => x.id === 'acct-cli-2') && !inactive.some((x) => x.id === 'acct-cli-1'));
  });

  it('keys: create (printed once), list with scope and last use, revoke', async () => {
    const made = await ops(['keys', 'create', '--scope', 'platform', '--name', 'cli app', '--accounts', 'acct-cli-1']);
    assert.equal(made.code, 0, made.err);
    const key = made.out.trim();
    assert.match(key, /^ei_[0-9a-f]{12}_\S+$/);
    assert.match(made.err, /shown once/);
    const caller = await callerOfKey(db(), key);
    assert.deepEqual([caller?.scope, caller?.accountIds], ['PLATFORM', ['acct-cli-1']]);

    assert.equal((await ops(['keys', 'create', '--scope', 'platform', '--name', 'x', '--accounts', 'acct-cli-2'])).code, 2, 'a deactivated account');
    assert.equal((await ops(['keys', 'create', '--scope', 'platform', '--name', 'x'])).code, 2, 'no account');
    assert.equal((await ops(['keys', 'create', '--scope', 'root', '--name', 'x'])).code, 2);

    const listed = JSON.parse((await ops(['keys', 'list', '--account', 'acct-cli-1', '--json'])).out) as { id: string; scope: string; lastUsedAt: null }[];
    assert.equal(listed.length, 1);
    assert.deepEqual([listed[0]!.scope, listed[0]!.lastUsedAt], ['platform', null]);
    assert.match((await ops(['keys', 'list', '--account', 'acct-cli-1'])).out, /cli app\s+platform\s+acct-cli-1\s+never/);

    const revoked = await ops(['keys', 'revoke', listed[0]!.id]);
    assert.equal(revoked.code, 0, revoked.err);
    assert.match(revoked.out, /revoked at/);
    assert.equal(await callerOfKey(db(), key), null, 'a revoked key stands for nobody');
    assert.equal((await ops(['keys', 'revoke', 'nope'])).code, 2);
    assert.equal((await ops(['keys', 'revoke', '7d444840-9dc0-41d1-b245-5ffdce74fad2'])).code, 2);
  });
});
