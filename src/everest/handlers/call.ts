// An inbound command call: check, validate, run the handler, validate its result, answer.
// Every failure that leaves a reply topic known is answered with one of the framework's error types;
// the rest is dropped with one warning line (everest-framework lib/everest.cpp provide_cmd).
import { CmdError, errorMessage, type CmdErrorType } from '../../errors.js';
import { isCmdName, isSafeOrigin, parsePayload, sniffCall } from '../payload.js';
import type { CallContext, HandlerHost, InFlight, ServedImpl } from './context.js';

// Error texts go into answers and log lines: a hostile payload must not make either huge.
const MAX_TEXT = 512;

function clip(s: string): string {
  return s.length <= MAX_TEXT ? s : `${s.slice(0, MAX_TEXT)}... (${s.length} characters)`;
}

/**
 * Where the answer to `origin` goes, or undefined when there is no safe one. v25 replies on
 * `.../response/<origin>`, so an origin that is not a module id has no reply topic. The old dialect
 * replies on the implementation's shared cmd topic whatever the origin (callers match results by id), so
 * there a call with a broken origin can still be answered.
 */
function replyTopicOf(host: HandlerHost, served: ServedImpl, cmd: string, origin: unknown): string | undefined {
  if (isSafeOrigin(origin)) return host.dialect.replyTopic(served.prefix, cmd, origin);
  const shared = host.dialect.replyTopic(served.prefix, cmd, 'a');
  return shared === host.dialect.replyTopic(served.prefix, cmd, 'b') ? shared : undefined;
}

// --- recently answered calls ------------------------------------------------------------------------
// QoS 2 delivers a call once per session, but after a broker restart a caller's MQTT client resends what
// it had in flight, so the same call can arrive twice. Remembered by `${origin}\0${id}`: the same payload
// again is answered with the answer already given (the handler does not run twice: a security event is
// logged once); another payload under an id in memory is refused. Bounded in entries and in bytes.
const RECENT_MAX_ENTRIES = 1024;
const RECENT_MAX_BYTES = 4 * 1024 * 1024;
const ANSWER_KEEP_MAX = 64 * 1024;

interface Seen {
  /** Length and FNV-1a hash of the payload: a repeated id is the same call when both match. */
  size: number;
  hash: number;
  /** undefined while the call runs; the answer once given (`payload` left out when too large to keep). */
  answer?: { topic: string; payload?: string };
}

class RecentCalls {
  readonly #map = new Map<string, Seen>();
  #bytes = 0;

  get(key: string): Seen | undefined {
    return this.#map.get(key);
  }

  start(key: string, size: number, hash: number): void {
    this.#map.set(key, { size, hash });
    this.#trim();
  }

  answered(key: string, topic: string, payload: string): void {
    const seen = this.#map.get(key);
    if (!seen || seen.answer) return;
    const keep = payload.length <= ANSWER_KEEP_MAX;
    seen.answer = keep ? { topic, payload } : { topic };
    if (keep) this.#bytes += payload.length;
    this.#trim();
  }

  #trim(): void {
    while (this.#map.size > RECENT_MAX_ENTRIES || this.#bytes > RECENT_MAX_BYTES) {
      const oldest = this.#map.keys().next();
      if (oldest.done === true) return;
      this.#bytes -= this.#map.get(oldest.value)?.answer?.payload?.length ?? 0;
      this.#map.delete(oldest.value);
    }
  }
}

function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const recentByHost = new WeakMap<HandlerHost, RecentCalls>();

function recentOf(host: HandlerHost): RecentCalls {
  let r = recentByHost.get(host);
  if (!r) {
    r = new RecentCalls();
    recentByHost.set(host, r);
  }
  return r;
}

// --- answers -------------------------------------------------------------------------------------------
function send(host: HandlerHost, key: string | undefined, topic: string, payload: string): void {
  if (key !== undefined) recentOf(host).answered(key, topic, payload);
  host.publisher.publish(topic, payload);
}

function answerError(host: HandlerHost, served: ServedImpl, cmd: string, topic: string, key: string | undefined, id: unknown,
  type: CmdErrorType, msg: string, origin?: string): void {
  const text = clip(msg);
  served.log.warn({ cmd: clip(cmd), origin, error: type }, text);
  send(host, key, topic, host.dialect.encodeResult(cmd, id ?? null, host.selfId, { error: { type, msg: text } }));
}

/** Unreadable input: answer when a reply topic and the cmd can be read, otherwise warn once and drop. */
function unreadable(host: HandlerHost, served: ServedImpl, topic: string, buf: Buffer, reason: string): void {
  const { origin, id, name } = sniffCall(buf);
  const cmd = cmdFromTopic(host, served, topic) ?? (isCmdName(name) ? name : undefined);
  const reply = cmd === undefined ? undefined : replyTopicOf(host, served, cmd, origin);
  if (cmd !== undefined && reply !== undefined) {
    answerError(host, served, cmd, reply, undefined, id, 'MessageParsingError', reason, isSafeOrigin(origin) ? origin : undefined);
  } else {
    served.log.warn({ topic }, `dropped a message without a usable origin: ${clip(reason)}`);
  }
}

function cmdFromTopic(host: HandlerHost, served: ServedImpl, topic: string): string | undefined {
  const tail = topic.slice(served.prefix.length + 5);
  return host.dialect.name === 'v25' && tail.length > 0 ? tail : undefined;
}

export function handleCall(host: HandlerHost, served: ServedImpl, topic: string, buf: Buffer): void {
  try {
    handleCallUnsafe(host, served, topic, buf);
  } catch (err) {
    // Nothing a caller sends may take the process down: an exception here would escape into MQTT.js's
    // packet handling and end the process.
    served.log.error({ topic, err: clip(errorMessage(err)) }, 'unexpected failure while handling a call; dropped');
  }
}

function handleCallUnsafe(host: HandlerHost, served: ServedImpl, topic: string, buf: Buffer): void {
  if (buf.length > host.maxPayloadBytes) {
    unreadable(host, served, topic, buf, `payload of ${buf.length} bytes exceeds the limit of ${host.maxPayloadBytes} bytes (max_payload_bytes)`);
    return;
  }
  const parsed = parsePayload(buf);
  if (!parsed.ok) {
    unreadable(host, served, topic, buf, parsed.reason);
    return;
  }
  const inner = host.dialect.unwrap(parsed.value, 'Cmd');
  const call = inner === undefined ? undefined : host.dialect.readCall(served.prefix, topic, inner);
  if (call === 'ignore') return;
  if (call === undefined) {
    unreadable(host, served, topic, buf, 'message is not a command call');
    return;
  }
  const { cmd, id, origin, args } = call;
  const cmdName = cmd || '(none)';
  if (!isSafeOrigin(origin)) {
    const reply = replyTopicOf(host, served, cmdName, origin);
    const why = origin === undefined ? 'origin: is missing' : 'origin: must be a module id (1-128 of A-Z a-z 0-9 _ . : -)';
    if (reply !== undefined) answerError(host, served, cmdName, reply, undefined, typeof id === 'string' || typeof id === 'number' ? id : null, 'MessageParsingError', `call of '${cmdName}': ${why}`);
    else served.log.warn({ topic }, `dropped a call without a reply topic: ${why}`);
    return;
  }
  const reply = host.dialect.replyTopic(served.prefix, cmdName, origin);
  if (typeof id !== 'string' && typeof id !== 'number') {
    answerError(host, served, cmdName, reply, undefined, null, 'MessageParsingError', `call of '${cmdName}': id: ${id === undefined ? 'is missing' : 'must be a string or a number'}`, origin);
    return;
  }
  const key = `${origin}\0${id}`;
  const recent = recentOf(host);
  // A cheap fingerprint, not a cryptographic one: it is only compared when an origin repeats an id, and
  // sha1 per call was 3% of a call's busy time.
  const hash = fnv1a(buf);
  const seen = recent.get(key);
  if (seen !== undefined || host.serving.has(key)) {
    if (seen !== undefined && seen.size === buf.length && seen.hash === hash) {
      if (seen.answer?.payload !== undefined) {
        served.log.warn({ cmd: cmdName, origin }, `call ${clip(JSON.stringify(id))} arrived again (a redelivery): answered as before, not run twice`);
        host.publisher.publish(seen.answer.topic, seen.answer.payload);
      } else {
        served.log.warn({ cmd: cmdName, origin }, `call ${clip(JSON.stringify(id))} arrived again (a redelivery) ${seen.answer ? 'and its answer is no longer kept' : 'while it runs'}: not run twice`);
      }
      return;
    }
    answerError(host, served, cmdName, reply, undefined, id, 'MessageParsingError',
      `call of '${cmdName}': id: ${JSON.stringify(id)} was already used by another call from ${origin}`, origin);
    return;
  }
  recent.start(key, buf.length, hash);
  const compiledCmd = served.compiled.cmds.get(cmd);
  const handler = served.handlers.get(cmd);
  if (!compiledCmd || !handler) {
    answerError(host, served, cmdName, reply, key, id, 'MessageParsingError', `unknown command '${cmdName}' of ${served.interfaceName}`, origin);
    return;
  }
  if (host.stopping) {
    answerError(host, served, cmd, reply, key, id, 'Shutdown', `module ${host.selfId} is shutting down`, origin);
    return;
  }
  const issue = compiledCmd.args(args ?? {});
  if (issue) {
    answerError(host, served, cmd, reply, key, id, 'SchemaValidationError', `${cmd}: ${issue.message}`, origin);
    return;
  }
  run(host, served, cmd, origin, id, key, args ?? {});
}

function run(host: HandlerHost, served: ServedImpl, cmd: string, origin: string, id: string | number, key: string, args: unknown): void {
  const entry: InFlight = { ac: undefined, served, cmd, origin, id };
  host.serving.set(key, entry);
  // The AbortController is made only for a handler that reads ctx.signal: one per call, and its abort()
  // (a DOMException with a stack), were a fifth of a call's time in the bench profile.
  const ctx: CallContext = {
    origin,
    cmd,
    impl: served.impl,
    get signal() {
      entry.ac ??= new AbortController();
      return entry.ac.signal;
    },
  };
  const handler = served.handlers.get(cmd)!;
  let result: unknown;
  try {
    result = handler(args, ctx);
  } catch (err) {
    finish(host, key, { err });
    return;
  }
  if (!(result instanceof Promise)) {
    finish(host, key, { value: result });
    return;
  }
  // A handler that hangs must not hold its caller for the framework's 300 s, nor block other calls.
  const timer = setTimeout(() => {
    finish(host, key, { err: new CmdError('CmdTimeout', `${cmd} did not finish within ${host.handlerTimeoutMs} ms (handler_timeout_ms)`) });
  }, host.handlerTimeoutMs);
  result.then(
    (value) => { clearTimeout(timer); finish(host, key, { value }); },
    (err: unknown) => { clearTimeout(timer); finish(host, key, { err }); },
  );
}

export function finish(host: HandlerHost, key: string, outcome: { value: unknown } | { err: unknown }): void {
  const entry = host.serving.get(key);
  if (!entry) return; // already answered (timeout or shutdown)
  host.serving.delete(key);
  entry.ac?.abort();
  const { served, cmd, origin, id } = entry;
  const topic = host.dialect.replyTopic(served.prefix, cmd, origin);
  try {
    if ('err' in outcome) {
      const err = outcome.err;
      if (err instanceof CmdError) {
        answerError(host, served, cmd, topic, key, id, err.type, err.message, origin);
      } else {
        const msg = clip(errorMessage(err));
        served.log.error({ cmd, origin, err: msg }, `handler of ${cmd} threw`);
        send(host, key, topic, host.dialect.encodeResult(cmd, id, host.selfId, { error: { type: 'HandlerException', msg } }));
      }
    } else {
      const value = outcome.value === undefined ? null : outcome.value;
      const issue = served.compiled.cmds.get(cmd)!.result(value);
      if (issue) {
        // A result that does not fit its schema is never published (the framework does the same with validation on).
        answerError(host, served, cmd, topic, key, id, 'SchemaValidationError', `result of ${cmd} does not fit its schema: ${issue.message}`, origin);
      } else {
        send(host, key, topic, host.dialect.encodeResult(cmd, id, host.selfId, { retval: value }));
      }
    }
  } catch (err) {
    // A result that cannot be serialized (a cycle, a BigInt): the caller still gets an answer.
    answerError(host, served, cmd, topic, key, id, 'HandlerException', `result of ${cmd} could not be serialized: ${errorMessage(err)}`, origin);
  } finally {
    host.onServed();
  }
}

/** Shutdown: answer every call still being served with Shutdown. */
export function answerAllWithShutdown(host: HandlerHost): void {
  for (const key of [...host.serving.keys()]) {
    finish(host, key, { err: new CmdError('Shutdown', `module ${host.selfId} shut down before the call finished`) });
  }
}
