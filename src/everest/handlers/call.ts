// An inbound command call: read it off the wire (size, UTF-8, JSON, envelope, origin, id) and hand it to
// the call server, which checks and runs it. What cannot be read is answered with MessageParsingError
// where a reply topic is known, and otherwise dropped with one warning line.
import { isCmdName, isSafeOrigin, parsePayload, sniffCall } from '../payload.js';
import { clip, type CallServer } from '../call-server.js';
import type { ServedImpl } from './context.js';

/**
 * Where the answer to `origin` goes, or undefined when there is no safe one. v25 replies on
 * `.../response/<origin>`, so an origin that is not a module id has no reply topic. The old dialect
 * replies on the implementation's shared cmd topic whatever the origin (callers match results by id), so
 * there a call with a broken origin can still be answered.
 */
function replyTopicOf(server: CallServer, served: ServedImpl, cmd: string, origin: unknown): string | undefined {
  const d = server.dialect;
  if (isSafeOrigin(origin)) return d.replyTopic(served.prefix, cmd, origin);
  const shared = d.replyTopic(served.prefix, cmd, 'a');
  return shared === d.replyTopic(served.prefix, cmd, 'b') ? shared : undefined;
}

/** Unreadable input: answer when a reply topic and the cmd can be read, otherwise warn once and drop. */
function unreadable(server: CallServer, served: ServedImpl, topic: string, buf: Buffer, reason: string): void {
  const { origin, id, name } = sniffCall(buf);
  const cmd = server.dialect.cmdOfServeTopic(served.prefix, topic) ?? (isCmdName(name) ? name : undefined);
  const reply = cmd === undefined ? undefined : replyTopicOf(server, served, cmd, origin);
  if (cmd !== undefined && reply !== undefined) {
    server.answerError(served, cmd, reply, undefined, id, 'MessageParsingError', reason, isSafeOrigin(origin) ? origin : undefined);
  } else {
    served.log.warn({ topic }, `dropped a message without a usable origin: ${clip(reason)}`);
  }
}

export function handleCall(server: CallServer, served: ServedImpl, topic: string, buf: Buffer): void {
  try {
    readCall(server, served, topic, buf);
  } catch (err) {
    // Nothing a caller sends may take the process down: an exception here would escape into MQTT.js's
    // packet handling and end the process.
    served.log.error({ topic, err }, 'unexpected failure while handling a call; dropped');
  }
}

function readCall(server: CallServer, served: ServedImpl, topic: string, buf: Buffer): void {
  if (buf.length > server.maxPayloadBytes) {
    unreadable(server, served, topic, buf, `payload of ${buf.length} bytes exceeds the limit of ${server.maxPayloadBytes} bytes (max_payload_bytes)`);
    return;
  }
  const parsed = parsePayload(buf);
  if (!parsed.ok) {
    unreadable(server, served, topic, buf, parsed.reason);
    return;
  }
  const d = server.dialect;
  const inner = d.unwrap(parsed.value, 'Cmd');
  const call = inner === undefined ? undefined : d.readCall(served.prefix, topic, inner);
  if (call === 'ignore') return;
  if (call === undefined) {
    unreadable(server, served, topic, buf, 'message is not a command call');
    return;
  }
  const { cmd, id, origin, args } = call;
  const cmdName = cmd || '(none)';
  if (!isSafeOrigin(origin)) {
    const reply = replyTopicOf(server, served, cmdName, origin);
    const why = origin === undefined ? 'origin: is missing' : 'origin: must be a module id (1-128 of A-Z a-z 0-9 _ . : -)';
    if (reply !== undefined) server.answerError(served, cmdName, reply, undefined, typeof id === 'string' || typeof id === 'number' ? id : null, 'MessageParsingError', `call of '${cmdName}': ${why}`);
    else served.log.warn({ topic }, `dropped a call without a reply topic: ${why}`);
    return;
  }
  const reply = d.replyTopic(served.prefix, cmdName, origin);
  if (typeof id !== 'string' && typeof id !== 'number') {
    server.answerError(served, cmdName, reply, undefined, null, 'MessageParsingError', `call of '${cmdName}': id: ${id === undefined ? 'is missing' : 'must be a string or a number'}`, origin);
    return;
  }
  server.take(served, cmd, origin, id, args, reply, buf);
}
