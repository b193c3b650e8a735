// Starting and stopping the real parts for the demo and the tests: a
// PostgreSQL cluster from Debian's packages, the Temporal CLI's dev server, and
// the full Temporal server (startFullTemporal) on PostgreSQL databases of its own.
// Each start is idempotent and each stop stops only what this process started.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { ensureSearchAttributes } from '../../src/temporal/search-attributes';
import { SEARCH_ATTRIBUTE_NAMES } from '../../workflows/shared';

export const CACHE_DIR = process.env.EI_CACHE_DIR ?? join(homedir(), '.cache', 'endpoint-inventory');
export const TEMPORAL_CLI_VERSION = '1.5.1';
export const TEMPORAL_BIN = process.env.TEMPORAL_BIN ?? join(CACHE_DIR, `temporal-v${TEMPORAL_CLI_VERSION}`, 'temporal');
/** the fault suite's fault proxy, built by setup.sh (go install) into the cache like the Temporal CLI */
export const TOXIPROXY_VERSION = '2.12.0';
export const TOXIPROXY_BIN = process.env.TOXIPROXY_BIN ?? join(CACHE_DIR, `toxiproxy-v${TOXIPROXY_VERSION}`, 'toxiproxy-server');

const isRoot = process.getuid?.() === 0;

export function say(line: string): void {
  process.stdout.write(`[stack ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, exited?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    const why = exited?.();
    if (why) throw new Error(`${what} did not start: ${why}`);
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms`);
    await sleep(200);
  }
}

// ---------------------------------------------------------------- processes

export interface Managed {
  name: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Spawns a long-running child in its own process group, so a terminal's
 * Ctrl-C reaches the supervisor only and it stops the parts in order.
 */
export function spawnManaged(
  name: string,
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; logFile?: string; cwd?: string; echo?: boolean } = {},
): Managed & { child: ChildProcess; exitReason: () => string | undefined } {
  const out = opts.logFile ? openSync(opts.logFile, 'a') : 'ignore';
  const child = spawn(command, args, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    detached: true,
    stdio: ['ignore', opts.echo ? 'pipe' : out, opts.echo ? 'pipe' : out],
  });
  if (opts.echo) {
    const prefix = `[${name}] `;
    const relay = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line) process.stdout.write(prefix + line + '\n');
    };
    child.stdout?.on('data', relay);
    child.stderr?.on('data', relay);
  }
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = `exited with ${signal ?? `code ${code}`}`;
      resolve();
    });
    child.once('error', (err) => {
      exit = err.message;
      resolve();
    });
  });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = child.pid;
  return {
    name,
    pid,
    child,
    exitReason: () => exit,
    async stop() {
      if (exit) return;
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* gone already */
        }
      }, 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Remembers pids in a file so a run killed hard is cleaned up by the next one. */
export class PidFile {
  constructor(private readonly path: string) {}

  killLeftovers(): void {
    if (!existsSync(this.path)) return;
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      const pid = Number(line.split(' ')[0]);
      if (!pid) continue;
      try {
        process.kill(-pid, 'SIGKILL');
        say(`killed leftover ${line.split(' ')[1] ?? 'process'} (pid ${pid}) from an earlier run`);
      } catch {
        /* not running */
      }
    }
    rmSync(this.path, { force: true });
  }

  add(m: Pick<Managed, 'pid' | 'name'>): void {
    writeFileSync(this.path, `${m.pid} ${m.name}\n`, { flag: 'a' });
  }

  clear(): void {
    rmSync(this.path, { force: true });
  }
}

// ---------------------------------------------------------------- Temporal

export interface TemporalOptions {
  port: number;
  /** null: no Web UI */
  uiPort: number | null;
  /** SQLite file for state that survives restarts; omitted: in memory */
  dbFile?: string;
  namespace?: string;
  logFile?: string;
}

export async function startTemporal(opts: TemporalOptions): Promise<Managed> {
  if (!existsSync(TEMPORAL_BIN)) {
    throw new Error(`Temporal CLI not found at ${TEMPORAL_BIN}: run \`npm run setup\` first`);
  }
  if (await portOpen(opts.port)) {
    throw new Error(`port ${opts.port} is already in use: is another Temporal server running?`);
  }
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--log-level', 'error'];
  args.push(...(opts.uiPort === null ? ['--headless'] : ['--ui-port', String(opts.uiPort)]));
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  if (opts.namespace && opts.namespace !== 'default') args.push('--namespace', opts.namespace);
  for (const name of SEARCH_ATTRIBUTE_NAMES) args.push('--search-attribute', `${name}=Keyword`);
  const proc = spawnManaged('temporal', TEMPORAL_BIN, args, { logFile: opts.logFile });
  await waitFor(`Temporal on :${opts.port}`, () => temporalServing(opts.port), 60_000, proc.exitReason);
  return proc;
}

/** True once the frontend answers the health check (the port opens before). */
export async function temporalServing(port: number): Promise<boolean> {
  if (!(await portOpen(port))) return false;
  try {
    execFileSync(TEMPORAL_BIN, ['operator', 'cluster', 'health', '--address', `127.0.0.1:${port}`], {
      stdio: 'ignore',
      timeout: 5_000,
    });
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- Toxiproxy

/** Toxiproxy's server on 127.0.0.1:`port` (its HTTP API; the proxies it serves are created through it). */
export async function startToxiproxy(port: number, logFile?: string): Promise<Managed> {
  if (!existsSync(TOXIPROXY_BIN)) throw new Error(`Toxiproxy not found at ${TOXIPROXY_BIN}: run \`npm run setup\` first`);
  if (await portOpen(port)) throw new Error(`port ${port} is already in use: is another Toxiproxy running?`);
  const proc = spawnManaged('toxiproxy', TOXIPROXY_BIN, ['-host', '127.0.0.1', '-port', String(port)], { logFile, env: { ...process.env, LOG_LEVEL: 'warn' } });
  await waitFor(`Toxiproxy on :${port}`, () => portOpen(port), 30_000, proc.exitReason);
  return proc;
}

// ---------------------------------------------------------------- PostgreSQL

function pgBinDir(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('PostgreSQL is not installed: run `npm run setup`');
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres')));
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  return join(root, newest, 'bin');
}

/** Runs a PostgreSQL tool as the postgres OS user when we are root (initdb refuses root). */
function asPostgres(cmd: string, args: string[], input?: string): string {
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  return execFileSync(file, argv, { cwd: '/tmp', encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface PostgresHandle {
  port: number;
  /** superuser psql over the cluster's socket */
  psql(sql: string, db?: string): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  startedHere: boolean;
}

/**
 * A private cluster in its own data directory and port: the tests' database,
 * which they may stop and restart without touching the demo's.
 */
export interface PrivatePostgresOptions {
  /** write-ahead log flushed to disk (production's setting); default off: the tests' clusters trade durability for speed */
  fsync?: boolean;
  /** more `-c name=value` server settings (e.g. shared_preload_libraries=pg_stat_statements) */
  settings?: Record<string, string>;
}

export async function startPrivatePostgres(name: string, port: number, opts: PrivatePostgresOptions = {}): Promise<PostgresHandle> {
  const bin = pgBinDir();
  const dataDir = isRoot ? join('/var/lib/postgresql/endpoint-inventory', name) : join(CACHE_DIR, 'pg', name);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    say(`initialising PostgreSQL cluster ${name} in ${dataDir}`);
    mkdirSync(dataDir, { recursive: true });
    if (isRoot) execFileSync('chown', ['-R', 'postgres:postgres', join(dataDir, '..')]);
    asPostgres(join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  }
  const settings = Object.entries({ fsync: opts.fsync ? 'on' : 'off', ...opts.settings })
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
  const ctl = (action: string) =>
    asPostgres(join(bin, 'pg_ctl'), [
      '-D',
      dataDir,
      '-w',
      '-t',
      '60',
      '-l',
      join(dataDir, 'server.log'),
      ...(action === 'start' ? ['-o', `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 ${settings} -c max_connections=200`] : ['-m', 'fast']),
      action,
    ]);
  const running = () => existsSync(join(dataDir, 'postmaster.pid')) && portOpenSync(port);
  let startedHere = false;
  const handle: PostgresHandle = {
    port,
    startedHere,
    psql: (sql, db = 'postgres') =>
      asPostgres(join(bin, 'psql'), ['-h', dataDir, '-p', String(port), '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql]),
    async start() {
      if (await portOpen(port)) return;
      ctl('start');
      startedHere = true;
      handle.startedHere = true;
    },
    // eslint-disable-next-line @typescript-eslint/require-await -- PostgresHandle.stop() is async; a failing pg_ctl becomes a rejection
    async stop() {
      if (existsSync(join(dataDir, 'postmaster.pid'))) ctl('stop');
    },
  };
  if (!running()) await handle.start();
  return handle;
}

function portOpenSync(port: number): boolean {
  try {
    execFileSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`], { stdio: 'ignore', timeout: 2000 });
    return true;
  } catch {
    return false;
  }
}

/** Debian's own cluster (pg_ctlcluster), started if down; stopped later only if we started it. */
export async function startSystemPostgres(): Promise<PostgresHandle> {
  const bin = pgBinDir();
  const version = bin.split('/').at(-2) ?? '15';
  const status = () => execFileSync('pg_lsclusters', ['-h'], { encoding: 'utf8' });
  const line = status()
    .split('\n')
    .find((l) => l.startsWith(`${version} main`));
  if (!line) throw new Error(`no PostgreSQL cluster "${version} main": run \`npm run setup\``);
  const port = Number(line.split(/\s+/)[2]);
  let startedHere = false;
  const handle: PostgresHandle = {
    port,
    startedHere,
    psql: (sql, db = 'postgres') => asPostgres('psql', ['-p', String(port), '-d', db, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql]),
    // eslint-disable-next-line @typescript-eslint/require-await -- PostgresHandle.start() is async; a failing pg_ctlcluster becomes a rejection
    async start() {
      if (
        /\bonline\b/.test(
          status()
            .split('\n')
            .find((l) => l.startsWith(`${version} main`)) ?? '',
        )
      )
        return;
      say(`starting PostgreSQL ${version}/main on :${port}`);
      execFileSync('pg_ctlcluster', [version, 'main', 'start'], { stdio: 'inherit' });
      startedHere = true;
      handle.startedHere = true;
    },
    // eslint-disable-next-line @typescript-eslint/require-await -- PostgresHandle.stop() is async; a failing pg_ctlcluster becomes a rejection
    async stop() {
      if (startedHere) {
        say(`stopping PostgreSQL ${version}/main`);
        execFileSync('pg_ctlcluster', [version, 'main', 'stop'], { stdio: 'inherit' });
      }
    },
  };
  await handle.start();
  await waitFor(`PostgreSQL on :${port}`, () => portOpen(port), 30_000);
  return handle;
}

/** Creates the role and database if missing; returns the DATABASE_URL for them. */
export function ensureRoleAndDatabase(pg: PostgresHandle, role: string, password: string, db: string): string {
  const q = (s: string) => s.replace(/'/g, "''");
  pg.psql(
    `DO $$ BEGIN
       IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${q(role)}') THEN
         CREATE ROLE "${role}" LOGIN PASSWORD '${q(password)}';
       END IF;
     END $$;`,
  );
  if (pg.psql(`SELECT 1 FROM pg_database WHERE datname = '${q(db)}'`).trim() !== '1') {
    pg.psql(`CREATE DATABASE "${db}" OWNER "${role}"`);
  }
  // extensions need a superuser; create them here so migrations find them
  pg.psql('CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS btree_gin;', db);
  return `postgresql://${encodeURIComponent(role)}:${encodeURIComponent(password)}@127.0.0.1:${pg.port}/${db}`;
}

// ---------------------------------------------------------------- the full Temporal server

export const TEMPORAL_SERVER_VERSION = '1.29.1';
/** where scripts/setup.sh puts temporal-server, temporal-sql-tool and the module's schema and config */
export const TEMPORAL_SERVER_DIR = process.env.TEMPORAL_SERVER_DIR ?? join(CACHE_DIR, `temporal-server-v${TEMPORAL_SERVER_VERSION}`);

export interface FullTemporalOptions {
  /** the frontend's gRPC port; the others follow it: history +1, matching +2, worker +3, frontend HTTP +4, membership +5…+8 */
  port: number;
  /** the PostgreSQL cluster holding its two databases */
  pg: PostgresHandle;
  /** names its databases (`temporal_<name>`, `temporal_<name>_visibility`) and its state directory */
  name: string;
  /** drop its databases first (tests); otherwise workflows survive a restart */
  fresh?: boolean;
  /** default TEMPORAL_HISTORY_SHARDS or 4; fixed when the databases are made */
  historyShards?: number;
  namespace?: string;
  /** the Web UI (temporal-ui-server, when set-up built it); null: none */
  uiPort?: number | null;
  logFile?: string;
  /** TLS on the frontend: its certificate and key, and the CA whose client certificates it accepts */
  tls?: { certFile: string; keyFile: string; caFile: string; serverName: string; clientCertFile: string; clientKeyFile: string };
}

export interface FullTemporal extends Managed {
  /** the server alone, stopped and started again with the same databases and ports (callers restart it) */
  restart(): Promise<void>;
  address: string;
  uiUrl?: string;
  /** the Web UI's process, when it runs (for a pid file: it has a process group of its own) */
  ui?: Managed;
}

const FULL_SERVER_BIN = () => join(TEMPORAL_SERVER_DIR, 'temporal-server');
const SQL_TOOL_BIN = () => join(TEMPORAL_SERVER_DIR, 'temporal-sql-tool');
const UI_SERVER_BIN = () => join(TEMPORAL_SERVER_DIR, 'temporal-ui-server');

/** The full server (frontend, history, matching and worker services) on PostgreSQL databases of its own. */
export async function startFullTemporal(opts: FullTemporalOptions): Promise<FullTemporal> {
  if (!existsSync(FULL_SERVER_BIN()) || !existsSync(SQL_TOOL_BIN())) {
    throw new Error(`the full Temporal server is not built in ${TEMPORAL_SERVER_DIR}: run \`TEMPORAL_SERVER=full npm run setup\` first`);
  }
  if (await portOpen(opts.port)) throw new Error(`port ${opts.port} is already in use: is another Temporal server running?`);
  const shards = opts.historyShards ?? Number(process.env.TEMPORAL_HISTORY_SHARDS ?? 4);
  if (!Number.isInteger(shards) || shards < 1) throw new Error(`TEMPORAL_HISTORY_SHARDS must be a positive integer, got ${shards}`);
  const dir = join(CACHE_DIR, 'temporal-full', opts.name);
  mkdirSync(join(dir, 'config', 'dynamicconfig'), { recursive: true });
  const db = `temporal_${opts.name.replace(/[^a-z0-9_]/gi, '_')}`;
  const dbs = { main: db, visibility: `${db}_visibility` };
  prepareTemporalDatabases(opts.pg, dbs, shards, opts.fresh ?? false);
  writeFileSync(join(dir, 'config', 'dynamicconfig', 'dynamic.yaml'), FULL_DYNAMIC_CONFIG);
  writeFileSync(join(dir, 'config', 'server.yaml'), JSON.stringify(fullServerConfig(opts, dbs, shards, dir), null, 2));
  const target: TemporalTargetLike = {
    address: `127.0.0.1:${opts.port}`,
    tls: opts.tls
      ? {
          serverNameOverride: opts.tls.serverName,
          serverRootCACertificate: readFileSync(opts.tls.caFile),
          clientCertPair: { crt: readFileSync(opts.tls.clientCertFile), key: readFileSync(opts.tls.clientKeyFile) },
        }
      : undefined,
  };
  const args = ['--root', dir, '--config', 'config', '--env', 'server', '--allow-no-auth', 'start'];
  let server = spawnManaged('temporal-server', FULL_SERVER_BIN(), args, { logFile: opts.logFile ?? join(dir, 'server.log') });
  const up = async () => {
    await waitFor(`the full Temporal server on :${opts.port}`, () => fullTemporalServing(target), 120_000, server.exitReason);
  };
  let ui: (Managed & { exitReason: () => string | undefined }) | undefined;
  let uiUrl: string | undefined;
  try {
    await up();
    await ensureNamespaceAndSearchAttributes(target, opts.namespace ?? 'default');
    ({ ui, uiUrl } = await startUi(opts, target, dir));
  } catch (err) {
    // nothing started here outlives a failed start
    await ui?.stop();
    await server.stop();
    throw err;
  }
  const handle: FullTemporal = {
    name: 'temporal-server',
    get pid() {
      return server.pid;
    },
    address: target.address,
    uiUrl,
    ui,
    async stop() {
      await ui?.stop();
      await server.stop();
    },
    async restart() {
      await server.stop();
      server = spawnManaged('temporal-server', FULL_SERVER_BIN(), args, { logFile: opts.logFile ?? join(dir, 'server.log') });
      await up();
    },
  };
  return handle;
}

/** temporal-ui-server against the full server, when set-up built it. */
async function startUi(
  opts: FullTemporalOptions,
  target: TemporalTargetLike,
  dir: string,
): Promise<{ ui?: Managed & { exitReason: () => string | undefined }; uiUrl?: string }> {
  if (opts.uiPort == null) return {};
  if (!existsSync(UI_SERVER_BIN())) {
    say(`no Web UI for the full server: temporal-ui-server is not built in ${TEMPORAL_SERVER_DIR}`);
    return {};
  }
  const uiConfig = join(dir, 'config', 'ui.yaml');
  writeFileSync(uiConfig, JSON.stringify(uiServerConfig(opts, target), null, 2));
  const ui = spawnManaged('temporal-ui', UI_SERVER_BIN(), ['--root', dir, '--config', 'config', '--env', 'ui', 'start'], { logFile: join(dir, 'ui.log') });
  try {
    await waitFor(`Temporal Web UI on :${opts.uiPort}`, () => portOpen(opts.uiPort!), 30_000, ui.exitReason);
  } catch (err) {
    await ui.stop();
    throw err;
  }
  return { ui, uiUrl: `http://localhost:${opts.uiPort}` };
}

/** What the scripts connect with: the same shape as src/temporal/connection.ts's target. */
interface TemporalTargetLike {
  address: string;
  tls?: { serverNameOverride?: string; serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } };
}

/** The frontend answers its health check (the port opens before it can). */
export async function fullTemporalServing(target: TemporalTargetLike): Promise<boolean> {
  if (!(await portOpen(Number(target.address.split(':').pop())))) return false;
  try {
    const conn = await Connection.connect({ address: target.address, tls: target.tls, connectTimeout: 3_000 });
    try {
      await conn.withDeadline(Date.now() + 3_000, () => conn.healthService.check({}));
      return true;
    } finally {
      await conn.close();
    }
  } catch {
    return false;
  }
}

/** Registers the namespace (if missing) and the search attributes the workflows use. */
async function ensureNamespaceAndSearchAttributes(target: TemporalTargetLike, namespace: string): Promise<void> {
  const conn = await Connection.connect({ address: target.address, tls: target.tls });
  try {
    try {
      await conn.workflowService.describeNamespace({ namespace });
    } catch {
      await conn.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') });
      say(`namespace ${namespace} registered`);
    }
    // the frontend learns of a new namespace through its cache: wait until it answers for it
    await waitFor(
      `namespace ${namespace}`,
      async () =>
        conn.workflowService
          .listWorkflowExecutions({ namespace, pageSize: 1 })
          .then(() => true)
          .catch(() => false),
      60_000,
    );
    const result = await ensureSearchAttributes(conn, namespace, { info: say, warn: say });
    if (result.refused) throw new Error(`search attributes not registered: ${result.refused.reason}`);
  } finally {
    await conn.close();
  }
}

function prepareTemporalDatabases(pg: PostgresHandle, dbs: { main: string; visibility: string }, shards: number, fresh: boolean): void {
  pg.psql(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'temporal') THEN CREATE ROLE temporal LOGIN PASSWORD 'temporal'; END IF; END $$;`);
  for (const [kind, db] of [
    ['temporal', dbs.main],
    ['visibility', dbs.visibility],
  ] as const) {
    if (fresh) pg.psql(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    if (pg.psql(`SELECT 1 FROM pg_database WHERE datname = '${db}'`).trim() !== '1') pg.psql(`CREATE DATABASE "${db}" OWNER temporal`);
    const tool = (...args: string[]) =>
      execFileSync(
        SQL_TOOL_BIN(),
        ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(pg.port), '-u', 'temporal', '--pw', 'temporal', '--db', db, ...args],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
    const hasSchema = pg.psql(`SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_version'`, db).trim() === '1';
    if (!hasSchema) tool('setup-schema', '-v', '0.0');
    tool('update-schema', '-d', join(TEMPORAL_SERVER_DIR, 'schema', 'postgresql', 'v12', kind, 'versioned'));
  }
  // the shard count is fixed once history has rows: a different one later would strand them
  const existing = pg.psql(`SELECT count(*) FROM shards`, dbs.main).trim();
  if (existing !== '0' && Number(existing) !== shards) {
    throw new Error(
      `database ${dbs.main} was made with ${existing} history shards, not ${shards}: keep TEMPORAL_HISTORY_SHARDS=${existing} or drop the database`,
    );
  }
}

const FULL_DYNAMIC_CONFIG = `# written by scripts/lib/stack.ts
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
frontend.enableUpdateWorkflowExecution:
  - value: true
frontend.enableUpdateWorkflowExecutionAsyncAccepted:
  - value: true
`;

/** The module's config/development-postgres12.yaml with this run's ports, databases, shard count and TLS (JSON is YAML). */
function fullServerConfig(opts: FullTemporalOptions, dbs: { main: string; visibility: string }, shards: number, dir: string): object {
  const p = opts.port;
  const sql = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `127.0.0.1:${opts.pg.port}`,
      connectProtocol: 'tcp',
      user: 'temporal',
      password: 'temporal',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number, extra: object = {}) => ({ rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra } });
  const tls = opts.tls
    ? {
        frontend: {
          server: { certFile: opts.tls.certFile, keyFile: opts.tls.keyFile, requireClientAuth: true, clientCaFiles: [opts.tls.caFile] },
          client: { serverName: opts.tls.serverName, rootCaFiles: [opts.tls.caFile] },
        },
        systemWorker: {
          certFile: opts.tls.clientCertFile,
          keyFile: opts.tls.clientKeyFile,
          client: { serverName: opts.tls.serverName, rootCaFiles: [opts.tls.caFile] },
        },
      }
    : undefined;
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: shards,
      datastores: { 'postgres-default': sql(dbs.main, 20), 'postgres-visibility': sql(dbs.visibility, 10) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' }, ...(tls ? { tls } : {}) },
    services: {
      frontend: rpc(p, p + 5, { httpPort: p + 4 }),
      history: rpc(p + 1, p + 6),
      matching: rpc(p + 2, p + 7),
      worker: rpc(p + 3, p + 8),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${p}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: join(dir, 'config', 'dynamicconfig', 'dynamic.yaml'), pollInterval: '10s' },
  };
}

/** temporal-ui-server's config (its development.yaml's shape) pointed at this server. */
function uiServerConfig(opts: FullTemporalOptions, target: TemporalTargetLike): object {
  return {
    temporalGrpcAddress: target.address,
    host: '127.0.0.1',
    port: opts.uiPort,
    enableUi: true,
    defaultNamespace: opts.namespace ?? 'default',
    cors: { allowOrigins: [`http://localhost:${opts.uiPort}`], cookieInsecure: true },
    ...(opts.tls
      ? {
          tls: {
            caFile: opts.tls.caFile,
            certFile: opts.tls.clientCertFile,
            keyFile: opts.tls.clientKeyFile,
            serverName: opts.tls.serverName,
            enableHostVerification: true,
          },
        }
      : {}),
  };
}
