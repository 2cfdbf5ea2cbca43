// An inbound command call: check, validate, run the handler, validate its result, answer.
// Every failure that leaves a reply topic known is answered with one of the framework's error types;
// the rest is dropped with one warning line (everest-framework lib/everest.cpp provide_cmd).
import { CmdError, errorMessage, type CmdErrorType } from '../../errors.js';
import { isSafeOrigin, parsePayload, sniffCall } from '../payload.js';
import type { CallContext, HandlerHost, ServedImpl } from './context.js';

function answerError(host: HandlerHost, served: ServedImpl, cmd: string, origin: string, id: unknown, type: CmdErrorType, msg: string): void {
  served.log.warn({ cmd, origin, error: type }, msg);
  const topic = host.dialect.replyTopic(served.prefix, cmd, origin);
  host.publisher.publish(topic, host.dialect.encodeResult(cmd, id ?? null, host.selfId, { error: { type, msg } }));
}

/** Unreadable input: answer when origin and (in v25) the cmd can be read, otherwise warn once and drop. */
function unreadable(host: HandlerHost, served: ServedImpl, topic: string, buf: Buffer, reason: string): void {
  const { origin, id } = sniffCall(buf);
  const cmd = cmdFromTopic(host, served, topic);
  if (isSafeOrigin(origin) && cmd !== undefined) {
    answerError(host, served, cmd, origin, id, 'MessageParsingError', reason);
  } else {
    served.log.warn({ topic }, `dropped a message without a usable origin: ${reason}`);
  }
}

function cmdFromTopic(host: HandlerHost, served: ServedImpl, topic: string): string | undefined {
  const tail = topic.slice(served.prefix.length + 5);
  return host.dialect.name === 'v25' && tail.length > 0 ? tail : undefined;
}

export function handleCall(host: HandlerHost, served: ServedImpl, topic: string, buf: Buffer): void {
  if (buf.length > host.maxPayloadBytes) {
    unreadable(host, served, topic, buf, `payload of ${buf.length} bytes exceeds the limit of ${host.maxPayloadBytes} bytes`);
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
  if (!isSafeOrigin(origin)) {
    served.log.warn({ topic }, 'dropped a call whose origin is missing or not a module id');
    return;
  }
  if (typeof id !== 'string' && typeof id !== 'number') {
    answerError(host, served, cmd, origin, null, 'MessageParsingError', `call of '${cmd}' has no id`);
    return;
  }
  const compiledCmd = served.compiled.cmds.get(cmd);
  const handler = served.handlers.get(cmd);
  if (!compiledCmd || !handler) {
    answerError(host, served, cmd || '(none)', origin, id, 'MessageParsingError', `unknown command '${cmd}' of ${served.interfaceName}`);
    return;
  }
  if (host.stopping) {
    answerError(host, served, cmd, origin, id, 'Shutdown', `module ${host.selfId} is shutting down`);
    return;
  }
  const key = `${origin}\0${id}`;
  if (host.serving.has(key)) {
    answerError(host, served, cmd, origin, id, 'MessageParsingError', `duplicate call id ${JSON.stringify(id)} from ${origin}: a call with this id is in progress`);
    return;
  }
  const issue = compiledCmd.args(args ?? {});
  if (issue) {
    answerError(host, served, cmd, origin, id, 'SchemaValidationError', `${cmd}: ${issue.message}`);
    return;
  }
  run(host, served, cmd, origin, id, key, args ?? {});
}

function run(host: HandlerHost, served: ServedImpl, cmd: string, origin: string, id: string | number, key: string, args: unknown): void {
  const ac = new AbortController();
  host.serving.set(key, { ac, served, cmd, origin, id });
  const ctx: CallContext = { origin, cmd, impl: served.impl, signal: ac.signal };
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
    finish(host, key, { err: new CmdError('CmdTimeout', `${cmd} did not finish within ${host.handlerTimeoutMs} ms`) });
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
  entry.ac.abort();
  const { served, cmd, origin, id } = entry;
  if ('err' in outcome) {
    const err = outcome.err;
    if (err instanceof CmdError) {
      answerError(host, served, cmd, origin, id, err.type, err.message);
    } else {
      served.log.error({ cmd, origin, err: errorMessage(err) }, `handler of ${cmd} threw`);
      const topic = host.dialect.replyTopic(served.prefix, cmd, origin);
      host.publisher.publish(topic, host.dialect.encodeResult(cmd, id, host.selfId, { error: { type: 'HandlerException', msg: errorMessage(err) } }));
    }
  } else {
    const value = outcome.value === undefined ? null : outcome.value;
    const issue = served.compiled.cmds.get(cmd)!.result(value);
    if (issue) {
      // A result that does not fit its schema is never published (the framework does the same with validation on).
      answerError(host, served, cmd, origin, id, 'SchemaValidationError', `result of ${cmd} does not fit its schema: ${issue.message}`);
    } else {
      const topic = host.dialect.replyTopic(served.prefix, cmd, origin);
      host.publisher.publish(topic, host.dialect.encodeResult(cmd, id, host.selfId, { retval: value }));
    }
  }
  host.onServed();
}

/** Shutdown: answer every call still being served with Shutdown. */
export function answerAllWithShutdown(host: HandlerHost): void {
  for (const key of [...host.serving.keys()]) {
    finish(host, key, { err: new CmdError('Shutdown', `module ${host.selfId} shut down before the call finished`) });
  }
}
