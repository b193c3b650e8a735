// Who a Twilio-face request is for: the account its AccountSid names, checked
// against the HTTP Basic credentials (src/api/routes/twilio/index.ts).
import type { Request } from 'express';
import { basicUserOf, principalOf, Unauthorized } from '../../middleware/auth';
import { NotFound } from '../../../domain/errors';
import { accountOfSid, apiKeySid } from '../../../domain/twilio';
import type { HoldingDeps } from '../../../usecases/allocate';
import type { SearchDeps } from '../../../usecases/search';

export type TwilioDeps = HoldingDeps & SearchDeps;

/** what the document says of every twin operation: HTTP Basic, platform keys */
export const twinSecured = { security: [{ twilioBasic: [] }], 'x-scopes': ['platform'] };

/**
 * The account a twin request is for: the URL's AccountSid must be one of the
 * key's accounts (else 404, as another account's business is), and the user
 * name must be one of the key's account SIDs or the key's own API key SID
 * (else 401: the credentials do not belong together).
 */
export function twilioAccount(req: Request): { accountId: string; accountSid: string } {
  const who = principalOf(req);
  const user = basicUserOf(req) ?? '';
  const userOk = /^SK/i.test(user) ? user.toLowerCase() === apiKeySid(who.keyId).toLowerCase() : accountOfSid(user, who.accountIds) !== undefined;
  if (!userOk) throw new Unauthorized('Authenticate: the user name is neither an account SID nor the API key SID of this key');
  const accountSid = String(req.params.AccountSid);
  const accountId = accountOfSid(accountSid, who.accountIds);
  if (!accountId) throw new NotFound(`AccountSid: no account ${accountSid} for these credentials`);
  return { accountId, accountSid: accountSid.replace(/^ac/, 'AC') };
}
