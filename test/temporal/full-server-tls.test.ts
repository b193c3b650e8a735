// The project's own full Temporal server (scripts/lib/stack.ts startFullTemporal:
// frontend, history, matching and worker services on PostgreSQL) with TLS on its
// frontend, certificates made here with openssl: the one connection factory
// (src/temporal/connection.ts) reaches it from the client side (API, CLI,
// scripts) and the worker's side (NativeConnection) with a client certificate,
// custom search attributes work on its PostgreSQL visibility, and a connection
// without the certificate, or without TLS, is refused with a message that says
// which settings to look at.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { startFullTemporal, type FullTemporal } from '../../scripts/lib/stack';
import { TemporalGateway } from '../../src/temporal/gateway';
import { temporalTarget } from '../../src/temporal/connection';
import { EndpointState } from '../../workflows/shared';
import { stack, testConfig } from '../support/stack';

/** the full server's frontend; history, matching, worker and membership take the next eight ports, the Web UI the ninth */
const FULL_PORT = Number(process.env.EI_TEST_TEMPORAL_FULL_PORT ?? 7440);
const SERVER_NAME = 'temporal.test';

/** A CA, a server certificate for temporal.test/127.0.0.1 and a client certificate, each signed by the CA. */
function makeCertificates(dir: string): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=endpoint-inventory test CA');
  const leaf = (name: string, cn: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${name}.pem`,
      '-extfile',
      `${name}.ext`,
    );
  };
  leaf('server', SERVER_NAME, `subjectAltName=DNS:${SERVER_NAME},DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n`);
  leaf('client', 'endpoint-inventory worker', 'extendedKeyUsage=clientAuth\n');
  const at = (f: string) => join(dir, f);
  return { ca: at('ca.pem'), serverCert: at('server.pem'), serverKey: at('server.key'), clientCert: at('client.pem'), clientKey: at('client.key') };
}

describe('the full Temporal server over TLS', function () {
  this.timeout(180_000);
  let dir: string;
  let certs: ReturnType<typeof makeCertificates>;
  let server: FullTemporal | undefined;
  const gateways: TemporalGateway[] = [];
  const settings = (extra: Record<string, string> = {}) => testConfig({ TEMPORAL_ADDRESS: `127.0.0.1:${FULL_PORT}`, ...extra });
  const tlsSettings = () => ({ TEMPORAL_TLS_CA: certs.ca, TEMPORAL_TLS_SERVER_NAME: SERVER_NAME });
  const gateway = (extra: Record<string, string>) => {
    const g = TemporalGateway.fromConfig(settings(extra), 3_000);
    gateways.push(g);
    return g;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ei-tls-'));
    certs = makeCertificates(dir);
    const started = Date.now();
    server = await startFullTemporal({
      port: FULL_PORT,
      pg: stack().pg,
      name: 'test_tls',
      fresh: true,
      uiPort: FULL_PORT + 9,
      logFile: join(dir, 'server.log'),
      tls: {
        certFile: certs.serverCert,
        keyFile: certs.serverKey,
        caFile: certs.ca,
        serverName: SERVER_NAME,
        clientCertFile: certs.clientCert,
        clientKeyFile: certs.clientKey,
      },
    });
    console.log(`      (full server with TLS up in ${Date.now() - started} ms, fresh databases included)`);
  });

  after(async () => {
    for (const g of gateways) await g.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a client with the CA and a client certificate connects, and search attributes work on PostgreSQL visibility', async () => {
    const g = gateway({ ...tlsSettings(), TEMPORAL_TLS_CERT: certs.clientCert, TEMPORAL_TLS_KEY: certs.clientKey });
    await g.check(3_000);
    const client = await g.client();
    const marker = `TLS-${Date.now()}`;
    // no worker polls this queue: the workflow just sits there, visible to queries
    const handle = await client.workflow.start('nobodyRunsThis', {
      taskQueue: 'tls-test-nobody',
      workflowId: `tls-test-${marker}`,
      typedSearchAttributes: [{ key: EndpointState, value: marker }],
    });
    try {
      const deadline = Date.now() + 30_000;
      let count = 0;
      while ((count = await g.countWorkflows(`EndpointState="${marker}"`)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      assert.equal(count, 1);
    } finally {
      await handle.terminate('test over');
    }
  });

  it("the worker's NativeConnection connects through the same settings", async () => {
    const target = temporalTarget(settings({ ...tlsSettings(), TEMPORAL_TLS_CERT: certs.clientCert, TEMPORAL_TLS_KEY: certs.clientKey }));
    assert.ok(target.tls && 'clientCertPair' in target.tls);
    const native = await NativeConnection.connect(target);
    try {
      const { customAttributes } = await native.operatorService.listSearchAttributes({ namespace: 'default' });
      assert.ok('EndpointState' in customAttributes, 'the search attributes were registered at start');
    } finally {
      await native.close();
    }
  });

  it('its Web UI (temporal-ui-server, with the client certificate) shows the namespace', async () => {
    assert.ok(server?.uiUrl);
    assert.equal((await fetch(server.uiUrl)).status, 200);
    const res = await fetch(`${server.uiUrl}/api/v1/namespaces`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { namespaces: { namespaceInfo: { name: string } }[] };
    assert.ok(body.namespaces.some((n) => n.namespaceInfo.name === 'default'));
  });

  it('without the client certificate the connection is refused, naming the settings to check', async () => {
    const g = gateway(tlsSettings());
    const err = (await g.check(3_000).then(
      () => assert.fail('connected without a client certificate'),
      (e: unknown) => e,
    )) as Error;
    assert.match(err.message, /the server wants a client certificate .*: set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY/, err.message);
  });

  it('without TLS the connection is refused, saying the server speaks TLS', async () => {
    const g = new TemporalGateway(`127.0.0.1:${FULL_PORT}`, 'default', 3_000);
    gateways.push(g);
    const err = (await g.check(3_000).then(
      () => assert.fail('connected in plaintext to a TLS frontend'),
      (e: unknown) => e,
    )) as Error;
    assert.match(err.message, /the server speaks TLS: set TEMPORAL_TLS_CA/, err.message);
  });
});
