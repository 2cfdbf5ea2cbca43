// What a failed var publish says. A publish refused because the module is stopping (TSOCPP_ERR_CLOSED) is no
// fault: an event var is said at warn, a state var that goes with the module (is_connected) at debug; anything
// else is an error with its cause.
import { TsOcppError } from '../errors.js';
import type { Logger } from '../log.js';

export function onPublishFailure(log: Logger, name: string, whenStopping: 'warn' | 'debug' = 'warn'): (err: unknown) => void {
  return (err) => {
    if (!(err instanceof TsOcppError && err.code === 'TSOCPP_ERR_CLOSED')) log.error({ err }, `could not publish ${name}`);
    else if (whenStopping === 'debug') log.debug(`${name} not published: the module is stopping`);
    else log.warn(`${name} var not published: the module is stopping`);
  };
}
