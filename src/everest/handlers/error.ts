// An error raised or cleared by a module this one requires (everest-framework Everest::subscribe_error:
// v0.25 `<impl prefix>/error/<type>` with a RaiseError / ClearError envelope; v0.22-v0.24 one topic
// `<impl prefix>/error` with the bare error object). The error object's `state` tells raised from cleared
// (Active; ClearedByModule, ClearedByReboot), as the framework's handler reads it.
import { isObject } from '../../is-object.js';
import { parsePayload } from '../payload.js';
import type { VarHost } from './var.js';

/** A requirement's error as a subscriber sees it: its type (`<namespace>/<name>`), raised or cleared, and where. */
export interface RequirementError {
  type: string;
  active: boolean;
  /** origin.mapping of the error object, when the raiser has one. */
  evse?: number;
  connector?: number;
  message?: string;
}

export type ErrorCallback = (e: RequirementError) => void;

/** One subscriber of one error type: the old dialect carries every type on one topic, so the type is checked here. */
export interface ErrorSubscription {
  readonly type: string;
  readonly callback: ErrorCallback;
}

const CLEARED: ReadonlySet<string> = new Set(['ClearedByModule', 'ClearedByReboot']);

/** The error object of a message on an error topic; undefined when it is not one. */
export function readRequirementError(inner: unknown): RequirementError | undefined {
  if (!isObject(inner) || typeof inner.type !== 'string' || typeof inner.state !== 'string') return undefined;
  if (inner.state !== 'Active' && !CLEARED.has(inner.state)) return undefined;
  const e: RequirementError = { type: inner.type, active: inner.state === 'Active' };
  const mapping = isObject(inner.origin) && isObject(inner.origin.mapping) ? inner.origin.mapping : undefined;
  if (mapping && Number.isInteger(mapping.evse)) e.evse = mapping.evse as number;
  if (mapping && Number.isInteger(mapping.connector)) e.connector = mapping.connector as number;
  if (typeof inner.message === 'string') e.message = inner.message;
  return e;
}

export function handleError(host: VarHost, subs: readonly ErrorSubscription[], topic: string, buf: Buffer): void {
  const parsed = parsePayload(buf);
  if (!parsed.ok) {
    const report = host.varDrops.drop(topic);
    if (report) host.log.warn({ topic, suppressed: report.suppressed }, `dropped an error message: ${parsed.reason} (logged once a minute per topic)`);
    return;
  }
  const inner = host.dialect.unwrap(parsed.value, 'RaiseError') ?? host.dialect.unwrap(parsed.value, 'ClearError');
  const e = inner === undefined ? undefined : readRequirementError(inner);
  if (e === undefined) {
    const report = host.varDrops.drop(topic);
    if (report) host.log.warn({ topic, suppressed: report.suppressed }, 'dropped an error message that is no error object (logged once a minute per topic)');
    return;
  }
  for (const sub of subs) {
    if (sub.type !== e.type) continue;
    try {
      sub.callback(e);
    } catch (err) {
      host.log.error({ topic, err }, 'error subscriber threw');
    }
  }
}
