// `ops geo-backfill`: the place of endpoints that came in before the place
// data did (src/usecases/geo-backfill.ts), with progress on stderr.
import { CliContext, EXIT } from '../context';
import { json } from '../format';
import { progress } from '../progress';
import { geoBackfill } from '../../usecases/geo-backfill';

export async function geoBackfillCommand(ctx: CliContext, opts: { all?: boolean; batch: number; json?: boolean }): Promise<number> {
  const db = await ctx.db();
  let bar: ReturnType<typeof progress> | null = null;
  const result = await geoBackfill(db, {
    all: opts.all,
    batch: opts.batch,
    aborted: () => ctx.aborted,
    onProgress: (done, total) => {
      bar ??= progress({ write: (t) => ctx.io.stderr(t), tty: ctx.io.stderrIsTTY ?? false, label: 'geo-backfill', total });
      bar.update(done);
    },
  });
  (bar as ReturnType<typeof progress> | null)?.finish(result.interrupted ? 'interrupted' : undefined);
  if (opts.json) ctx.out(json(result));
  else {
    ctx.out(`endpoints looked up: ${result.checked}; placed: ${result.placed}; unknown to the place data: ${result.unknown}`);
    if (result.interrupted) ctx.out('interrupted: run it again to go on where it stopped');
  }
  return result.interrupted ? EXIT.PROBLEM : EXIT.OK;
}
