// The MQTT connection: MQTT.js with our own stream builder so that every socket has TCP_NODELAY
// (without it a QoS 2 request/reply took 88 ms per call here: everest-bus.md, transport facts),
// and exponential reconnect backoff on top of MQTT.js's fixed reconnectPeriod.
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import './mqtt-lean.js';
import type * as Mqtt from 'mqtt';
import type { IClientOptions } from 'mqtt';
import type { BusSettings } from './settings.js';
import type { Logger } from '../log.js';
import { NotConnectedError } from '../errors.js';
import { clientCertRefused, peerCertRejected } from '../tls-errors.js';

// MQTT.js is CommonJS: required, not imported (after mqtt-lean.js above). Imported from an ES module, Node
// first lexes it and every module it re-exports for their names: import('mqtt') took 133-159 ms here,
// require('mqtt') 75-91 ms.
export const MqttClient = (createRequire(import.meta.url)('mqtt') as typeof Mqtt).MqttClient;
export type MqttClient = Mqtt.MqttClient;

export interface ConnectionOptions {
  settings: BusSettings;
  log: Logger;
  clientId?: string;
}

/** The socket (plain, TLS or unix) to the broker of these settings; also the embedded config service's. */
export function streamFactory(settings: BusSettings): () => net.Socket {
  if (settings.socketPath) {
    const path = settings.socketPath;
    return () => net.createConnection({ path });
  }
  const url = new URL(settings.brokerUrl);
  const host = url.hostname || '127.0.0.1';
  const secure = url.protocol === 'mqtts:' || url.protocol === 'ssl:' || url.protocol === 'tls:';
  const port = Number(url.port || (secure ? 8883 : 1883));
  if (secure || settings.tls) {
    const t = settings.tls ?? {};
    // Files are read once: a reconnect must not fail because a file moved after start.
    const ca = t.ca ? readFileSync(t.ca) : undefined;
    const cert = t.cert ? readFileSync(t.cert) : undefined;
    const key = t.key ? readFileSync(t.key) : undefined;
    return () => {
      const s = tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ca, cert, key, rejectUnauthorized: t.rejectUnauthorized ?? true });
      s.setNoDelay(true);
      return s;
    };
  }
  return () => net.createConnection({ host, port, noDelay: true });
}

function urlCredentials(brokerUrl: string): { username?: string; password?: string } | undefined {
  try {
    const u = new URL(brokerUrl);
    if (u.username === '' && u.password === '') return undefined;
    return { username: decodeURIComponent(u.username) || undefined, password: decodeURIComponent(u.password) || undefined };
  } catch {
    return undefined;
  }
}

/** Open (asynchronously) a connection; resolves on the first CONNACK, rejects when the first attempt fails. */
export function openConnection(opts: ConnectionOptions): MqttClient {
  const { settings, log } = opts;
  const options: IClientOptions = {
    clientId: opts.clientId ?? `${settings.moduleId}-${randomBytes(4).toString('hex')}`,
    protocolVersion: 4,
    clean: true,
    keepalive: 30,
    reconnectPeriod: settings.reconnectMinMs,
    connectTimeout: 10_000,
    resubscribe: true,
    queueQoSZero: true,
    // Without it MQTT.js stops reconnecting for good after one refused CONNACK (a broker that restarts and
    // answers "server unavailable" for a moment, or reloads its password file): keep trying, with backoff.
    reconnectOnConnackError: true,
    // Re-arming the keepalive timer on every packet sent was a tenth of the bytes allocated per call;
    // a PINGREQ every keepalive period while traffic flows costs nothing.
    reschedulePings: false,
  };
  // Its trace calls and mqtt-packet's number cache are taken care of for the whole process: mqtt-lean.ts.
  // Credentials: --mqtt-username/--mqtt-password (TSOCPP_MQTT_*), else the broker URL's user info
  // (`mqtt://user:secret@host`, as MQTT.js's own connect() reads it); they were silently ignored before.
  const fromUrl = settings.socketPath ? undefined : urlCredentials(settings.brokerUrl);
  const username = settings.username ?? fromUrl?.username;
  const password = settings.password ?? fromUrl?.password;
  if (username) options.username = username;
  if (password) options.password = password;
  const build = streamFactory(settings);
  const client = new MqttClient(() => build(), options);

  // Backoff: MQTT.js re-arms its reconnect timer with options.reconnectPeriod after each failed attempt
  // (connect() clears it, 'close' sets it up again), so raising the period before each attempt is enough.
  let period = settings.reconnectMinMs;
  client.on('reconnect', () => {
    period = Math.min(settings.reconnectMaxMs, Math.round(period * 2 * (0.8 + Math.random() * 0.4)));
    client.options.reconnectPeriod = period;
  });
  client.on('connect', () => {
    period = settings.reconnectMinMs;
    client.options.reconnectPeriod = period;
  });
  client.on('error', (err) => {
    // While the client ends (the module stops), an acknowledgement of a message that was still arriving
    // cannot be written any more (ERR_STREAM_WRITE_AFTER_END): expected then, not a fault of the bus.
    if (client.disconnecting) log.debug({ err }, 'mqtt connection error while disconnecting');
    else log.warn({ err }, 'mqtt connection error');
  });
  return client;
}

// CONNACK codes that no retry will change (MQTT 3.1.1 section 3.2.2.3): unacceptable protocol version,
// identifier rejected, bad user name or password, not authorized.
const REFUSED_FOR_GOOD = new Set<unknown>([1, 2, 4, 5]);

/**
 * Resolves on the first CONNACK. Rejects after `timeoutMs`, or at once when the broker refuses the
 * credentials (or the client id), its certificate does not verify or it refuses ours: waiting would never
 * end, so start-up fails with the reason. (After the first connection such failures are retried with backoff.)
 */
export function waitConnected(client: MqttClient, timeoutMs: number): Promise<void> {
  if (client.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new NotConnectedError(`no connection to the broker within ${timeoutMs} ms`));
    }, timeoutMs);
    const onConnect = () => { cleanup(); resolve(); };
    const onError = (err: Error & { code?: unknown }) => {
      let why: string;
      if (typeof err.code === 'number' && REFUSED_FOR_GOOD.has(err.code)) why = `the broker refused the connection: ${err.message}`;
      else if (peerCertRejected(err.code)) why = `the broker's TLS certificate was rejected: ${err.message} (${String(err.code)})`;
      else if (clientCertRefused(err.code)) why = `the broker refused the TLS client certificate (${String(err.code)})`;
      else return;
      cleanup();
      client.end(true);
      reject(new NotConnectedError(why, { cause: err }));
    };
    const cleanup = () => { clearTimeout(timer); client.off('connect', onConnect); client.off('error', onError); };
    client.on('connect', onConnect);
    client.on('error', onError);
  });
}
