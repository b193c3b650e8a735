// `ops check-now`: the monitor's checkNow update (as POST /v1/inventory/check):
// it evaluates every grouping at once and answers with its report. No monitor
// running, or no worker to run it, is a dependency that is not there (exit 3).
import { CliContext, EXIT, unreachable } from '../context';
import { iso, json } from '../format';
import { Unavailable } from '../../domain/errors';
import { withTimeout } from '../../temporal/gateway';
import { checkNow } from '../../usecases/inventory';
import type { InventoryReport } from '../../../workflows/shared';

export interface CheckNowOptions {
  json?: boolean;
  timeoutMs: number;
}

export async function checkNowCommand(ctx: CliContext, opts: CheckNowOptions): Promise<number> {
  const temporal = await ctx.gateway();
  let report: InventoryReport;
  try {
    report = await withTimeout(checkNow({ temporal }), opts.timeoutMs, 'check-now');
  } catch (err) {
    // Temporal itself away names its dependency; no monitor running does not
    if (err instanceof Unavailable && !err.dependency) throw unreachable('the inventory monitor is not running (a worker starts it: `npm run worker`)');
    if (/timed out after/.test((err as Error).message)) {
      throw unreachable(
        `the inventory monitor did not answer within ${opts.timeoutMs / 1000}s: is a worker polling task queue "${ctx.config().TEMPORAL_TASK_QUEUE}"?`,
      );
    }
    throw err;
  }
  if (opts.json) {
    ctx.out(json(report));
    return EXIT.OK;
  }
  ctx.out(
    `evaluated ${report.groupings} grouping${report.groupings === 1 ? '' : 's'} at ${iso(report.evaluatedAt)}: ${report.belowMin} below minimum, ${report.aboveMax} above maximum`,
  );
  for (const a of report.acquire) ctx.out(`  acquire ${a.quantity} for ${a.name}: ${a.reason}`);
  for (const r of report.release) ctx.out(`  release ${r.quantity} from ${r.name}: ${r.reason}`);
  if (report.batchDeadline) ctx.out(`orders are placed at ${iso(report.batchDeadline)} (after the batching window)`);
  else if (!report.acquire.length && !report.release.length) ctx.out('nothing to order or release');
  return EXIT.OK;
}
