// The embedded MQTT broker (aedes) for the one-command start and the tests. Its server sockets have
// TCP_NODELAY, like mosquitto with `set_tcp_nodelay true` (everest-bus.md, transport facts).
import net from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from '../log.js';

export interface EmbeddedBroker {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startBroker(opts: { host?: string; port?: number; log?: Logger } = {}): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  const aedes = await Aedes.createBroker();
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
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
    url: `mqtt://${host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => aedes.close(() => resolve()));
    }),
  };
}
