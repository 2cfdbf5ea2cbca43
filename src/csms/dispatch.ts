// Inbound dispatch: every CALL the CSMS sends on a socket goes through here to its handler
// (handlers/index.ts), after the registration state has had its say; and what ocpp-rpc reports about
// messages that break the schema or cannot be read becomes a log line and, for the CSMS's own messages,
// the security event InvalidMessages.
import type { Logger } from '../log.js';
import type { OcppService } from '../ocpp/service.js';
import type { AnswerFirst } from './answer-first.js';
import type { AuthControl } from './auth-control.js';
import type { EvseControl } from './evse-control.js';
import type { SystemControl } from './system-control.js';
import type { SecurityControl } from './security-control.js';
import { CALL_HANDLERS, refusal, type CallContext, type DataTransferForwarder, type StationControl } from './handlers/index.js';
import { createRPCError, type IHandlersOption, type RPCClient } from './rpc.js';
import type { Registration } from './sender.js';
import type { Timers } from './timers.js';
import { knownActions } from './validator.js';

export interface DispatchOptions {
  service: OcppService;
  log: Logger;
  timers: Timers;
  /** Holds what a handler causes until its answer is on the socket. */
  answerFirst: AnswerFirst;
  station: StationControl;
  forwardDataTransfer: DataTransferForwarder | undefined;
  evseControl: EvseControl | undefined;
  authControl: AuthControl | undefined;
  systemControl: SystemControl | undefined;
  securityControl: SecurityControl | undefined;
  registration(): Registration;
  /** False once the socket's generation is over: its CALLs are refused, its follow-ups dropped. */
  isCurrent(generation: number): boolean;
  securityEvent(type: string, info: string): void;
}

/** Registers every OCPP 2.0.1 action on a new socket of generation `generation`. */
export function dispatchInbound(client: RPCClient, generation: number, opts: DispatchOptions): void {
  const { log } = opts;
  const implemented = new Set(Object.keys(CALL_HANDLERS));
  // Scopes of the handled CALLs by message id, released once their answer is handed to the socket.
  const releases = new Map<string, () => void>();
  for (const action of knownActions()) {
    const handler = CALL_HANDLERS[action];
    client.handle(action, async ({ params, messageId }: IHandlersOption) => {
      if (!opts.isCurrent(generation)) throw createRPCError('GenericError', 'connection is closing');
      const registration = opts.registration();
      const why = refusal(registration, action, params);
      if (why !== undefined) {
        log.warn({ action, registration }, why);
        throw createRPCError('SecurityError', why);
      }
      if (!handler || !implemented.has(action)) throw createRPCError('NotSupported', `${action} is not supported by TsOcpp`);
      const scope = opts.answerFirst.scope();
      const ctx: CallContext = {
        service: opts.service,
        log,
        station: opts.station,
        forwardDataTransfer: opts.forwardDataTransfer,
        evseControl: opts.evseControl,
        authControl: opts.authControl,
        systemControl: opts.systemControl,
        securityControl: opts.securityControl,
        now: () => opts.timers.now(),
        payloadBytes: Buffer.byteLength(JSON.stringify(params ?? null)),
        after: (fn) => scope.hold(() => {
          if (!opts.isCurrent(generation)) return;
          try {
            fn();
          } catch (err) {
            log.error({ action, err }, 'follow-up of a CSMS call failed');
          }
        }),
      };
      if (messageId !== undefined) releases.set(messageId, () => scope.release());
      // Async, so that a handler that throws still answers (and leaves its scope to release).
      const result = scope.run(async () => (handler as (p: unknown, c: CallContext) => object | Promise<object>)(params, ctx));
      if (messageId === undefined) scope.release();
      return await result;
    });
  }
  // ocpp-rpc emits 'response' just before it writes the CALLRESULT or CALLERROR (client.js _onCall), and
  // a CALL made in that same turn would be written first: release once this turn is over.
  client.on('response', (ev: { outbound?: boolean; payload?: unknown[] }) => {
    const id = ev.outbound ? ev.payload?.[1] : undefined;
    const release = typeof id === 'string' ? releases.get(id) : undefined;
    if (!release || typeof id !== 'string') return;
    releases.delete(id);
    opts.timers.immediate(release);
  });
  // No answer will go out: what was held goes now (a send then fails as offline, a follow-up is dropped).
  client.on('close', () => {
    for (const release of releases.values()) release();
    releases.clear();
  });
  // A CALL whose payload breaks its schema was answered with FormatViolation (validator.ts); like
  // libocpp, TsOcpp records it as the security event InvalidMessages (not critical: log and bus only).
  client.on('strictValidationFailure', (ev: { outbound?: boolean; isCall?: boolean; method?: string; error?: Error }) => {
    if (!opts.isCurrent(generation)) return;
    if (ev.outbound) {
      log.error({ action: ev.method, err: ev.error }, 'TsOcpp built a message that breaks the OCPP schema');
      return;
    }
    if (!ev.isCall) {
      log.warn({ action: ev.method, err: ev.error }, 'CSMS answer breaks the OCPP schema');
      return;
    }
    log.warn({ action: ev.method, err: ev.error }, 'CSMS CALL breaks the OCPP schema; answered FormatViolation');
    opts.securityEvent('InvalidMessages', `${ev.method ?? '?'}: ${ev.error?.message ?? ''}`);
  });
  client.on('badMessage', (ev: { error?: Error; buffer?: Buffer }) => {
    if (!opts.isCurrent(generation)) return;
    // Only its size: an unreadable message may still carry a secret (a garbled SetVariables).
    log.warn({ err: ev.error, bytes: ev.buffer?.length }, 'unreadable message from the CSMS');
    opts.securityEvent('InvalidMessages', ev.error?.message ?? 'unreadable message');
  });
}
