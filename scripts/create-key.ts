// `npm run key:create -- --scope operator|platform|carrier|router --name NAME [--accounts a,b] [--provider ID]`
// prints a new API key once (only its hash is stored). A router key is the
// call router's: inbound traffic and routing lookups, no accounts.
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db/client';
import type { Scope } from '../src/domain/access';
import { createApiKey } from '../src/usecases/keys';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { scope: { type: 'string' }, name: { type: 'string' }, accounts: { type: 'string' }, provider: { type: 'string' }, help: { type: 'boolean' } },
  });
  const scope = values.scope?.toUpperCase();
  if (values.help || !values.name || !['OPERATOR', 'PLATFORM', 'CARRIER', 'ROUTER'].includes(scope ?? '')) {
    console.error('usage: npm run key:create -- --scope operator|platform|carrier|router --name NAME [--accounts a,b] [--provider ID]');
    return values.help ? 0 : 2;
  }
  const db = createDb(loadConfig().DATABASE_URL, 1);
  try {
    const { key } = await createApiKey(db, {
      name: values.name,
      scope: scope as Scope,
      accountIds: values.accounts?.split(',').filter(Boolean),
      providerId: values.provider,
    });
    console.log(key);
    return 0;
  } finally {
    await db.$disconnect();
  }
}

main().then(
  (c) => process.exit(c),
  (err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  },
);
