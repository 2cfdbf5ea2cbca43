// One switch from a topic's route to the handler of its kind, for every inbound message (as MQTT.js's
// handlers/index.ts switches on packet.cmd). A route is made once, when its topic is subscribed, and
// carries the owner of the state its handler needs: routing a message allocates nothing.
import type { CallServer } from '../call-server.js';
import type { ServedImpl } from './context.js';
import { handleCall } from './call.js';
import { handleResult, type ResultHost } from './result.js';
import { handleVar, type VarHost, type VarSubscription } from './var.js';
import { handleError, type ErrorSubscription } from './error.js';
import { handleExternal, type ExternalCallback, type ExternalHost } from './external.js';
import { handleReady, type ReadyHost } from './ready.js';
import { handleManagerRestart, type RestartHost } from './manager-restart.js';

export type Route =
  | {
    readonly kind: 'call'; readonly server: CallServer; readonly served: ServedImpl;
    /** Old dialect: a cmd topic we serve also carries the results of our calls to ourselves. */
    results: ResultHost | undefined;
  }
  | { readonly kind: 'result'; readonly host: ResultHost }
  | { readonly kind: 'var'; readonly host: VarHost; readonly subs: VarSubscription[] }
  | { readonly kind: 'error'; readonly host: VarHost; readonly subs: ErrorSubscription[] }
  | { readonly kind: 'external'; readonly host: ExternalHost; readonly callbacks: ExternalCallback[] }
  | { readonly kind: 'ready'; readonly host: ReadyHost }
  | { readonly kind: 'manager-restart'; readonly host: RestartHost };

/** Topic -> route: one table per bus peer, shared by the module and its Caller. */
export type Routes = Map<string, Route>;

export function route(r: Route, topic: string, buf: Buffer, retained: boolean): void {
  switch (r.kind) {
    case 'call':
      if (r.results !== undefined) handleResult(r.results, topic, buf);
      handleCall(r.server, r.served, topic, buf);
      return;
    case 'result':
      handleResult(r.host, topic, buf);
      return;
    case 'var':
      handleVar(r.host, r.subs, topic, buf);
      return;
    case 'error':
      handleError(r.host, r.subs, topic, buf);
      return;
    case 'external':
      handleExternal(r.host, r.callbacks, topic, buf);
      return;
    case 'ready':
      handleReady(r.host, buf);
      return;
    case 'manager-restart':
      handleManagerRestart(r.host, buf, retained);
      return;
  }
}

export type { ServedImpl, CmdHandler, CallContext, PendingCall, VarCallback } from './context.js';
export type { ResultHost } from './result.js';
export type { VarHost, VarSubscription } from './var.js';
export type { ErrorCallback, ErrorSubscription, RequirementError } from './error.js';
export type { ReadyHost } from './ready.js';
export type { ExternalCallback, ExternalHost } from './external.js';
export type { RestartHost } from './manager-restart.js';
