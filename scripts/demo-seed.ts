// The demo's first inventory: providers, accounts and numbers delivered into
// quarantine through the same ingest use case the API uses. Durations are the
// demo's configuration (scripts/stack.ts shortens them), not other code.
import { lifecyclePolicy, type Config } from '../src/config';
import { createDb } from '../src/db/client';
import { ensureAccount } from '../src/db/accounts';
import { stateCounts as countStates } from '../src/db/dashboard';
import { groupingNamed } from '../src/db/groupings';
import { createProvider, findProvider, updateProvider } from '../src/db/providers';
import { TemporalGateway } from '../src/temporal/gateway';
import { ingest } from '../src/usecases/ingest';
import { createGrouping } from '../src/usecases/groupings';
import { createApiKey } from '../src/usecases/keys';
import { reconcileEndpoints } from '../src/usecases/reconcile';

/** The simulated carriers of the demo: one quick and mostly right, one slower and dearer. */
export const DEMO_CARRIERS = [
  {
    id: 'sim-west',
    secret: 'sim-west-secret',
    deliveryDelayMs: 8000,
    genericPoolRate: 0.1,
    partialFillRate: 0.2,
    inboundTrafficRate: 0.3,
    // capability tests: some MMS and SMS never arrive, a few test calls land on another number
    testDelayMs: 500,
    testLateDelayMs: 60_000,
    testFailureRates: { mms: { not_delivered: 0.3 }, sms: { not_delivered: 0.05 }, voice: { wrong_number: 0.03 } },
  },
  { id: 'sim-east', secret: 'sim-east-secret', deliveryDelayMs: 15000, inboundTrafficRate: 0.1, testDelayMs: 500 },
];

export async function seedDemo(config: Config, log: (line: string) => void, simulatorUrl: string): Promise<{ operatorKey: string; platformKey: string }> {
  const db = createDb(config.DATABASE_URL, 4);
  const temporal = gatewayOf(config);
  try {
    await temporal.client(); // Temporal first: nothing is written when it cannot be reached
    for (const [id, name] of [
      ['acct-demo-1', 'Demo Account One'],
      ['acct-demo-2', 'Demo Account Two'],
    ] as const) {
      await ensureAccount(db, { id, name });
    }
    const carriers = [
      {
        id: 'sim-west',
        name: 'Simulated Carrier West',
        kind: 'API' as const,
        apiBaseUrl: `${simulatorUrl}/carriers/sim-west`,
        webhookSecret: 'sim-west-secret',
        countries: ['US'],
        npas: ['415', '628', '510'],
        costPerNumberCents: 100,
        reliabilityScore: 0.85,
      },
      {
        id: 'sim-east',
        name: 'Simulated Carrier East',
        kind: 'API' as const,
        apiBaseUrl: `${simulatorUrl}/carriers/sim-east`,
        webhookSecret: 'sim-east-secret',
        countries: ['US'],
        costPerNumberCents: 180,
        reliabilityScore: 0.9,
      },
      {
        id: 'paper-telecom',
        name: 'Paper Telecom (no API)',
        kind: 'MANUAL' as const,
        contactEmail: 'orders@paper.example',
        countries: ['US'],
        costPerNumberCents: 400,
        reliabilityScore: 0.6,
      },
    ];
    for (const { id, ...c } of carriers) {
      if (await findProvider(db, id)) await updateProvider(db, id, c);
      else await createProvider(db, { id, ...c });
    }
    // numbers whose lines end in 0100..0129 across three area codes
    const addresses = ['415', '628', '510'].flatMap((npa) =>
      Array.from({ length: 10 }, (_, i) => ({ address: `+1${npa}555${String(100 + i).padStart(4, '0')}` })),
    );
    const res = await ingest({ db, temporal, policy: lifecyclePolicy(config) }, addresses, { entry: 'quarantine', providerId: 'sim-west', actor: 'demo-seed' });
    log(`demo seed: ${res.accepted.length} numbers into quarantine, ${res.duplicates.length} already known`);
    // overlapping groupings for the monitor to watch
    for (const g of [
      { name: 'San Francisco 415', tags: ['npa:415'], minAvailable: 5, targetAvailable: 12, maxAvailable: 40 },
      { name: 'SMS-capable 628', tags: ['cap:sms', 'npa:628'], minAvailable: 4, targetAvailable: 8, maxAvailable: 30 },
      { name: 'Any SMS-capable', tags: ['cap:sms'], minAvailable: 10, targetAvailable: 25, maxAvailable: 200 },
    ]) {
      if (!(await groupingNamed(db, g.name))) await createGrouping({ db }, g);
    }
    // keys for this run (only their hashes are stored)
    const operatorKey = (await createApiKey(db, { name: 'demo operator', scope: 'OPERATOR' })).key;
    const platformKey = (await createApiKey(db, { name: 'demo platform', scope: 'PLATFORM', accountIds: ['acct-demo-1', 'acct-demo-2'] })).key;
    return { operatorKey, platformKey };
  } finally {
    await temporal.close();
    await db.$disconnect();
  }
}

/** The demo's way to Temporal: workflows start on its task queue. */
function gatewayOf(config: Config): TemporalGateway {
  return TemporalGateway.fromConfig(config);
}

/** One line of how many endpoints are in each state. */
export async function stateCounts(config: Config): Promise<string> {
  const db = createDb(config.DATABASE_URL, 1);
  try {
    return (await countStates(db)).map((g) => `${g.state} ${g.n}`).join(', ') || 'no endpoints';
  } finally {
    await db.$disconnect();
  }
}

/** Reconciles with repair; a line saying what was found, or null when nothing drifted. */
export async function repairDrift(config: Config): Promise<string | null> {
  const db = createDb(config.DATABASE_URL, 4);
  const temporal = gatewayOf(config);
  try {
    const report = await reconcileEndpoints({ db, temporal, policy: lifecyclePolicy(config) }, { repair: true });
    if (!report.drift.length) return null;
    const repaired = report.drift.filter((d) => d.repaired).length;
    return `${report.drift.length} endpoints drifted (${[...new Set(report.drift.map((d) => d.kind))].join(', ')}), ${repaired} repaired`;
  } finally {
    await temporal.close();
    await db.$disconnect();
  }
}

/** The call router's key (router scope): the carrier simulator sends its inbound traffic with it. */
export async function createRouterKey(config: Config): Promise<string> {
  const db = createDb(config.DATABASE_URL, 1);
  try {
    return (await createApiKey(db, { name: 'demo call router (carrier simulator)', scope: 'ROUTER' })).key;
  } finally {
    await db.$disconnect();
  }
}
