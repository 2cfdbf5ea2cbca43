// One switch from a topic's route to the handler of its kind.
import type { HandlerHost, ServedImpl } from './context.js';
import { handleCall } from './call.js';
import { handleResult } from './result.js';
import { handleVar, type VarSubscription } from './var.js';

export type Route =
  | { kind: 'call'; served: ServedImpl }
  | { kind: 'result' }
  | { kind: 'var'; subs: VarSubscription[] }
  | { kind: 'global-ready' }
  | { kind: 'other'; handle: (topic: string, buf: Buffer) => void };

export function dispatch(host: HandlerHost, route: Route, topic: string, buf: Buffer): void {
  switch (route.kind) {
    case 'call':
      handleCall(host, route.served, topic, buf);
      return;
    case 'result':
      handleResult(host, topic, buf);
      return;
    case 'var':
      handleVar(host, route.subs, topic, buf);
      return;
    case 'global-ready':
    case 'other':
      return;
  }
}

export type { HandlerHost, ServedImpl, CmdHandler, CallContext, PendingCall, InFlight, VarCallback } from './context.js';
export type { VarSubscription } from './var.js';
