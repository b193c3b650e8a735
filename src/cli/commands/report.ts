// `ops report`: the inventory per grouping — available against its
// thresholds, what is on its way, the allocation rate and when it runs out —
// from the monitor's own evaluation (as GET /v1/inventory), not kept as a
// snapshot, with what the monitor would ask for.
import { CliContext, EXIT } from '../context';
import { releasePrediction } from '../../config';
import { humanSeconds, json, table } from '../format';
import { decide, effectiveThresholds } from '../../domain/inventory';
import { inventoryReport, type ReportWindow } from '../../usecases/inventory';

export { REPORT_WINDOWS } from '../../usecases/inventory';

export interface ReportOptions {
  json?: boolean;
  window: ReportWindow;
  failBelowMin?: boolean;
}

export async function reportCommand(ctx: CliContext, opts: ReportOptions): Promise<number> {
  const config = ctx.config();
  // as the monitor decides: with its release prediction, when on
  const metrics = await inventoryReport(
    { db: await ctx.db(), unmetPerAccount: config.UNMET_DEMAND_PER_ACCOUNT, releasePrediction: releasePrediction(config) },
    opts.window,
  );
  const rows = metrics.map((m) => {
    const t = effectiveThresholds(m);
    const d = decide(m);
    const status = m.available < t.minAvailable ? 'BELOW_MIN' : m.available - m.onRelease > t.maxAvailable ? 'ABOVE_MAX' : 'OK';
    return { m, t, d, status };
  });
  const below = rows.filter((r) => r.status === 'BELOW_MIN').length;

  if (opts.json) {
    ctx.out(
      json({
        window: opts.window,
        groupings: rows.map(({ m, t, d, status }) => ({
          ...m,
          effective: t,
          status,
          wants: d ? { kind: d.kind, quantity: d.quantity, reason: d.reason } : null,
        })),
      }),
    );
  } else if (rows.length === 0) {
    ctx.out('no enabled groupings (create them with POST /v1/groupings)');
  } else {
    ctx.out(
      table(
        ['grouping', 'available', 'min/target/max', 'status', 'in quarantine', 'on order', 'alloc/h', 'depletes in', 'unmet', 'wants'],
        rows.map(({ m, t, d, status }) => [
          m.name,
          m.available,
          `${t.minAvailable}/${t.targetAvailable}/${t.maxAvailable}${m.autoAdjust ? '*' : ''}`,
          status,
          m.inQuarantine,
          m.onOrder,
          m.allocationRate.toFixed(2),
          humanSeconds(m.depletionSeconds),
          m.unmetSearches,
          d ? `${d.kind === 'acquire' ? '+' : '-'}${d.quantity}` : '',
        ]),
      ),
    );
    ctx.out(
      `${rows.length} grouping${rows.length === 1 ? '' : 's'} over the last ${opts.window}; ${below} below minimum` +
        (rows.some((r) => r.m.autoAdjust) ? '; * thresholds raised by auto-adjust' : ''),
    );
  }
  return opts.failBelowMin && below > 0 ? EXIT.PROBLEM : EXIT.OK;
}
