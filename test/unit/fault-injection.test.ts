import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** runs a snippet in a child node process and says how it ended */
function run(code: string): { signal: NodeJS.Signals | null; status: number | null; stdout: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { signal: r.signal, status: r.status, stdout: r.stdout };
}

describe('fault injection (the fault suite’s kill points)', () => {
  it('an armed point SIGKILLs the process there; unarmed or at rate 0 it is a no-op', () => {
    const prefix = `const f = require('./src/fault-injection.ts');`;
    const killed = run(`${prefix} f.armFaults({ 'api-after-update': 1 }); console.log('before'); f.faultPoint('api-after-update'); console.log('after');`);
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal(killed.stdout.trim(), 'before');
    const other = run(`${prefix} f.armFaults({ 'api-after-update': 1 }); f.faultPoint('worker-after-transition'); console.log('after');`);
    assert.equal(other.status, 0);
    assert.equal(other.stdout.trim(), 'after');
    const unarmed = run(
      `${prefix} f.faultPoint('api-after-update'); f.armFaults({ 'api-after-update': 0 }); f.faultPoint('api-after-update'); console.log('after');`,
    );
    assert.equal(unarmed.status, 0);
  });
});
