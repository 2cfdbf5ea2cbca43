// How the station's messages go out, and what a failed CALL means. One CALL is in flight at a time
// (ocpp-rpc callConcurrency 1; OCPP-J 4.1.1: a sender waits for the answer before the next CALL), in the
// order they were made.
import { TsOcppError } from '../errors.js';
import { RPCError, TimeoutError } from './rpc.js';

export type Registration = 'Unknown' | 'Accepted' | 'Pending' | 'Rejected';

export interface SendOptions {
  /** Sent because the CSMS asked with TriggerMessage: allowed while Pending (OCPP 2.0.1 B02.FR.02/F06). */
  triggered?: boolean;
}

export interface Sender {
  /** Rejects with CsmsUnavailable when not connected, or when OCPP forbids the message in this state. */
  call<Res>(action: string, payload: object, opts?: SendOptions): Promise<Res>;
  /** Connected and the last BootNotification was Accepted. */
  readonly accepted: boolean;
}

/**
 * Not sent: no connection, or the registration state forbids it. B02.FR.01/B03.FR.01 (as libocpp
 * message_queue.hpp get_message_transmission_priority applies them): before an Accepted BootNotification
 * only BootNotification and messages triggered by the CSMS go out.
 */
export class CsmsUnavailable extends TsOcppError {
  readonly reason: 'offline' | 'not-accepted';
  constructor(reason: 'offline' | 'not-accepted', message: string, options?: { cause?: unknown }) {
    super('TSOCPP_ERR_CSMS_UNAVAILABLE', message, options);
    this.reason = reason;
  }
}

/**
 * - answered: the CSMS answered with a CALLERROR, or its answer broke the schema, or our own payload did
 *   (ocpp-rpc raises an RPCError for each): sending the same message again would fail the same way.
 * - timeout: no answer within MessageTimeout.
 * - offline: never sent, or the connection dropped before the answer.
 */
export type Failure = 'answered' | 'timeout' | 'offline';

export function classifyFailure(err: unknown): Failure {
  if (err instanceof RPCError) return 'answered';
  if (err instanceof TimeoutError) return 'timeout';
  return 'offline';
}

export function rpcErrorCode(err: unknown): string | undefined {
  return err instanceof RPCError ? err.rpcErrorCode : undefined;
}
