// The account-deactivation workflow's activity: release what the account holds.
import type { Db } from '../src/db/client';
import type { TemporalGateway } from '../src/temporal/gateway';
import { releaseAccountNumbers } from '../src/usecases/accounts';
import type { AccountRelease } from '../workflows/shared';

export function accountActivities(deps: { db: Db; temporal?: TemporalGateway }) {
  return {
    async releaseAccountNumbers(input: { accountId: string }): Promise<AccountRelease> {
      if (!deps.temporal) throw new Error('releaseAccountNumbers needs a Temporal client (ActivityDeps.client)');
      return releaseAccountNumbers({ db: deps.db, temporal: deps.temporal }, input.accountId);
    },
  };
}
