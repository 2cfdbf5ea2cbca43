// One switch from a topic's route to the handler of its kind.
import type { HandlerHost, ServedImpl } from './context.js';
import { handleCall } from './call.js';

// Results of our own calls and vars of other modules are routed by the Caller (caller.ts).
export type Route =
  | { kind: 'call'; served: ServedImpl }
  | { kind: 'global-ready' }
  | { kind: 'manager-start' };

export function dispatch(host: HandlerHost, route: Route, topic: string, buf: Buffer): void {
  switch (route.kind) {
    case 'call':
      handleCall(host, route.served, topic, buf);
      return;
    case 'global-ready':
    case 'manager-start':
      return;
  }
}

export type { HandlerHost, ServedImpl, CmdHandler, CallContext, PendingCall, InFlight, VarCallback } from './context.js';
