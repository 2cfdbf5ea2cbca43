// mqtt-packet's writeToStream as src/everest/mqtt-lean.ts replaces it: each packet reaches the socket as one
// Buffer with the bytes mqtt-packet encodes, the packets of one tick leave together, and a packet that
// cannot be encoded ends the stream with mqtt-packet's error, as before.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import '../src/everest/mqtt-lean.js';

interface Packet { cmd: string; [key: string]: unknown }
const fromMqtt = createRequire(createRequire(import.meta.url).resolve('mqtt'));
const mqttPacket = fromMqtt('mqtt-packet') as {
  writeToStream(packet: Packet, stream: Writable, opts?: unknown): boolean;
  generate(packet: Packet, opts?: unknown): Buffer;
};

/** A real Writable that records what each write and writev call was handed. */
function recorder(): { stream: Writable; calls: Buffer[][] } {
  const calls: Buffer[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) { calls.push([chunk]); cb(); },
    writev(chunks, cb) { calls.push(chunks.map((c) => c.chunk as Buffer)); cb(); },
  });
  return { stream, calls };
}

const PACKETS: Packet[] = [
  { cmd: 'publish', topic: 'everest/modules/ocpp/impl/ocpp_generic/cmd', payload: Buffer.from('{"name":"get_variables"}'), qos: 2, messageId: 42, retain: false, dup: false },
  { cmd: 'pubrec', messageId: 42 },
  { cmd: 'subscribe', messageId: 7, subscriptions: [{ topic: 'everest/#', qos: 2 }] },
  { cmd: 'publish', topic: 'plain/string/payload', payload: 'héllo wörld', qos: 0, retain: true, dup: false },
];

test('each packet is one Buffer with the bytes mqtt-packet encodes, and the packets of one tick are written together', async () => {
  const { stream, calls } = recorder();
  for (const p of PACKETS) assert.ok(mqttPacket.writeToStream(p, stream));
  assert.equal(calls, [], 'held while the tick lasts');
  await new Promise((resolve) => setImmediate(resolve));
  assert.is(calls.length, 1, 'one writev');
  assert.equal(calls[0]!.map((b) => b.toString('hex')), PACKETS.map((p) => mqttPacket.generate(p).toString('hex')));
});

test('a packet mqtt-packet cannot encode ends the stream with its error and writes nothing', async () => {
  const { stream, calls } = recorder();
  const failed = new Promise<Error>((resolve) => stream.once('error', resolve));
  assert.is(mqttPacket.writeToStream({ cmd: 'no-such-command' }, stream), false);
  assert.match((await failed).message, /Unknown command/);
  assert.equal(calls, []);
  // The next packet on another stream is whole again: nothing of the failed one is left over.
  const next = recorder();
  mqttPacket.writeToStream(PACKETS[1]!, next.stream);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(next.calls.flat().map((b) => b.toString('hex')), [mqttPacket.generate(PACKETS[1]!).toString('hex')]);
});

test.run();
