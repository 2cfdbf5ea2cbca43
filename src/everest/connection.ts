// The MQTT connection: MQTT.js with our own stream builder so that every socket has TCP_NODELAY
// (without it a QoS 2 request/reply took 88 ms per call here: everest-bus.md, transport facts),
// and exponential reconnect backoff on top of MQTT.js's fixed reconnectPeriod.
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { MqttClient, type IClientOptions } from 'mqtt';
import type { BusSettings } from './settings.js';
import type { Logger } from '../log.js';

export interface ConnectionOptions {
  settings: BusSettings;
  log: Logger;
  clientId?: string;
}

function streamFactory(settings: BusSettings): () => net.Socket {
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
  };
  if (settings.username) options.username = settings.username;
  if (settings.password) options.password = settings.password;
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
  client.on('error', (err) => log.warn({ err: err.message }, 'mqtt connection error'));
  return client;
}

export function waitConnected(client: MqttClient, timeoutMs: number): Promise<void> {
  if (client.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no connection to the broker within ${timeoutMs} ms`));
    }, timeoutMs);
    const onConnect = () => { cleanup(); resolve(); };
    const cleanup = () => { clearTimeout(timer); client.off('connect', onConnect); };
    client.on('connect', onConnect);
  });
}
