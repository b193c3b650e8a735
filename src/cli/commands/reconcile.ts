// `ops reconcile`: every running endpoint workflow against its row (invariant
// 2), the same use case and report as `npm run reconcile`.
import { CliContext, EXIT } from '../context';
import { json } from '../format';
import { lifecyclePolicy } from '../../config';
import { driftLine, reconcileEndpoints } from '../../usecases/reconcile';

export async function reconcileCommand(ctx: CliContext, opts: { repair?: boolean; json?: boolean }): Promise<number> {
  const config = ctx.config();
  const db = await ctx.db();
  const temporal = await ctx.gateway();
  let last = 0;
  const tty = ctx.io.stderrIsTTY ?? false;
  const report = await reconcileEndpoints(
    { db, temporal, policy: lifecyclePolicy(config) },
    {
      repair: opts.repair,
      onProgress: (done) => {
        const now = Date.now();
        if (now - last < (tty ? 200 : 5000)) return;
        last = now;
        ctx.io.stderr(tty ? `\rreconcile: ${done} workflows queried\x1b[K` : `reconcile: ${done} workflows queried\n`);
      },
    },
  );
  if (tty && last) ctx.io.stderr('\r\x1b[K');
  if (opts.json) {
    ctx.out(json(report));
  } else {
    ctx.out(`endpoint workflows running: ${report.workflows}; rows: ${report.rows}; drift: ${report.drift.length}`);
    for (const d of report.drift) {
      ctx.out(driftLine(d));
    }
    const left = report.drift.filter((d) => !d.repaired).length;
    if (left && !opts.repair) ctx.out('run `ops reconcile --repair` to repair state_mismatch, field_mismatch and no_workflow; no_row is left for an operator');
  }
  return report.drift.every((d) => d.repaired) ? EXIT.OK : EXIT.PROBLEM;
}
