// A var published by a module this one requires.
import { parsePayload } from '../payload.js';
import type { Logger } from '../../log.js';
import type { Dialect } from '../dialect.js';
import type { VarCallback } from './context.js';
import type { DropLog } from '../drop-log.js';

export interface VarSubscription {
  readonly name: string;
  readonly callback: VarCallback;
}

export interface VarHost {
  readonly dialect: Dialect;
  readonly log: Logger;
  /** Unreadable var payloads are logged once per topic per minute (a flood of garbage must not flood the log). */
  readonly varDrops: DropLog;
}

export function handleVar(host: VarHost, subs: readonly VarSubscription[], topic: string, buf: Buffer): void {
  const parsed = parsePayload(buf);
  if (!parsed.ok) {
    const report = host.varDrops.drop(topic);
    if (report) host.log.warn({ topic, suppressed: report.suppressed }, `dropped a var: ${parsed.reason} (logged once a minute per topic)`);
    return;
  }
  const inner = host.dialect.unwrap(parsed.value, 'Var');
  if (inner === undefined) return;
  for (const sub of subs) {
    const v = host.dialect.readVar(sub.name, inner);
    if (!v) continue;
    try {
      sub.callback(v.value);
    } catch (err) {
      host.log.error({ topic, var: sub.name, err }, 'var subscriber threw');
    }
  }
}
