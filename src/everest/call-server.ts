// Serving the calls of other modules: the calls in flight, the recently answered ids, the handler timeouts
// and every answer. One per module; handlers/call.ts reads each inbound call and hands it here.
// (everest-framework lib/everest.cpp provide_cmd: every failure that leaves a reply topic known is answered
// with one of the framework's error types.)
import { CmdError, errorMessage, type CmdErrorType } from '../errors.js';
import type { Dialect } from './dialect.js';
import type { Publisher } from './publisher.js';
import { RecentCalls, fnv1a } from './recent-calls.js';
import { withTimeout } from './timeout.js';
import type { CallContext, ServedImpl } from './handlers/context.js';

// Error texts go into answers and log lines: a hostile payload must not make either huge.
const MAX_TEXT = 512;

export function clip(s: string): string {
  return s.length <= MAX_TEXT ? s : `${s.slice(0, MAX_TEXT)}... (${s.length} characters)`;
}

interface InFlight {
  /** Made on first use of ctx.signal only. */
  ac: AbortController | undefined;
  readonly served: ServedImpl;
  readonly cmd: string;
  readonly origin: string;
  readonly id: string | number;
  /** performance.now() by which a handler's promise must settle; Infinity while a handler runs synchronously. */
  deadline: number;
  /** handler_timeout_ms when the call came (named in the CmdTimeout answer). */
  readonly timeoutMs: number;
}

// What a handler sees of its call; ctx.signal makes the AbortController on first use (a prototype getter:
// an object literal's getter was one more closure per call).
class Context implements CallContext {
  readonly origin: string;
  readonly cmd: string;
  readonly impl: string;
  readonly #entry: InFlight;

  constructor(entry: InFlight) {
    this.origin = entry.origin;
    this.cmd = entry.cmd;
    this.impl = entry.served.impl;
    this.#entry = entry;
  }

  get signal(): AbortSignal {
    this.#entry.ac ??= new AbortController();
    return this.#entry.ac.signal;
  }
}

type Outcome = { value: unknown } | { err: unknown };

export interface CallServerOptions {
  selfId: string;
  dialect: Dialect;
  publisher: Publisher;
  maxPayloadBytes: number;
  handlerTimeoutMs: number;
}

export class CallServer {
  readonly selfId: string;
  readonly dialect: Dialect;
  /** Calls larger than this are refused unread (max_payload_bytes). */
  maxPayloadBytes: number;
  /** A handler that has not settled by then is answered with CmdTimeout (handler_timeout_ms). */
  handlerTimeoutMs: number;
  readonly #publisher: Publisher;
  /** Calls being served, keyed by `${origin}\0${id}`: duplicates are refused, shutdown waits for them. */
  readonly #inFlight = new Map<string, InFlight>();
  readonly #recent = new RecentCalls();
  #stopping = false;
  #idleWaiters: Array<() => void> = [];
  // One timer for every handler timeout, set for the earliest deadline (a timer per call was one more
  // object and two closures per call in the bench's heap profile).
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(o: CallServerOptions) {
    this.selfId = o.selfId;
    this.dialect = o.dialect;
    this.#publisher = o.publisher;
    this.maxPayloadBytes = o.maxPayloadBytes;
    this.handlerTimeoutMs = o.handlerTimeoutMs;
  }

  /**
   * A call read from the wire with a safe origin and a usable id: refuse a repeated id (or answer a
   * redelivery as before), check the cmd, the state and the args, then run its handler.
   */
  take(served: ServedImpl, cmd: string, origin: string, id: string | number, args: unknown, reply: string, buf: Buffer): void {
    const cmdName = cmd || '(none)';
    const key = `${origin}\0${id}`;
    const hash = fnv1a(buf);
    const seen = this.#recent.get(key);
    if (seen !== undefined || this.#inFlight.has(key)) {
      if (seen !== undefined && seen.size === buf.length && seen.hash === hash) {
        if (seen.answer?.payload !== undefined) {
          served.log.warn({ cmd: cmdName, origin }, `call ${clip(JSON.stringify(id))} arrived again (a redelivery): answered as before, not run twice`);
          this.#publisher.publish(seen.answer.topic, seen.answer.payload);
        } else {
          served.log.warn({ cmd: cmdName, origin }, `call ${clip(JSON.stringify(id))} arrived again (a redelivery) ${seen.answer ? 'and its answer is no longer kept' : 'while it runs'}: not run twice`);
        }
        return;
      }
      this.answerError(served, cmdName, reply, undefined, id, 'MessageParsingError',
        `call of '${cmdName}': id: ${JSON.stringify(id)} was already used by another call from ${origin}`, origin);
      return;
    }
    this.#recent.start(key, buf.length, hash);
    const compiledCmd = served.compiled.cmds.get(cmd);
    const handler = served.handlers.get(cmd);
    if (!compiledCmd || !handler) {
      this.answerError(served, cmdName, reply, key, id, 'MessageParsingError', `unknown command '${cmdName}' of ${served.interfaceName}`, origin);
      return;
    }
    if (this.#stopping) {
      this.answerError(served, cmd, reply, key, id, 'Shutdown', `module ${this.selfId} is shutting down`, origin);
      return;
    }
    const issue = compiledCmd.args(args ?? {});
    if (issue) {
      this.answerError(served, cmd, reply, key, id, 'SchemaValidationError', `${cmd}: ${issue.message}`, origin);
      return;
    }
    this.#run(served, cmd, origin, id, key, args ?? {});
  }

  /** Answer with an error of the framework's six types. `key` remembers the answer for a redelivery. */
  answerError(served: ServedImpl, cmd: string, topic: string, key: string | undefined, id: unknown,
    type: CmdErrorType, msg: string, origin?: string): void {
    const text = clip(msg);
    served.log.warn({ cmd: clip(cmd), origin, error: type }, text);
    this.#send(key, topic, this.dialect.encodeResult(cmd, id ?? null, this.selfId, { error: { type, msg: text } }));
  }

  /**
   * Stop taking calls (new ones get Shutdown), give the ones in flight up to `graceMs` to finish, answer
   * the rest with Shutdown.
   */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    if (this.#inFlight.size === 0) return;
    await withTimeout(new Promise<void>((resolve) => this.#idleWaiters.push(resolve)), graceMs);
    for (const key of [...this.#inFlight.keys()]) {
      this.#finish(key, { err: new CmdError('Shutdown', `module ${this.selfId} shut down before the call finished`) });
    }
  }

  #send(key: string | undefined, topic: string, payload: string): void {
    if (key !== undefined) this.#recent.answered(key, topic, payload);
    this.#publisher.publish(topic, payload);
  }

  #run(served: ServedImpl, cmd: string, origin: string, id: string | number, key: string, args: unknown): void {
    const entry: InFlight = { ac: undefined, served, cmd, origin, id, deadline: Number.POSITIVE_INFINITY, timeoutMs: this.handlerTimeoutMs };
    this.#inFlight.set(key, entry);
    // The AbortController is made only for a handler that reads ctx.signal: one per call, and its abort()
    // (a DOMException with a stack), were a fifth of a call's time in the bench profile.
    const ctx = new Context(entry);
    const handler = served.handlers.get(cmd)!;
    let result: unknown;
    try {
      result = handler(args, ctx);
    } catch (err) {
      this.#finish(key, { err });
      return;
    }
    if (!(result instanceof Promise)) {
      this.#finish(key, { value: result });
      return;
    }
    // A handler that hangs must not hold its caller for the framework's 300 s, nor block other calls.
    entry.deadline = performance.now() + entry.timeoutMs;
    this.#armTimeouts(entry.deadline);
    result.then(
      (value) => this.#finish(key, { value }),
      (err: unknown) => this.#finish(key, { err }),
    );
  }

  #armTimeouts(at: number): void {
    if (at >= this.#timerAt) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, Math.ceil(at - performance.now())));
  }

  /** Answers every call past its deadline with CmdTimeout, and sets the timer for the next deadline. */
  #expire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [key, e] of this.#inFlight) {
      if (e.deadline <= now) {
        this.#finish(key, { err: new CmdError('CmdTimeout', `${e.cmd} did not finish within ${e.timeoutMs} ms (handler_timeout_ms)`) });
      } else if (e.deadline < next) {
        next = e.deadline;
      }
    }
    if (next !== Number.POSITIVE_INFINITY) this.#armTimeouts(next);
  }

  #finish(key: string, outcome: Outcome): void {
    const entry = this.#inFlight.get(key);
    if (!entry) return; // already answered (timeout or shutdown)
    this.#inFlight.delete(key);
    entry.ac?.abort();
    const { served, cmd, origin, id } = entry;
    const topic = this.dialect.replyTopic(served.prefix, cmd, origin);
    try {
      if ('err' in outcome) {
        const err = outcome.err;
        if (err instanceof CmdError) {
          this.answerError(served, cmd, topic, key, id, err.type, err.message, origin);
        } else {
          const msg = clip(errorMessage(err));
          served.log.error({ cmd, origin, err }, `handler of ${cmd} threw`);
          this.#send(key, topic, this.dialect.encodeResult(cmd, id, this.selfId, { error: { type: 'HandlerException', msg } }));
        }
      } else {
        const value = outcome.value === undefined ? null : outcome.value;
        const issue = served.compiled.cmds.get(cmd)!.result(value);
        if (issue) {
          // A result that does not fit its schema is never published (the framework does the same with validation on).
          this.answerError(served, cmd, topic, key, id, 'SchemaValidationError', `result of ${cmd} does not fit its schema: ${issue.message}`, origin);
        } else {
          this.#send(key, topic, this.dialect.encodeResult(cmd, id, this.selfId, { retval: value }));
        }
      }
    } catch (err) {
      // A result that cannot be serialized (a cycle, a BigInt): the caller still gets an answer.
      this.answerError(served, cmd, topic, key, id, 'HandlerException', `result of ${cmd} could not be serialized: ${errorMessage(err)}`, origin);
    } finally {
      if (this.#inFlight.size === 0 && this.#timer !== undefined) {
        // Nothing left to time out: the process need not wait for the timer.
        clearTimeout(this.#timer);
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
      }
      if (this.#inFlight.size === 0 && this.#idleWaiters.length > 0) {
        const waiters = this.#idleWaiters;
        this.#idleWaiters = [];
        for (const fn of waiters) fn();
      }
    }
  }
}
