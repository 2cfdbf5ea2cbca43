// MQTT.js and mqtt-packet without two costs they carry for every process that loads them. Imported for
// its effect, before 'mqtt', by connection.ts (and so before the embedded broker, which shares them).
// - Tracing: both trace through the `debug` package, whose functions collect their arguments into an
//   array on every call even when tracing is off: in the bench's heap profile that was a fifth of the
//   bytes a bus call allocates (and so of the young-generation collections). When DEBUG is not set
//   nothing would be printed, so the copy of `debug` they load is given silent functions before they
//   load it. With DEBUG set (DEBUG=mqttjs*,mqtt-packet:*) the real package traces as usual.
// - mqtt-packet's cache of a Buffer per message id (65,536 of them, 6 MB of a 18 MB live heap), built
//   on the first packet written by anyone (the embedded broker included) unless switched off first.
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
    (fromPacket('mqtt-packet') as { writeToStream: { cacheNumbers: boolean } }).writeToStream.cacheNumbers = false;
  } catch {
    // A layout we do not know: the packages stay as they are, which only costs allocations.
  }
}

makeLean();
