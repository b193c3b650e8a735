// Worker and API processes under supervision, for the fault suite and the
// scale-out test: each runs as its own process group (so SIGKILL takes all of
// it), logs to a file, and is restarted by its supervisor when it dies while
// it is wanted — as systemd or Kubernetes would.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnManaged, waitFor } from './stack';

const ROOT = join(__dirname, '..', '..');

export interface ServiceOptions {
  name: string;
  script: 'workers/main.ts' | 'src/main.ts';
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** resolves true once the process serves (API: /health answers; worker: workerReady) */
  ready?: (pid: number) => Promise<boolean>;
  /** restart it when it dies while wanted; default true */
  supervise?: boolean;
  /** told of every process started (e.g. to remember its pid for a later clean-up) */
  onSpawn?: (p: { name: string; pid: number }) => void;
  /** a command the process runs under, e.g. ['faketime', '-f', '+40s'] (it must exec node, keeping the pid); read at each (re)start */
  prefix?: string[];
}

export class Service {
  private proc: ReturnType<typeof spawnManaged> | undefined;
  private wanted = false;
  restarts = 0;
  kills = 0;

  constructor(readonly opts: ServiceOptions) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async start(): Promise<void> {
    this.wanted = true;
    this.spawn();
    await this.waitReady();
  }

  private spawn(): void {
    const args = ['--import', 'tsx', this.opts.script];
    const [command, ...rest] = this.opts.prefix?.length ? [...this.opts.prefix, process.execPath, ...args] : [process.execPath, ...args];
    const proc = spawnManaged(this.opts.name, command!, rest, {
      env: this.opts.env,
      cwd: ROOT,
      logFile: this.opts.logFile,
    });
    this.proc = proc;
    this.opts.onSpawn?.({ name: this.opts.name, pid: proc.pid });
    proc.child.once('exit', () => {
      if (this.proc !== proc || !this.wanted || this.opts.supervise === false) return;
      // the supervisor brings it back after a second
      setTimeout(() => {
        if (this.proc === proc && this.wanted) {
          this.restarts++;
          this.spawn();
        }
      }, 1000);
    });
  }

  /** SIGKILL to the whole process group: no shutdown hooks, nothing flushed. */
  kill(): void {
    if (!this.proc || this.proc.exitReason()) return;
    this.kills++;
    try {
      process.kill(-this.proc.pid, 'SIGKILL');
    } catch {
      /* gone already */
    }
  }

  /** Kills it and keeps it down until start(). */
  async killAndHold(): Promise<void> {
    this.wanted = false;
    const proc = this.proc;
    this.kill();
    if (proc && !proc.exitReason()) await new Promise<void>((r) => proc.child.once('exit', () => r()));
  }

  /** until the current process serves (a process that dies meanwhile is replaced by the supervisor) */
  async waitReady(timeoutMs = 90_000): Promise<void> {
    const ready = this.opts.ready;
    if (ready) await waitFor(this.opts.name, async () => this.proc !== undefined && !this.proc.exitReason() && ready(this.proc.pid), timeoutMs);
  }

  /** whether the current process is up and serving */
  async isReady(): Promise<boolean> {
    return this.proc !== undefined && !this.proc.exitReason() && (this.opts.ready ? this.opts.ready(this.proc.pid) : true);
  }

  async stop(): Promise<void> {
    this.wanted = false;
    await this.proc?.stop();
  }
}

export const apiReady = (url: string) => async (): Promise<boolean> => (await fetch(`${url}/health`).catch(() => undefined))?.status === 200;

/** a worker serves once its log says so (workers/main.ts logs "worker running" with its pid) */
export function workerReady(logFile: string): (pid: number) => Promise<boolean> {
  // eslint-disable-next-line @typescript-eslint/require-await -- fits ready(): Promise<boolean>; a read error becomes a rejection
  return async (pid) => {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    return log.includes(`"pid":${pid},"name":"worker","taskQueue"`);
  };
}
