// The embedded MQTT broker (aedes) for the one-command start and the tests. Its server sockets have
// TCP_NODELAY, like mosquitto with `set_tcp_nodelay true` (everest-bus.md, transport facts).
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { Aedes } from 'aedes';
import { ConfigError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

/** Username and password every client must give (beyond loopback the embedded broker requires them). */
export interface BrokerCredentials {
  username: string;
  password: string;
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Loopback addresses: where the embedded broker may listen without credentials. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** PEM files of the certificate and key the broker serves MQTT over TLS with (--mqtt-tls-cert, --mqtt-tls-key). */
export interface BrokerTls {
  certFile: string;
  keyFile: string;
}

function readPem(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(flag, `cannot read ${path}: ${errorMessage(err)}`);
  }
}

export interface EmbeddedBroker {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startBroker(opts: { host?: string; port?: number; log?: Logger; credentials?: BrokerCredentials; tls?: BrokerTls } = {}): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  const creds = opts.credentials;
  // Checked before anything is made, so a refusal leaves nothing running.
  if (!creds && !isLoopback(host)) {
    throw new ConfigError('host', `the embedded broker would listen on ${host} without authentication: give --mqtt-username and --mqtt-password (every client, TsOcpp included, must then use them) or listen on 127.0.0.1`);
  }
  // TLS does not replace the credentials: it keeps them and the bus traffic private on the wire.
  const secure = opts.tls ? { cert: readPem('mqtt_tls_cert', opts.tls.certFile), key: readPem('mqtt_tls_key', opts.tls.keyFile) } : undefined;
  const aedes = await Aedes.createBroker();
  if (creds) {
    const user = Buffer.from(creds.username);
    const pass = Buffer.from(creds.password);
    // MQTT 3.1.1 CONNACK 4: bad user name or password. Neither is logged.
    aedes.authenticate = (client, username, password, done) => {
      const ok = username !== undefined && password !== undefined && same(Buffer.from(username), user) && same(Buffer.from(password), pass);
      if (ok) {
        done(null, true);
        return;
      }
      opts.log?.warn({ client: client.id }, 'broker: a client was refused (wrong or missing username/password)');
      done(Object.assign(new Error('bad username or password'), { returnCode: 4 }), false);
    };
  }
  const sockets = new Set<net.Socket>();
  const serve = (socket: net.Socket): void => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  };
  let server: net.Server;
  if (secure) {
    let tlsServer: tls.Server;
    try {
      tlsServer = tls.createServer({ ...secure, minVersion: 'TLSv1.2' }, serve);
    } catch (err) {
      aedes.close();
      throw new ConfigError('mqtt_tls_key', `the certificate and key do not make a TLS server: ${errorMessage(err)}`);
    }
    tlsServer.on('tlsClientError', (err) => opts.log?.debug({ err }, 'broker: TLS handshake failed'));
    server = tlsServer;
  } else {
    server = net.createServer({ noDelay: true }, serve);
  }
  aedes.on('clientError', (client, err) => opts.log?.debug({ client: client.id, err }, 'broker: client error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 1883, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 1883);
  return {
    host,
    port,
    url: `${secure ? 'mqtts' : 'mqtt'}://${host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => aedes.close(() => resolve()));
    }),
  };
}
