// The Twilio-compatible face, /2010-04-01/Accounts/{AccountSid}/…: the same
// use cases as /v1 behind Twilio's paths, parameters, resources and errors,
// so Twilio's own client libraries work unchanged (docs/api.md). Credentials
// are HTTP Basic, as Twilio takes them: the account SID (AC…, one of the
// key's accounts) or the key's API key SID (SK…) as the user name, and a
// platform API key as the password (the auth token / API key secret).
import { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Auth } from '../../middleware/auth';
import { requestContext } from '../../middleware/requests';
import type { KnownPath } from '../../middleware/errors';
import type { Logger } from '../../../logger';
import { dependencyDown } from '../../../dependency';
import type { TwilioDeps } from './account';
import { API_VERSION_PATH, TwilioErrorSchema, twilioError, twilioErrorOf, type TwilioError } from './mapping';
import { availablePhoneNumberRoutes } from './available-phone-numbers';
import { incomingPhoneNumberRoutes } from './incoming-phone-numbers';

export function twilioRoutes(deps: TwilioDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  registry.registerComponent('securitySchemes', 'twilioBasic', {
    type: 'http',
    scheme: 'basic',
    description:
      'The Twilio-compatible face: user name the account SID (`AC…`, GET /v1/accounts/{id} shows it) or the API key SID (`SK…`, GET /v1/keys shows it); password a platform API key (`ei_…`) acting for that account.',
  });
  registry.register('TwilioError', TwilioErrorSchema);
  const router = Router();
  router.use(availablePhoneNumberRoutes(deps, registry, auth));
  router.use(incomingPhoneNumberRoutes(deps, registry, auth));
  return router;
}

function send(res: Parameters<RequestHandler>[1], body: TwilioError): void {
  if (body.status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="Twilio API"');
  res.status(body.status).json(body);
}

/** No twin route: Twilio's 404 (20404), or its 405 (20004) with Allow for a path that takes other methods. */
export function twilioNotFound(known: KnownPath[]): RequestHandler {
  return (req, res) => {
    const path = req.originalUrl.split('?')[0]!;
    const allowed = [...new Set(known.filter((k) => k.pattern.test(path)).flatMap((k) => k.methods))];
    if (allowed.length && !allowed.includes(req.method)) {
      res.setHeader('Allow', allowed.join(', '));
      return send(res, twilioError(405, 20004, `Method not allowed: ${req.method} ${path} takes ${allowed.join(', ')}`));
    }
    send(res, twilioError(404, 20404, `The requested resource ${path} was not found`));
  };
}

/** Every error under /2010-04-01 as Twilio's body `{code, message, more_info, status}`. */
export function twilioErrorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const retry = (err as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (typeof retry === 'number') res.setHeader('Retry-After', String(retry));
    // a purchase's "not there" and "not free" are Twilio's 21422 (not available), not a 404
    const purchase = req.method === 'POST' && /\/IncomingPhoneNumbers(\/(Local|Mobile|TollFree))?\.json$/.test(req.originalUrl.split('?')[0]!);
    const known = twilioErrorOf(err, purchase);
    if (known) return send(res, known);
    const down = dependencyDown(err);
    if (down) {
      res.setHeader('Retry-After', '5');
      return send(res, twilioError(503, 20503, `${down === 'postgres' ? 'PostgreSQL' : 'Temporal'} is unavailable; retry shortly`));
    }
    (requestContext(req)?.log ?? log).error({ err, path: req.path }, 'unhandled error');
    send(res, twilioError(500, 20500, 'internal error'));
  };
}

export { API_VERSION_PATH };
export { twilioAccount, twinSecured, type TwilioDeps } from './account';
