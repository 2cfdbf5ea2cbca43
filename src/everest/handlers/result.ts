// The result of a call this module made to another module.
import { CmdError } from '../../errors.js';
import { parsePayload } from '../payload.js';
import type { Logger } from '../../log.js';
import type { Dialect } from '../dialect.js';
import type { PendingCall } from './context.js';

export interface ResultHost {
  readonly dialect: Dialect;
  readonly log: Logger;
  readonly pendingCalls: Map<string, PendingCall>;
}

export function handleResult(host: ResultHost, topic: string, buf: Buffer): void {
  const parsed = parsePayload(buf);
  if (!parsed.ok) {
    host.log.warn({ topic }, `dropped a result: ${parsed.reason}`);
    return;
  }
  const inner = host.dialect.unwrap(parsed.value, 'CmdResult');
  const result = inner === undefined ? undefined : host.dialect.readResult(inner);
  if (!result) return; // old dialect: our own calls come back on the same topic
  if (typeof result.id !== 'string') return;
  const pending = host.pendingCalls.get(result.id);
  if (!pending) return; // another caller's result, or one that already timed out
  host.pendingCalls.delete(result.id);
  clearTimeout(pending.timer);
  if (result.error !== undefined && result.error !== null) {
    const e = host.dialect.readErrorObject(result.error);
    pending.reject(e
      ? new CmdError(e.type, `${pending.target}->${pending.cmd}(): ${e.msg}`)
      : new CmdError('HandlerException', `${pending.target}->${pending.cmd}(): unreadable error ${JSON.stringify(result.error)}`));
    return;
  }
  pending.resolve(result.retval === undefined ? null : result.retval);
}
