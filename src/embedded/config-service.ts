// The embedded config service: answers the start-up handshake the way the EVerest manager does, in
// the chosen dialect, so that the same module code path runs with and without a real manager.
// What it mimics is recorded in ../shared/everest-bus.md: retained QoS 2 start-up topics, the config
// answer, global ready after the last module's ready, start-up topics cleared at that moment.
import net from 'node:net';
import { MqttClient } from '../everest/connection.js';
import type { Logger } from '../log.js';
import { dialectFor, type Dialect, type DialectName } from '../everest/dialect.js';
import type { Manifest } from '../everest/manifest.js';
import { parsePayload } from '../everest/payload.js';
import type { InterfaceDefinition, TypeFile } from '../schema/definitions.js';
import { moduleConfigV19, moduleConfigV22, type ActiveModule, type EverestConfig } from './everest-config.js';

export interface ConfigServiceOptions {
  brokerUrl: string;
  /** The broker's credentials, when it requires them. */
  username?: string;
  /** The socket to the broker (a TLS one for an embedded broker serving TLS); default plain TCP to brokerUrl. */
  stream?: () => net.Socket;
  password?: string;
  prefix: string;
  dialect: DialectName;
  config: EverestConfig;
  /** Module name -> manifest. */
  manifests: Record<string, Manifest>;
  interfaces: Record<string, InterfaceDefinition>;
  types: Record<string, TypeFile>;
  log: Logger;
  /** Keep start-up topics retained after global ready (the manager's --retain-topics). */
  retainTopics?: boolean;
  /** Publish type definitions (the real v0.25 manager published `types: []`). */
  publishTypes?: boolean;
}

export class ConfigService {
  readonly #o: ConfigServiceOptions;
  readonly #d: Dialect;
  #client: MqttClient | undefined;
  readonly #retained: string[] = [];
  readonly #ready = new Set<string>();
  #globalReady = false;
  /** Messages the service saw that a real manager would have died on. */
  readonly violations: string[] = [];

  constructor(opts: ConfigServiceOptions) {
    this.#o = opts;
    this.#d = dialectFor(opts.dialect);
  }

  get globalReady(): boolean {
    return this.#globalReady;
  }

  async start(): Promise<void> {
    const url = new URL(this.#o.brokerUrl);
    const host = url.hostname;
    const port = Number(url.port || 1883);
    const client = new MqttClient(this.#o.stream ?? (() => net.createConnection({ host, port, noDelay: true })), {
      clientId: `everest-manager-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 500,
      ...(this.#o.username !== undefined ? { username: this.#o.username } : {}),
      ...(this.#o.password !== undefined ? { password: this.#o.password } : {}),
    });
    this.#client = client;
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    // Past the first connection, broker errors are outages to ride out (MQTT.js reconnects), not a crash.
    client.on('error', (err) => this.#o.log.warn({ err }, 'config service: broker connection error'));
    const P = this.#o.prefix;
    client.on('message', (topic, payload) => this.#onMessage(topic, payload));
    const subs = { [this.#d.configRequestFilter(P)]: { qos: 2 as const }, [`${P}modules/+/ready`]: { qos: 2 as const } };
    await client.subscribeAsync(subs);
    await this.#publishStartupTopics();
  }

  async #publishStartupTopics(): Promise<void> {
    const P = this.#o.prefix;
    const d = this.#d;
    const wrap = (v: unknown): string => d.wrap('GetConfigResponse', JSON.stringify(v));
    const used = new Set(Object.values(this.#o.config.active_modules).map((m) => m.module));
    const ifaceNames = Object.keys(this.#o.interfaces).sort();
    const typeNames = this.#o.publishTypes === false ? [] : Object.keys(this.#o.types).sort();
    const settings: Record<string, unknown> = { validate_schema: false, ...(this.#o.config.settings ?? {}) };
    if (!d.settingsForwardExceptions) delete settings.forward_exceptions;
    else settings.forward_exceptions = settings.forward_exceptions ?? false;
    const moduleNames = Object.fromEntries(Object.entries(this.#o.config.active_modules).map(([id, m]) => [id, m.module]));
    const topics: Array<[string, string]> = [
      [`${P}interfaces`, wrap(ifaceNames)],
      ...ifaceNames.map((n): [string, string] => [`${P}interface_definitions/${n}`, wrap(this.#o.interfaces[n])]),
      [`${P}types`, wrap(typeNames)],
      ...typeNames.map((t): [string, string] => [`${P}type_definitions${t}`, wrap(this.#o.types[t])]),
      [`${P}settings`, wrap(settings)],
      ...[...used].map((name): [string, string] => [`${P}manifests/${name}`, wrap(this.#o.manifests[name] ?? {})]),
      [`${P}module_names`, wrap(moduleNames)],
    ];
    await Promise.all(topics.map(([topic, payload]) => {
      this.#retained.push(topic);
      return this.#client!.publishAsync(topic, payload, { qos: 2, retain: true });
    }));
  }

  #onMessage(topic: string, payload: Buffer): void {
    const P = this.#o.prefix;
    if (topic === `${P}config/request`) {
      this.#answerConfigRequest(payload);
    } else if (topic.endsWith('/get_config')) {
      const id = topic.slice(`${P}modules/`.length, -'/get_config'.length);
      this.#answerGetConfig(id);
    } else if (topic.endsWith('/ready')) {
      const id = topic.slice(`${P}modules/`.length, -'/ready'.length);
      this.#onModuleReady(id, payload);
    }
  }

  #answerConfigRequest(payload: Buffer): void {
    const parsed = parsePayload(payload);
    if (!parsed.ok) {
      this.#o.log.warn('config service: unreadable config request');
      return;
    }
    // A v0.24 manager does not answer an enveloped request, and v0.25 does not answer a bare one.
    const req = this.#d.unwrap(parsed.value, 'GetConfig') as Record<string, unknown> | undefined;
    if (!req || typeof req !== 'object' || req.type !== 'Get' || typeof req.origin !== 'string') {
      this.#o.log.debug('config service: ignored a config request of another dialect');
      return;
    }
    const id = req.origin;
    const m = this.#o.config.active_modules[id];
    if (!m) {
      this.#o.log.warn({ module: id }, 'config service: config request from a module that is not in the config');
      return;
    }
    const data = { mappings: this.#mappings(id, m), module_config: moduleConfigV22(id, m, this.#o.manifests[m.module]) };
    const answer = { response: { data, type: 'Module' }, status: 'Ok', status_info: '', type: 'Get' };
    void this.#client!.publishAsync(`${this.#o.prefix}modules/${id}/response`, this.#d.wrap('GetConfigResponse', JSON.stringify(answer)), { qos: 2 });
  }

  /** As v0.25's get_serialized_module_config: the mapping of each connected module, then the module's own. */
  #mappings(id: string, m: ActiveModule): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const list of Object.values(m.connections ?? {})) {
      for (const c of list) out[c.module_id] = this.#o.config.active_modules[c.module_id]?.mapping ?? null;
    }
    out[id] = m.mapping ?? null;
    return out;
  }

  #answerGetConfig(id: string): void {
    const m = this.#o.config.active_modules[id];
    if (!m) return;
    const answer = { mappings: { [id]: null }, module_config: { [id]: moduleConfigV19(m, this.#o.manifests[m.module]) } };
    void this.#client!.publishAsync(`${this.#o.prefix}modules/${id}/config`, JSON.stringify(answer), { qos: 2 });
  }

  #onModuleReady(id: string, payload: Buffer): void {
    const parsed = parsePayload(payload);
    const ok = parsed.ok && this.#d.readModuleReady(parsed.value);
    if (!ok) {
      // A v0.20/v0.24 manager aborts on a v0.25 ready, and v0.25 ignores a bare one (everest-bus.md).
      const what = `module ${id} sent a ready that a ${this.#d.frameworkRange} manager does not accept: ${payload.toString().slice(0, 100)}`;
      this.violations.push(what);
      this.#o.log.error(`config service: ${what}`);
      return;
    }
    if (!(id in this.#o.config.active_modules)) return;
    this.#ready.add(id);
    if (this.#globalReady) {
      this.#o.log.info({ module: id }, 'config service: module ready again after global ready');
      return;
    }
    if (Object.keys(this.#o.config.active_modules).every((m) => this.#ready.has(m))) void this.#sayGlobalReady();
  }

  async #sayGlobalReady(): Promise<void> {
    this.#globalReady = true;
    const client = this.#client!;
    if (!this.#o.retainTopics) {
      for (const topic of this.#retained) client.publish(topic, '', { qos: 0, retain: true });
    }
    await client.publishAsync(`${this.#o.prefix}ready`, this.#d.wrap('GlobalReady', 'true'), { qos: 2 });
    this.#o.log.info('config service: global ready');
  }

  async stop(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    await client.endAsync(false).catch(() => client.end(true));
  }
}
