// `npm run reconcile [-- --repair] [-- --json]`: compares every endpoint
// workflow with its PostgreSQL row and prints the drift (invariant 2).
// Exit code: 0 no drift (or all repaired), 1 drift left, 2 could not run.
import { lifecyclePolicy, loadConfig } from '../src/config';
import { createDb } from '../src/db/client';
import { TemporalGateway } from '../src/temporal/gateway';
import { driftLine, reconcileEndpoints } from '../src/usecases/reconcile';

async function main(): Promise<number> {
  const args = new Set(process.argv.slice(2));
  if (args.has('--help') || args.has('-h')) {
    console.log(
      'usage: npm run reconcile [-- --repair] [-- --json]\n  --repair  rewrite drifted rows from their workflow; start workflows for live rows without one\n  --json    print the report as JSON',
    );
    return 0;
  }
  const config = loadConfig();
  const db = createDb(config.DATABASE_URL, 4);
  const temporal = TemporalGateway.fromConfig(config);
  try {
    const report = await reconcileEndpoints({ db, temporal, policy: lifecyclePolicy(config) }, { repair: args.has('--repair') });
    if (args.has('--json')) {
      console.log(JSON.stringify(report, null, 2));
    } else {
      console.log(`endpoint workflows running: ${report.workflows}; rows: ${report.rows}; drift: ${report.drift.length}`);
      for (const d of report.drift) {
        console.log(driftLine(d));
      }
    }
    return report.drift.every((d) => d.repaired) ? 0 : 1;
  } finally {
    await temporal.close();
    await db.$disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`reconcile: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
