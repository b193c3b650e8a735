// One workflow per deactivated account (id `account-deactivation/<id>`): a
// durable timer for the grace period, then every number the account still
// holds is released through its endpoint's own `release` update (the normal
// path: allocated numbers age before reuse, reserved ones go back on the
// shelf), each history row saying `account deactivated`. The patent's
// allocation expiry when an account is cancelled.
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AccountDeactivationInput, AccountRelease } from './shared';

// a number in the middle of something (a retest) is released once it is back: the activity fails until none is left
const { releaseAccountNumbers } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '30 seconds', maximumInterval: '1 hour', backoffCoefficient: 2 },
});

export async function accountDeactivationWorkflow(input: AccountDeactivationInput): Promise<AccountRelease> {
  const wait = input.releaseAt - Date.now();
  if (wait > 0) await sleep(wait);
  return releaseAccountNumbers({ accountId: input.accountId });
}
