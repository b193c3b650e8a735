// Starting and stopping the real parts for the demo and the tests: a
// PostgreSQL cluster from Debian's packages and the Temporal CLI's dev server.
// Each start is idempotent and each stop stops only what this process started.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
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
export async function startPrivatePostgres(name: string, port: number): Promise<PostgresHandle> {
  const bin = pgBinDir();
  const dataDir = isRoot ? join('/var/lib/postgresql/endpoint-inventory', name) : join(CACHE_DIR, 'pg', name);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    say(`initialising PostgreSQL cluster ${name} in ${dataDir}`);
    mkdirSync(dataDir, { recursive: true });
    if (isRoot) execFileSync('chown', ['-R', 'postgres:postgres', join(dataDir, '..')]);
    asPostgres(join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  }
  const ctl = (action: string) =>
    asPostgres(join(bin, 'pg_ctl'), [
      '-D',
      dataDir,
      '-w',
      '-t',
      '60',
      '-l',
      join(dataDir, 'server.log'),
      ...(action === 'start' ? ['-o', `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`] : ['-m', 'fast']),
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
