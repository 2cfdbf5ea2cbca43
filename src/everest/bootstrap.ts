// Joining the bus before serving, in one step that returns what it found: wait for the broker, read what
// the manager left retained, tell the dialect from it, ask for the module's config, and compile the
// interface definitions in force. Nothing here waits forever for a topic that the manager clears at
// global ready (everest-bus.md, "Verified against a real manager" and "The older dialect").
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { detectFromRetained, dialectFor, type Dialect, type DialectName } from './dialect.js';
import { parsePayload } from './payload.js';
import { withTimeout } from './timeout.js';
import { waitConnected } from './connection.js';
import { normalizeModuleConfig, type Connection, type ModuleConfig } from './module-config.js';
import { resolveConfig, type ConfigDeclarations, type ConfigOf, type ConfigValue, type Manifest } from './manifest.js';
import type { BusSettings } from './settings.js';
import { redactUrl, type Logger } from '../log.js';
import { BootstrapError, errorMessage } from '../errors.js';
import { compileInterface, type CompiledInterface } from '../schema/compile.js';
import { installedTypes, relaxUnresolvedRefs, type InterfaceDefinition, type TypeFile } from '../schema/definitions.js';

/** `D`: the module config's declarations (generated from manifest.yaml), which type the checked config. */
export interface ResolvedModuleConfig<D extends ConfigDeclarations = ConfigDeclarations> {
  /** Checked once against the manifest's declarations, defaults filled in. */
  module: ConfigOf<D>;
  impls: Record<string, Record<string, ConfigValue>>;
  connections: Record<string, Connection[]>;
  moduleConfig: ModuleConfig;
}

export interface BootstrapOptions<D extends ConfigDeclarations = ConfigDeclarations> {
  client: MqttClient;
  settings: BusSettings;
  manifest: Manifest<D>;
  log: Logger;
  /** Interface definitions to use where the manager publishes none (always after global ready). */
  interfaces: Record<string, InterfaceDefinition>;
  /** Type files (key '/ocpp') to resolve `$ref` where the manager publishes none (it published `types: []`). */
  types: Record<string, TypeFile>;
}

/** A provided implementation's interface as it is in force on this bus, compiled. */
export interface ProvidedDefinition {
  interfaceName: string;
  compiled: CompiledInterface;
  source: 'manager' | 'bundled';
}

export interface Bootstrap<D extends ConfigDeclarations = ConfigDeclarations> {
  dialect: Dialect;
  /** True when the manager's start-up topics were there (false: started after global ready). */
  startupTopics: boolean;
  config: ResolvedModuleConfig<D>;
  /** Keyed by implementation id, in manifest order. */
  provided: Map<string, ProvidedDefinition>;
  /** Definitions of required interfaces, keyed by interface name, where the manager published them. */
  required: Map<string, InterfaceDefinition>;
  /** What the manager has beyond this module's bundle, for definitions of required interfaces. */
  manager: ManagerDefinitions;
}

/** The manager's own type files and where its install is, as far as this process can see them. */
export interface ManagerDefinitions {
  /** Type files of the manager's install, with those the manager published laid over them (key '/evse_manager'). */
  types: Record<string, TypeFile>;
  /** The install's share folders that exist (`<data_dir>`, `<EV_PREFIX>/share/everest`), holding interfaces/ and types/. */
  installDirs: string[];
}

/**
 * Join the bus up to serving. The definitions in force are the manager's where published, the bundled ones
 * otherwise; types: the bundle, then the manager's install (its data_dir, or EV_PREFIX when spawned), then
 * what it published. A definition that does not compile stops start-up and names its implementation.
 */
export async function bootstrap<D extends ConfigDeclarations>(o: BootstrapOptions<D>): Promise<Bootstrap<D>> {
  const { client, settings: s, manifest, log } = o;
  const P = s.everestPrefix;
  const M = s.moduleId;
  let warned = false;
  const warnTimer = setInterval(() => {
    if (!warned) log.warn({ broker: s.socketPath ?? redactUrl(s.brokerUrl) }, 'waiting for the MQTT broker');
    warned = true;
  }, 3000);
  try {
    await waitConnected(client, 24 * 3600 * 1000);
  } finally {
    clearInterval(warnTimer);
  }

  // 1. What the manager left retained: dialect, definitions.
  const provided = Object.entries(manifest.provides);
  const requiredIfaces = Object.values(manifest.requires).map((r) => r.interface);
  const ifaceNames = [...new Set([...provided.map(([, p]) => p.interface), ...requiredIfaces])];
  const probeTopic = `${P}modules/${M}/tsocpp_probe`;
  const filters = [`${P}interfaces`, `${P}settings`, `${P}types`, `${P}type_definitions/#`, ...ifaceNames.map((n) => `${P}interface_definitions/${n}`)];
  let retained = await readRetained(client, filters, probeTopic);
  retained = await completeDefinitions(client, filters, probeTopic, P, ifaceNames, retained);
  const detected = detectFromRetained(retained.get(`${P}interfaces`), retained.get(`${P}settings`));

  // 2. The config, in the detected (or forced) dialect; or, with nothing retained, in whichever answers.
  const candidates: DialectName[] = s.dialect !== 'auto' ? [s.dialect] : detected;
  if (s.dialect !== 'auto' && !detected.includes(s.dialect)) {
    log.warn({ forced: s.dialect, seen: detected }, 'bus dialect forced by setting differs from what the manager published');
  }
  const { dialect, answer } = await requestConfig(client, P, M, candidates, s.configTimeoutMs, log);
  let startupTopics = retained.has(`${P}interfaces`);
  if (!startupTopics) {
    // The manager may have come up while we waited for its answer: look again.
    retained = await completeDefinitions(client, filters, probeTopic, P, ifaceNames, await readRetained(client, filters, probeTopic));
    startupTopics = retained.has(`${P}interfaces`);
  }
  log.info({ dialect: dialect.name, framework: dialect.frameworkRange, startupTopics }, `bus dialect ${dialect.name} (${dialect.frameworkRange})`);
  const config = resolveModuleConfig(manifest, normalizeModuleConfig(answer));

  // 3. Definitions in force.
  const installDirs = shareDirs(dialect, retained.get(`${P}settings`), s.installPrefix);
  const managerTypes: Record<string, TypeFile> = { ...installTypes(installDirs, log) };
  for (const [topic, value] of retained) {
    if (!topic.startsWith(`${P}type_definitions/`)) continue;
    const file = dialect.unwrap(value, 'GetConfigResponse');
    if (file && typeof file === 'object' && 'types' in file) managerTypes[`/${topic.slice(`${P}type_definitions/`.length)}`] = file as TypeFile;
  }
  const allTypes: Record<string, TypeFile> = { ...o.types, ...managerTypes };
  // Type files may reference files this install does not have (a newer everest-core): see relaxUnresolvedRefs.
  const relaxedTypes = relaxUnresolvedRefs(allTypes, allTypes);
  const types = relaxedTypes.def;
  if (relaxedTypes.missing.length > 0) log.warn({ refs: relaxedTypes.missing }, 'type files reference types that are not installed; those parts are not checked');
  const required = new Map<string, InterfaceDefinition>();
  for (const name of requiredIfaces) {
    const def = dialect.unwrap(retained.get(`${P}interface_definitions/${name}`), 'GetConfigResponse');
    if (def && typeof def === 'object') required.set(name, def);
  }
  const definitions = new Map<string, ProvidedDefinition>();
  for (const [impl, p] of provided) {
    const fromManager = dialect.unwrap(retained.get(`${P}interface_definitions/${p.interface}`), 'GetConfigResponse');
    const source = fromManager && typeof fromManager === 'object' ? 'manager' : 'bundled';
    const def = source === 'manager' ? fromManager as InterfaceDefinition : o.interfaces[p.interface];
    if (!def) throw new BootstrapError(`no definition of interface '${p.interface}' (implementation '${impl}'): the manager published none and none is bundled`);
    const relaxed = relaxUnresolvedRefs(def, types);
    if (relaxed.missing.length > 0) {
      log.warn({ interface: p.interface, refs: relaxed.missing }, 'types referenced by the interface in force are unknown here; those parts are not checked');
    }
    let compiled: CompiledInterface;
    try {
      compiled = compileInterface(p.interface, relaxed.def, types);
    } catch (err) {
      throw new BootstrapError(`implementation '${impl}': ${errorMessage(err)}`, { cause: err });
    }
    definitions.set(impl, { interfaceName: p.interface, compiled, source });
  }
  return { dialect, startupTopics, config, provided: definitions, required, manager: { types: managerTypes, installDirs: installDirs.filter((d) => existsSync(d)) } };
}

function resolveModuleConfig<D extends ConfigDeclarations>(manifest: Manifest<D>, mc: ModuleConfig): ResolvedModuleConfig<D> {
  const module = resolveConfig(manifest.config, mc.module);
  const impls: Record<string, Record<string, ConfigValue>> = {};
  for (const [impl, p] of Object.entries(manifest.provides)) {
    impls[impl] = resolveConfig(p.config ?? {}, mc.impls[impl] ?? {});
  }
  return { module, impls, connections: mc.connections, moduleConfig: mc };
}

/** The share folders of the manager's install: the data_dir of its settings, then EV_PREFIX's share/everest. */
function shareDirs(dialect: Dialect, settingsMsg: unknown, installPrefix: string | undefined): string[] {
  const settings = dialect.unwrap(settingsMsg, 'GetConfigResponse') as { data_dir?: unknown } | undefined;
  const dirs: string[] = [];
  if (settings && typeof settings.data_dir === 'string') dirs.push(settings.data_dir);
  if (installPrefix) dirs.push(join(installPrefix, 'share', 'everest'));
  return dirs;
}

/** Type files of the manager's install, when this process can see them. */
function installTypes(shares: readonly string[], log: Logger): Record<string, TypeFile> {
  for (const dir of shares.map((d) => join(d, 'types'))) {
    try {
      const found = installedTypes(dir);
      if (Object.keys(found).length > 0) {
        log.debug({ dir }, 'using the type files of the manager install');
        return found;
      }
    } catch (err) {
      log.warn({ dir, err }, 'could not read the type files of the manager install');
    }
  }
  return {};
}

/** The names in a retained `P interfaces` (a bare array up to v0.24, `{msg_type, data: [...]}` from v0.25). */
function listedInterfaces(value: unknown): string[] {
  const list = Array.isArray(value) ? value : (value !== null && typeof value === 'object' && Array.isArray((value as { data?: unknown }).data) ? (value as { data: unknown[] }).data : []);
  return list.filter((n): n is string => typeof n === 'string');
}

/**
 * aedes may hand a retained message over after the read settled (more so with many large definitions):
 * when `P interfaces` lists an interface this module needs whose definition did not come, read once more.
 */
async function completeDefinitions(client: MqttClient, filters: readonly string[], probeTopic: string, P: string,
  needed: readonly string[], retained: Map<string, unknown>): Promise<Map<string, unknown>> {
  const listed = listedInterfaces(retained.get(`${P}interfaces`));
  const missing = needed.filter((n) => listed.includes(n) && !retained.has(`${P}interface_definitions/${n}`));
  if (missing.length === 0) return retained;
  const again = await readRetained(client, filters, probeTopic, 3000, 100);
  return again.has(`${P}interfaces`) ? again : retained;
}

/**
 * Collect the retained messages of `filters` (wildcards allowed). Subscribing at QoS 0 makes the broker
 * send retained messages at once, in order; a QoS 0 probe published on our own module topic after the
 * subscription arrives after them on mosquitto. aedes reads retained messages from its store
 * asynchronously, so a live message can overtake them: after the probe, collecting goes on until no
 * retained message has come for `settleMs` (bounded), which costs a few ms where nothing is late.
 */
export async function readRetained(client: MqttClient, filters: readonly string[], probeTopic: string, timeoutMs = 3000, settleMs = 25): Promise<Map<string, unknown>> {
  const seen = new Map<string, unknown>();
  const token = randomBytes(8).toString('hex');
  const filterSet = [...filters, probeTopic];
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => { finished = resolve; });
  let lastRetained = Date.now();
  const onMessage = (topic: string, payload: Buffer): void => {
    if (topic === probeTopic) {
      if (payload.toString() === token) finished();
      return;
    }
    if (payload.length === 0) {
      seen.delete(topic); // a cleared retained topic
      return;
    }
    if (!filters.some((f) => matches(f, topic))) return;
    lastRetained = Date.now();
    const parsed = parsePayload(payload);
    if (parsed.ok) seen.set(topic, parsed.value);
  };
  client.on('message', onMessage);
  try {
    await client.subscribeAsync(filterSet.map((topic) => ({ topic, qos: 0 as const })).reduce<Record<string, { qos: 0 }>>((acc, s) => {
      acc[s.topic] = { qos: 0 };
      return acc;
    }, {}));
    client.publish(probeTopic, token, { qos: 0, retain: false });
    await withTimeout(done, timeoutMs);
    const settleEnd = Date.now() + 10 * settleMs;
    for (;;) {
      const quiet = Date.now() - lastRetained;
      if (quiet >= settleMs || Date.now() >= settleEnd) break;
      await new Promise((r) => setTimeout(r, settleMs - quiet));
    }
  } finally {
    client.off('message', onMessage);
    await client.unsubscribeAsync(filterSet).catch(() => undefined);
  }
  return seen;
}

/** MQTT topic filter match (`+` one level, `#` the rest). */
export function matches(filter: string, topic: string): boolean {
  if (filter === topic) return true;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

export interface ConfigAnswer {
  dialect: Dialect;
  answer: { module_config: unknown; mappings: unknown };
}

/**
 * Ask for the module's config. With a known dialect only its request is sent. With none (started after
 * global ready, start-up topics cleared), each dialect's request is sent: every manager ignores the
 * requests that are not its own without harm, and the one that answers tells the dialect.
 * Requests are repeated every `timeoutMs` until answered or `signal` aborts.
 */
export async function requestConfig(client: MqttClient, prefix: string, moduleId: string, candidates: readonly DialectName[],
  timeoutMs: number, log: Logger, signal?: AbortSignal): Promise<ConfigAnswer> {
  const dialects = candidates.map(dialectFor);
  const requests = dialects.map((d) => ({ d, req: d.configRequest(prefix, moduleId) }));
  const responseTopics = [...new Set(requests.map((r) => r.req.responseTopic))];
  let settle: (a: ConfigAnswer) => void = () => undefined;
  const answered = new Promise<ConfigAnswer>((resolve) => { settle = resolve; });
  const onMessage = (topic: string, payload: Buffer): void => {
    if (!responseTopics.includes(topic)) return;
    const parsed = parsePayload(payload);
    if (!parsed.ok) return;
    for (const { d, req } of requests) {
      if (req.responseTopic !== topic) continue;
      const answer = d.readConfigAnswer(parsed.value, moduleId);
      // Each dialect reads only its own answer's shape, so the first fit names the dialect.
      if (answer) {
        settle({ dialect: d, answer });
        return;
      }
    }
  };
  client.on('message', onMessage);
  try {
    await client.subscribeAsync(Object.fromEntries(responseTopics.map((t) => [t, { qos: 2 as const }])));
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new BootstrapError('config request aborted', { cause: signal.reason });
      for (const { req } of requests) client.publish(req.topic, req.payload, { qos: 2 });
      const r = await withTimeout(answered, timeoutMs);
      if (r !== 'timeout') return r;
      log.warn({ attempt, dialects: candidates }, `no answer to the config request within ${timeoutMs} ms; asking again`);
    }
  } finally {
    client.off('message', onMessage);
    await client.unsubscribeAsync(responseTopics).catch(() => undefined);
  }
}
