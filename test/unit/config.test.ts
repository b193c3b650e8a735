import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, settingNames } from '../../src/config';

describe('config', () => {
  it('has a default for every setting', () => {
    const c = loadConfig({});
    assert.equal(c.API_PORT, 3000);
    assert.equal(c.TEMPORAL_ADDRESS, '127.0.0.1:7233');
    assert.match(c.DATABASE_URL, /^postgresql:\/\//);
  });

  it('names every bad setting and why', () => {
    assert.throws(
      () => loadConfig({ API_PORT: 'eighty', DATABASE_URL: 'not a url', LOG_LEVEL: 'loud' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.issues.length, 3);
        assert.match(err.message, /API_PORT: /);
        assert.match(err.message, /DATABASE_URL: /);
        assert.match(err.message, /LOG_LEVEL: /);
        return true;
      },
    );
  });

  it('documents every setting in the settings table of docs/operations.md', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'docs', 'operations.md'), 'utf8');
    const missing = settingNames.filter((name) => !readme.includes(`| \`${name}\` |`));
    assert.deepEqual(missing, []);
  });

  it('takes FAULT_INJECTION only with NODE_ENV=test, and names a bad fault point', () => {
    assert.deepEqual(loadConfig({}).FAULT_INJECTION, {});
    assert.deepEqual(loadConfig({ NODE_ENV: 'test', FAULT_INJECTION: 'api-after-update:0.02, worker-after-transition:1' }).FAULT_INJECTION, {
      'api-after-update': 0.02,
      'worker-after-transition': 1,
    });
    for (const NODE_ENV of ['production', 'development'])
      assert.throws(
        () => loadConfig({ NODE_ENV, FAULT_INJECTION: 'api-after-update:0.02' }),
        /FAULT_INJECTION: kills the process on purpose: only with NODE_ENV=test/,
      );
    assert.throws(() => loadConfig({ NODE_ENV: 'test', FAULT_INJECTION: 'api-before-lunch:0.5' }), /FAULT_INJECTION: unknown fault point "api-before-lunch"/);
    assert.throws(
      () => loadConfig({ NODE_ENV: 'test', FAULT_INJECTION: 'api-after-update:2' }),
      /FAULT_INJECTION: rate of api-after-update must be between 0 and 1/,
    );
  });
});
