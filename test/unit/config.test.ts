import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, inactivitySettings, loadConfig, settingNames } from '../../src/config';
import { describeTarget, explainConnectError, temporalTarget } from '../../src/temporal/connection';

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

  describe('production mode (EI_MODE=production)', () => {
    const good = {
      EI_MODE: 'production',
      DATABASE_URL: 'postgresql://inventory:a-long-real-password@db.internal:5432/inventory?sslmode=verify-full',
      METRICS_KEY: 'scrape-key-0123456789',
      TEMPORAL_TLS: 'true',
    };
    const issuesOf = (env: Record<string, string>): string[] => {
      try {
        loadConfig(env);
        return [];
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.issues;
      }
    };

    it('refuses each demo default, naming its setting', () => {
      const issues = issuesOf({ EI_MODE: 'production' });
      assert.deepEqual(
        issues.map((i) => i.split(':')[0]),
        ['DATABASE_URL', 'METRICS_KEY', 'TEMPORAL_TLS'],
      );
      assert.match(issues[0]!, /demo's database password/);
      assert.match(issues[1]!, /\/metrics/);
      assert.match(issues[2]!, /TEMPORAL_ALLOW_PLAINTEXT/);
      // the harness defaults to the carriers' test-call APIs; the simulated one is refused
      assert.deepEqual(
        issuesOf({ EI_MODE: 'production', HARNESS: 'simulated' }).map((i) => i.split(':')[0]),
        ['DATABASE_URL', 'HARNESS', 'METRICS_KEY', 'TEMPORAL_TLS'],
      );
    });

    it('wants the Temporal connection secured (TLS, mTLS or an API key) unless TEMPORAL_ALLOW_PLAINTEXT says otherwise', () => {
      const plain = { ...good, TEMPORAL_TLS: 'auto' };
      assert.match(issuesOf(plain)[0]!, /^TEMPORAL_TLS: production mode wants the Temporal connection secured/);
      assert.match(issuesOf({ ...good, TEMPORAL_TLS: 'false' })[0]!, /^TEMPORAL_TLS: /);
      assert.deepEqual(issuesOf({ ...plain, TEMPORAL_API_KEY: 'cloud-key' }), []);
      assert.deepEqual(issuesOf({ ...plain, TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' }), []);
      assert.deepEqual(issuesOf({ ...plain, TEMPORAL_ALLOW_PLAINTEXT: 'true' }), []);
      // the opt-out means nothing outside production mode, and is not a way to turn TLS off
      assert.equal(loadConfig({ TEMPORAL_ALLOW_PLAINTEXT: 'true' }).TEMPORAL_TLS, 'auto');
      assert.throws(() => loadConfig({ TEMPORAL_ALLOW_PLAINTEXT: 'yes' }), /TEMPORAL_ALLOW_PLAINTEXT: /);
    });

    it('refuses each one alone: the demo password, the simulated harness, a short metrics key', () => {
      assert.deepEqual(issuesOf({ ...good, DATABASE_URL: 'postgresql://endpoint_inventory:endpoint_inventory@db:5432/x' }).length, 1);
      assert.match(issuesOf({ ...good, DATABASE_URL: 'postgresql://inventory@db:5432/x' })[0]!, /^DATABASE_URL: .*needs a database password/);
      assert.match(issuesOf({ ...good, HARNESS: 'simulated' })[0]!, /^HARNESS: the simulated harness places no real call/);
      assert.match(issuesOf({ ...good, METRICS_KEY: 'short' })[0]!, /^METRICS_KEY: must be at least 16/);
    });

    it('accepts what production needs, and the demo mode keeps every default', () => {
      assert.deepEqual(issuesOf(good), []);
      assert.equal(loadConfig({}).EI_MODE, 'demo');
      // the fault suite runs with NODE_ENV=production: that alone refuses nothing
      assert.deepEqual(issuesOf({ NODE_ENV: 'production' }), []);
    });
  });

  describe('Temporal connection settings', () => {
    it('plain gRPC by default; TLS once a CA, certificate, server name or API key is set', () => {
      assert.deepEqual(temporalTarget(loadConfig({})), { address: '127.0.0.1:7233' });
      const cloud = temporalTarget(loadConfig({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k' }));
      assert.deepEqual(cloud, { address: 'ns.acct.tmprl.cloud:7233', tls: {}, apiKey: 'k' });
      assert.equal(describeTarget(cloud), 'ns.acct.tmprl.cloud:7233 (TLS, API key)');
      assert.deepEqual(temporalTarget(loadConfig({ TEMPORAL_TLS: 'true' })).tls, {});
      assert.deepEqual(temporalTarget(loadConfig({ TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' })).tls, { serverNameOverride: 'temporal.internal' });
    });

    it('a certificate without its key, TLS off with files, an unreadable file: each named', () => {
      assert.throws(() => loadConfig({ TEMPORAL_TLS_CERT: '/x.pem' }), /TEMPORAL_TLS_KEY: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/);
      assert.throws(() => loadConfig({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' }), /TEMPORAL_TLS: false, but/);
      assert.throws(
        () => temporalTarget(loadConfig({ TEMPORAL_TLS_CA: '/nonexistent/ca.pem' })),
        /^Error: TEMPORAL_TLS_CA: cannot read \/nonexistent\/ca.pem: ENOENT/,
      );
    });

    it('a refused handshake says which settings to look at', () => {
      const reset = new Error('14 UNAVAILABLE: Connection reset by peer');
      assert.match(explainConnectError({ address: 'x:1', tls: {} }, reset), /may require a client certificate \(TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY\)/);
      assert.match(explainConnectError({ address: 'x:1' }, reset), /may require TLS/);
      assert.equal(explainConnectError({ address: 'x:1' }, new Error('deadline exceeded')), 'deadline exceeded');
    });
  });

  it("names a worker metrics address that is not host:port, and the SDK's address without the worker's", () => {
    assert.equal(loadConfig({ WORKER_METRICS_ADDRESS: '0.0.0.0:9464', WORKER_SDK_METRICS_ADDRESS: '[::1]:9465' }).WORKER_SDK_METRICS_ADDRESS, '[::1]:9465');
    assert.throws(() => loadConfig({ WORKER_METRICS_ADDRESS: '9464' }), /WORKER_METRICS_ADDRESS: not a host:port address: "9464"/);
    assert.throws(() => loadConfig({ WORKER_SDK_METRICS_ADDRESS: '127.0.0.1:9465' }), /WORKER_SDK_METRICS_ADDRESS: set, but WORKER_METRICS_ADDRESS is not/);
    assert.equal(loadConfig({}).WORKER_SDK_LOG_LEVEL, 'warn');
    assert.throws(() => loadConfig({ WORKER_SDK_LOG_LEVEL: 'loud' }), /WORKER_SDK_LOG_LEVEL: /);
  });

  it('the inactivity policy is off by default; its durations are checked, each named', () => {
    const c = loadConfig({});
    assert.deepEqual(inactivitySettings(c), { notifyAfterMs: 0, releaseAfterMs: 30 * 86_400_000, sweepEveryMs: 3_600_000 });
    assert.equal(loadConfig({ INACTIVITY_NOTIFY_AFTER: '90 days' }).INACTIVITY_NOTIFY_AFTER, 90 * 86_400_000);
    assert.throws(() => loadConfig({ INACTIVITY_NOTIFY_AFTER: '10s' }), /INACTIVITY_NOTIFY_AFTER: must be 0 \(off\) or at least 1 minute/);
    assert.throws(() => loadConfig({ INACTIVITY_RELEASE_AFTER: '0' }), /INACTIVITY_RELEASE_AFTER: must be at least 1 minute/);
    assert.throws(() => loadConfig({ INACTIVITY_SWEEP_EVERY: 'often' }), /INACTIVITY_SWEEP_EVERY: not a duration/);
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
