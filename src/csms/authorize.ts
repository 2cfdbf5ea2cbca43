// The CSMS side of token validation (OCPP 2.0.1 C01): Authorize sent on the link, for the authorization room's
// Authorizer. Online means connected with the BootNotification Accepted, since the link sends nothing else
// before (B02.FR.01). No answer (offline, MessageTimeout, CALLERROR) is undefined: the room answers Unknown, as
// libocpp authorize_req does.
import type { Logger } from '../log.js';
import type { Authorizer } from '../ocpp/auth/authorization.js';
import type { AuthorizeResponse } from '../ocpp/auth/ocpp-types.js';
import { classifyFailure } from './sender.js';

export function csmsAuthorizer(
  call: (action: string, payload: object) => Promise<unknown>, accepted: () => boolean, log: Logger,
): Authorizer {
  return {
    online: accepted,
    async authorize(req) {
      try {
        return (await call('Authorize', req)) as AuthorizeResponse;
      } catch (err) {
        log.warn({ failure: classifyFailure(err), err }, 'Authorize got no answer');
        return undefined;
      }
    },
  };
}
