// A bare bus peer for the command-line client: a connection, a publisher and one Caller per dialect
// in use. With no dialect given and no start-up topics to read, a call goes out in both forms: each
// provider only hears the form of its own dialect, so exactly one answers.
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { openConnection, waitConnected } from '../everest/connection.js';
import { Publisher } from '../everest/publisher.js';
import { Caller } from '../everest/caller.js';
import { callDialects, detectFromRetained, dialectFor, type DialectName } from '../everest/dialect.js';
import { readRetained } from '../everest/bootstrap.js';
import type { BusSettings } from '../everest/settings.js';
import type { Logger } from '../log.js';

export interface CliBus {
  callers: Caller[];
  client: MqttClient;
  /** QoS 2 within the window, for what the client publishes itself (simulate-session's vars and results). */
  publisher: Publisher;
  /** The retained start-up topics read to find the dialect (empty when it was given, or after global ready). */
  retained: Map<string, unknown>;
  close(): Promise<void>;
}

/** `extraRetained`: further retained topics to read along with the start-up ones (e.g. an interface definition). */
export async function openCliBus(settings: BusSettings, log: Logger, connectTimeoutMs = 5000, extraRetained: readonly string[] = []): Promise<CliBus> {
  const selfId = `tsocpp-cli-${randomBytes(4).toString('hex')}`;
  const client = openConnection({ settings: { ...settings, moduleId: selfId }, log });
  await waitConnected(client, connectTimeoutMs).catch((err: unknown) => {
    client.end(true);
    throw err;
  });
  const publisher = new Publisher(client, settings.qosWindow);
  const P = settings.everestPrefix;
  let names: DialectName[];
  let retained = new Map<string, unknown>();
  const wanted = settings.dialect === 'auto' ? [`${P}interfaces`, `${P}settings`, ...extraRetained] : extraRetained;
  if (wanted.length > 0) retained = await readRetained(client, wanted, `${P}modules/${selfId}/tsocpp_probe`);
  if (settings.dialect !== 'auto') {
    names = [settings.dialect];
  } else {
    const detected = detectFromRetained(retained.get(`${P}interfaces`), retained.get(`${P}settings`));
    names = callDialects(detected);
  }
  const callers = names.map((n) => new Caller({
    client, publisher, dialect: dialectFor(n), everestPrefix: P, selfId, log, callTimeoutMs: settings.callTimeoutMs,
  }));
  client.on('message', (topic, payload) => {
    for (const c of callers) c.onMessage(topic, payload);
  });
  return {
    callers,
    client,
    publisher,
    retained,
    async close() {
      await Promise.race([publisher.drain(), new Promise((r) => setTimeout(r, 1000))]);
      await client.endAsync(false).catch(() => client.end(true));
    },
  };
}
