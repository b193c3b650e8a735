// Progress on stderr, so stdout stays the command's result. A terminal gets a
// bar redrawn in place; a log (CI, a pipe) gets a plain line every few
// seconds, and one at the end.

export interface Progress {
  update(done: number): void;
  finish(note?: string): void;
}

export interface ProgressOptions {
  write: (text: string) => void;
  tty: boolean;
  label: string;
  total: number;
  /** plain lines at most this often (ms) */
  every?: number;
  now?: () => number;
}

const WIDTH = 28;

export function progress(opts: ProgressOptions): Progress {
  const now = opts.now ?? Date.now;
  const started = now();
  let last = -Infinity;
  let done = 0;
  let drawn = false;
  const every = opts.every ?? 5_000;

  const text = (): string => {
    const total = Math.max(opts.total, 1);
    const pct = Math.min(100, Math.floor((done / total) * 100));
    const secs = (now() - started) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const eta = rate > 0 && done < opts.total ? ` eta ${Math.ceil((opts.total - done) / rate)}s` : '';
    return `${opts.label} ${done}/${opts.total} (${pct}%) ${rate.toFixed(0)}/s${eta}`;
  };

  return {
    update(n) {
      done = n;
      const t = now();
      if (opts.tty) {
        if (t - last < 100 && done < opts.total) return;
        last = t;
        const filled = Math.round((Math.min(done, opts.total) / Math.max(opts.total, 1)) * WIDTH);
        opts.write(`\r[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${text()}\x1b[K`);
        drawn = true;
      } else if (t - last >= every && done < opts.total) {
        last = t;
        opts.write(`${text()}\n`);
      }
    },
    finish(note) {
      const t = ((now() - started) / 1000).toFixed(1);
      const line = `${opts.label} ${done}/${opts.total} in ${t}s${note ? `: ${note}` : ''}`;
      opts.write(opts.tty && drawn ? `\r${line}\x1b[K\n` : `${line}\n`);
    },
  };
}
