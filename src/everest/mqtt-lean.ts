// MQTT.js and mqtt-packet without two costs they carry for every process that loads them. Imported for
// its effect, before 'mqtt', by connection.ts (and so before the embedded broker, which shares them).
// - Tracing: both trace through the `debug` package, whose functions collect their arguments into an
//   array on every call even when tracing is off: in the bench's heap profile that was a fifth of the
//   bytes a bus call allocates (and so of the young-generation collections). When DEBUG is not set
//   nothing would be printed, so the copy of `debug` they load is given silent functions before they
//   load it. With DEBUG set (DEBUG=mqttjs*,mqtt-packet:*) the real package traces as usual.
// - mqtt-packet's cache of a Buffer per message id (65,536 of them, 6 MB of a 18 MB live heap), built
//   on the first packet written by anyone (the embedded broker included) unless switched off first.
// - Each packet as one write: writeToStream writes a packet in 3 to 6 pieces (header, length, topic,
//   payload ...), each kept by the corked socket as one more chunk for writev, and schedules an uncork
//   per packet; under the v0.25.0 manager that buffering was 16% of the bytes a call allocates. Here the
//   pieces are joined into one Buffer first and the socket corked once per tick; same answer for
//   backpressure, same end for a packet it cannot encode (the stream destroyed with the error).
import Module, { createRequire } from 'node:module';

type Silent = ((...args: unknown[]) => void) & { enabled: boolean; namespace: string; extend(sub: string, delimiter?: string): Silent; log(): void; destroy(): void };

function silent(namespace: string): Silent {
  const fn = (() => undefined) as unknown as Silent;
  fn.enabled = false;
  fn.namespace = namespace;
  fn.extend = (sub: string, delimiter = ':') => silent(`${namespace}${delimiter}${sub}`);
  fn.log = () => undefined;
  fn.destroy = () => undefined;
  return fn;
}

function factory(): unknown {
  const create = (namespace: string): Silent => silent(namespace);
  return Object.assign(create, {
    default: create,
    enable: () => undefined,
    disable: () => '',
    enabled: () => false,
    names: [] as RegExp[],
    skips: [] as RegExp[],
    formatters: {},
  });
}

interface PacketStream { write(chunk: Buffer | string): boolean; destroy(err?: Error): void; cork?(): void; uncork?(): void }
type WriteToStream = ((packet: unknown, stream: PacketStream, opts?: unknown) => boolean) & { cacheNumbers: boolean };
interface MqttPacketModule { writeToStream: WriteToStream }

// Where writeToStream puts the pieces of one packet: one object for the whole process (writeToStream is
// synchronous), taken whole as one Buffer after each packet.
class PacketBytes implements PacketStream {
  readonly #parts: Array<Buffer | string> = [];
  #length = 0;
  error: Error | undefined;

  write(chunk: Buffer | string): boolean {
    this.#parts.push(chunk);
    this.#length += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    return true;
  }

  destroy(err?: Error): void {
    this.error = err ?? new Error('mqtt-packet could not encode the packet');
  }

  take(): Buffer {
    const out = Buffer.allocUnsafe(this.#length);
    let at = 0;
    for (const part of this.#parts) at += typeof part === 'string' ? out.write(part, at) : part.copy(out, at);
    this.clear();
    return out;
  }

  clear(): void {
    this.#parts.length = 0;
    this.#length = 0;
    this.error = undefined;
  }
}

function wholePackets(m: MqttPacketModule): WriteToStream {
  const original = m.writeToStream;
  const bytes = new PacketBytes();
  // As writeToStream does, the socket is corked for the rest of the tick: the packets of one turn (an
  // answer, its PUBREC, a var) still leave in one writev, now one piece each.
  const corked = new Set<PacketStream>();
  const uncork = (): void => {
    for (const stream of corked) stream.uncork?.();
    corked.clear();
  };
  const write = ((packet: unknown, stream: PacketStream, opts?: unknown): boolean => {
    original(packet, bytes, opts);
    if (bytes.error !== undefined) {
      // What writeToStream does with a packet it cannot encode.
      const err = bytes.error;
      bytes.clear();
      stream.destroy(err);
      return false;
    }
    if (stream.cork !== undefined && !corked.has(stream)) {
      if (corked.size === 0) process.nextTick(uncork);
      corked.add(stream);
      stream.cork();
    }
    return stream.write(bytes.take());
  }) as WriteToStream;
  // MQTT.js sets cacheNumbers on the function it calls; the original reads its own.
  Object.defineProperty(write, 'cacheNumbers', { get: () => original.cacheNumbers, set: (v: boolean) => { original.cacheNumbers = v; } });
  return write;
}

// Both settings are made on the copies MQTT.js itself loads (resolved from its own folder).
function makeLean(): void {
  try {
    const fromMqtt = createRequire(createRequire(import.meta.url).resolve('mqtt'));
    const fromPacket = createRequire(fromMqtt.resolve('mqtt-packet'));
    // The one read of the environment outside main.ts: DEBUG is the debug package's own variable, and this
    // must run when the module is imported, before MQTT.js loads that package.
    if (!process.env.DEBUG) {
      for (const from of [fromMqtt, fromPacket]) {
        const path = from.resolve('debug');
        if (from.cache[path]) continue;
        const m = new Module(path);
        m.filename = path;
        m.loaded = true;
        m.exports = factory();
        from.cache[path] = m;
      }
    }
    const packet = fromPacket('mqtt-packet') as MqttPacketModule;
    packet.writeToStream.cacheNumbers = false;
    packet.writeToStream = wholePackets(packet);
  } catch {
    // A layout we do not know: the packages stay as they are, which only costs allocations.
  }
}

makeLean();
