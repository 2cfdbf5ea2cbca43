// EverestModule: one module process on the bus. It owns the connection, the served implementations,
// the calls in flight both ways and the start-up handshake. Its public API mirrors everestjs
// (`implement` ~ register.<cmd>, `publish` ~ publish.<var>, `call` / `subscribeVar` ~ uses_list).
// It knows nothing about OCPP.
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { redactUrl, type Logger } from '../log.js';
import { BootstrapError, CmdError, NotConnectedError, errorMessage } from '../errors.js';
import { compileInterface, type CompiledInterface } from '../schema/compile.js';
import { installedTypes, relaxUnresolvedRefs, type InterfaceDefinition, type TypeFile } from '../schema/definitions.js';
import { join } from 'node:path';
import type { Dialect, DialectName } from './dialect.js';
import { openConnection, waitConnected } from './connection.js';
import { Publisher } from './publisher.js';
import { detectFromRetained, readRetained, requestConfig } from './bootstrap.js';
import { normalizeModuleConfig, type Connection, type ModuleConfig } from './module-config.js';
import { resolveConfig, type ConfigDeclarations, type ConfigOf, type ConfigValue, type Manifest } from './manifest.js';
import type { BusSettings } from './settings.js';
import { parsePayload } from './payload.js';
import { withTimeout } from './timeout.js';
import { dispatch, type CmdHandler, type HandlerHost, type InFlight, type Route, type ServedImpl, type VarCallback } from './handlers/index.js';
import { Caller } from './caller.js';
import { answerAllWithShutdown } from './handlers/call.js';

export type { CallContext, CmdHandler } from './handlers/index.js';

/** What a provided implementation declares: its cmds (args and result) and vars. */
// `object`, not Record: the generated cmd and var maps are interfaces, which have no index signature.
export interface ImplSpec {
  cmds: object;
  vars: object;
}
export type ModuleSpec = Record<string, ImplSpec>;

export type ImplHandlers<I extends ImplSpec> = {
  [C in keyof I['cmds']]: I['cmds'][C] extends { args: infer A; result: infer R } ? CmdHandler<A, R> : never;
};

/** `D`: the module config's declarations; known at compile time (generated), the config is typed by them. */
export interface EverestModuleOptions<D extends ConfigDeclarations = ConfigDeclarations> {
  settings: BusSettings;
  manifest: Manifest<D>;
  log: Logger;
  /** Interface definitions to use where the manager publishes none (always after global ready). */
  interfaces: Record<string, InterfaceDefinition>;
  /** Type files (key '/ocpp') to resolve `$ref` where the manager publishes none (it published `types: []`). */
  types: Record<string, TypeFile>;
}

export interface StartInfo {
  dialect: DialectName;
  frameworkRange: string;
  /** True when the manager's start-up topics were there (false: started after global ready). */
  startupTopics: boolean;
  /** Where each served interface definition came from. */
  definitions: Record<string, 'manager' | 'bundled'>;
}

export interface ResolvedModuleConfig<D extends ConfigDeclarations = ConfigDeclarations> {
  /** Checked once against the manifest's declarations, defaults filled in. */
  module: ConfigOf<D>;
  impls: Record<string, Record<string, ConfigValue>>;
  connections: Record<string, Connection[]>;
  moduleConfig: ModuleConfig;
}

interface ActiveError {
  type: string;
  uuid: string;
  object: Record<string, unknown>;
}

export class EverestModule<S extends ModuleSpec = ModuleSpec, D extends ConfigDeclarations = ConfigDeclarations> implements HandlerHost {
  readonly selfId: string;
  readonly log: Logger;
  maxPayloadBytes: number;
  handlerTimeoutMs: number;
  readonly serving = new Map<string, InFlight>();

  readonly #settings: BusSettings;
  readonly #manifest: Manifest<D>;
  readonly #bundledInterfaces: Record<string, InterfaceDefinition>;
  readonly #bundledTypes: Record<string, TypeFile>;
  readonly #handlers = new Map<string, Map<string, CmdHandler<unknown, unknown>>>();
  readonly #routes = new Map<string, Route>();
  readonly #served = new Map<string, ServedImpl>();
  readonly #readyCallbacks: Array<() => void | Promise<void>> = [];
  readonly #managerStartCallbacks: Array<() => void> = [];
  readonly #requiredDefinitions = new Map<string, InterfaceDefinition>();
  readonly #activeErrors = new Map<string, ActiveError>();
  #client: MqttClient | undefined;
  #caller: Caller | undefined;
  #publisher: Publisher | undefined;
  #dialect: Dialect | undefined;
  #config: ResolvedModuleConfig<D> | undefined;
  #stopping = false;
  #globalReady = false;
  #servedWaiters: Array<() => void> = [];

  constructor(opts: EverestModuleOptions<D>) {
    this.#settings = opts.settings;
    this.#manifest = opts.manifest;
    this.selfId = opts.settings.moduleId;
    this.log = opts.log.child({ module: opts.settings.moduleId });
    this.maxPayloadBytes = opts.settings.maxPayloadBytes;
    this.handlerTimeoutMs = opts.settings.handlerTimeoutMs;
    this.#bundledInterfaces = opts.interfaces;
    this.#bundledTypes = opts.types;
  }

  // --- HandlerHost ---------------------------------------------------------------------------
  get dialect(): Dialect {
    if (!this.#dialect) throw new NotConnectedError('the bus dialect is not known before start()');
    return this.#dialect;
  }
  get publisher(): Publisher {
    if (!this.#publisher) throw new NotConnectedError('not connected: call start() first');
    return this.#publisher;
  }
  get stopping(): boolean {
    return this.#stopping;
  }
  onServed(): void {
    if (this.serving.size === 0 && this.#servedWaiters.length > 0) {
      const w = this.#servedWaiters;
      this.#servedWaiters = [];
      for (const fn of w) fn();
    }
  }

  // --- registration ---------------------------------------------------------------------------
  /** Register the handlers of one provided implementation (before start()). */
  implement<I extends keyof S & string>(impl: I, handlers: ImplHandlers<S[I]>): this {
    if (!(impl in this.#manifest.provides)) throw new BootstrapError(`implementation '${impl}' is not in manifest.yaml provides`);
    this.#handlers.set(impl, new Map(Object.entries(handlers as Record<string, CmdHandler<unknown, unknown>>)));
    return this;
  }

  /** Run `fn` at global ready (or at once after start() when the stack was already up). */
  onReady(fn: () => void | Promise<void>): this {
    this.#readyCallbacks.push(fn);
    if (this.#globalReady) this.#runReady([fn]);
    return this;
  }

  /** Run `fn` once when a manager (re)starts while this module runs: the owner should stop and start again. */
  onManagerRestart(fn: () => void): this {
    this.#managerStartCallbacks.push(fn);
    return this;
  }

  get config(): ResolvedModuleConfig<D> {
    if (!this.#config) throw new NotConnectedError('config is known after start()');
    return this.#config;
  }

  get connected(): boolean {
    return this.#client?.connected === true;
  }

  get mqtt(): MqttClient | undefined {
    return this.#client;
  }

  // --- start ------------------------------------------------------------------------------------
  /**
   * Join the bus: detect the dialect, get the config, compile the definitions in force, serve, say ready.
   * `onConfig` runs once the config is known and before any call is served (open databases there).
   */
  async start(onConfig?: (config: ResolvedModuleConfig<D>) => void | Promise<void>): Promise<StartInfo> {
    const s = this.#settings;
    const P = s.everestPrefix;
    const M = this.selfId;
    const client = openConnection({ settings: s, log: this.log });
    this.#client = client;
    client.on('offline', () => this.log.warn('bus connection lost; reconnecting'));
    client.on('connect', () => {
      if (this.#dialect) this.log.info('bus connection (re)established');
    });
    let warned = false;
    const warnTimer = setInterval(() => {
      if (!warned) this.log.warn({ broker: s.socketPath ?? redactUrl(s.brokerUrl) }, 'waiting for the MQTT broker');
      warned = true;
    }, 3000);
    try {
      await waitConnected(client, 24 * 3600 * 1000);
    } finally {
      clearInterval(warnTimer);
    }
    this.#publisher = new Publisher(client, s.qosWindow);

    // 1. What the manager left retained: dialect, definitions.
    const provided = Object.entries(this.#manifest.provides);
    const requiredIfaces = Object.values(this.#manifest.requires).map((r) => r.interface);
    const ifaceNames = [...new Set([...provided.map(([, p]) => p.interface), ...requiredIfaces])];
    const probeTopic = `${P}modules/${M}/tsocpp_probe`;
    const filters = [`${P}interfaces`, `${P}settings`, `${P}types`, `${P}type_definitions/#`, ...ifaceNames.map((n) => `${P}interface_definitions/${n}`)];
    let retained = await readRetained(client, filters, probeTopic);
    const detected = detectFromRetained(retained.get(`${P}interfaces`), retained.get(`${P}settings`));

    // 2. The config, in the detected (or forced) dialect; or, with nothing retained, in whichever answers.
    const candidates: DialectName[] = s.dialect !== 'auto' ? [s.dialect] : detected;
    if (s.dialect !== 'auto' && !detected.includes(s.dialect)) {
      this.log.warn({ forced: s.dialect, seen: detected }, 'bus dialect forced by setting differs from what the manager published');
    }
    const { dialect, answer } = await requestConfig(client, P, M, candidates, s.configTimeoutMs, this.log);
    this.#dialect = dialect;
    let startupTopics = retained.has(`${P}interfaces`);
    if (!startupTopics) {
      // The manager may have come up while we waited for its answer: look again.
      retained = await readRetained(client, filters, probeTopic);
      startupTopics = retained.has(`${P}interfaces`);
    }
    this.log.info({ dialect: dialect.name, framework: dialect.frameworkRange, startupTopics }, `bus dialect ${dialect.name} (${dialect.frameworkRange})`);
    const moduleConfig = normalizeModuleConfig(answer);
    this.#config = this.#resolveConfig(moduleConfig);
    // Module config keys of the same names as bus settings override them (declared in manifest.yaml).
    const values: Readonly<Record<string, unknown>> = this.#config.module;
    const { qos_window: window, handler_timeout_ms: handlerMs, max_payload_bytes: maxBytes } = values;
    if (typeof window === 'number') this.#publisher.setWindow(window);
    if (typeof handlerMs === 'number') this.handlerTimeoutMs = handlerMs;
    if (typeof maxBytes === 'number') this.maxPayloadBytes = maxBytes;
    await onConfig?.(this.#config);

    // 3. Definitions in force: the manager's where published, the bundled ones otherwise. Types: the
    // bundle, then the manager's install (its data_dir, or EV_PREFIX when spawned), then what it published.
    const allTypes: Record<string, TypeFile> = { ...this.#bundledTypes, ...this.#installTypes(retained.get(`${P}settings`)) };
    for (const [topic, value] of retained) {
      if (!topic.startsWith(`${P}type_definitions/`)) continue;
      const file = dialect.unwrap(value, 'GetConfigResponse');
      if (file && typeof file === 'object' && 'types' in file) allTypes[`/${topic.slice(`${P}type_definitions/`.length)}`] = file as TypeFile;
    }
    // Type files may reference files this install does not have (a newer everest-core): see relaxUnresolvedRefs.
    const relaxedTypes = relaxUnresolvedRefs(allTypes, allTypes);
    const types = relaxedTypes.def;
    if (relaxedTypes.missing.length > 0) this.log.warn({ refs: relaxedTypes.missing }, 'type files reference types that are not installed; those parts are not checked');
    for (const name of requiredIfaces) {
      const def = dialect.unwrap(retained.get(`${P}interface_definitions/${name}`), 'GetConfigResponse');
      if (def && typeof def === 'object') this.#requiredDefinitions.set(name, def as InterfaceDefinition);
    }
    const definitions: Record<string, 'manager' | 'bundled'> = {};
    for (const [impl, p] of provided) {
      const fromManager = dialect.unwrap(retained.get(`${P}interface_definitions/${p.interface}`), 'GetConfigResponse');
      let def: InterfaceDefinition | undefined;
      if (fromManager && typeof fromManager === 'object') {
        def = fromManager as InterfaceDefinition;
        definitions[p.interface] = 'manager';
      } else {
        def = this.#bundledInterfaces[p.interface];
        definitions[p.interface] = 'bundled';
      }
      if (!def) throw new BootstrapError(`no definition of interface '${p.interface}' (implementation '${impl}'): the manager published none and none is bundled`);
      const relaxed = relaxUnresolvedRefs(def, types);
      if (relaxed.missing.length > 0) {
        this.log.warn({ interface: p.interface, refs: relaxed.missing }, 'types referenced by the interface in force are unknown here; those parts are not checked');
      }
      this.#serve(impl, p.interface, relaxed.def, types);
    }

    // 4. Serve, then say ready: subscribe to `P ready` first, it is published once and not retained.
    // Calls at QoS 2 are taken when their PUBLISH arrives, as the framework's MQTT client does, instead of
    // when MQTT.js delivers them after the PUBREC/PUBREL round trip through the broker: one round trip
    // (two process wake-ups) less on every call's path. MQTT.js still completes the QoS 2 flow; a call
    // that arrives twice is caught by the call memory (origin and id), not by the packet id.
    const isEarly = (topic: string, qos: number): boolean => qos === 2 && this.#routes.get(topic)?.kind === 'call';
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'publish' && isEarly(packet.topic, packet.qos)) this.#onMessage(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload), packet.retain);
    });
    client.on('message', (topic, payload, packet) => {
      if (!isEarly(topic, packet.qos)) this.#onMessage(topic, payload, packet.retain);
    });
    const subs: Record<string, { qos: 0 | 2 }> = { [`${P}ready`]: { qos: 2 }, [`${P}interfaces`]: { qos: 0 } };
    for (const served of this.#served.values()) {
      const cmds = [...served.compiled.cmds.keys()];
      for (const t of dialect.cmdServeTopics(served.prefix, cmds)) {
        subs[t] = { qos: 2 };
        this.#routes.set(t, { kind: 'call', served });
      }
    }
    this.#routes.set(`${P}ready`, { kind: 'global-ready' });
    // A manager that (re)starts publishes its start-up topics anew: then this module must join again.
    this.#routes.set(`${P}interfaces`, { kind: 'manager-start' });
    this.#caller = new Caller({
      client, publisher: this.#publisher, dialect, everestPrefix: P, selfId: M, log: this.log,
      callTimeoutMs: s.callTimeoutMs, isServeTopic: (t) => this.#routes.has(t),
    });
    await client.subscribeAsync(subs);
    const metadata = { module: moduleConfig.moduleName ?? 'TsOcpp', provides: Object.fromEntries(provided.map(([impl, p]) => [impl, { interface: p.interface }])) };
    this.publisher.publish(`${P}modules/${M}/metadata`, dialect.wrap('GetConfigResponse', JSON.stringify(metadata)));
    this.publisher.publish(`${P}modules/${M}/ready`, dialect.readyPayload());
    if (!startupTopics) {
      // Started after global ready: the manager will not say ready again.
      this.log.info('the stack is already up (no start-up topics): running as ready');
      this.#markGlobalReady();
    }
    return { dialect: dialect.name, frameworkRange: dialect.frameworkRange, startupTopics, definitions };
  }

  /** Type files of the manager's install, when this process can see them. */
  #installTypes(settingsMsg: unknown): Record<string, TypeFile> {
    const settings = this.dialect.unwrap(settingsMsg, 'GetConfigResponse') as { data_dir?: unknown } | undefined;
    const dirs: string[] = [];
    if (settings && typeof settings.data_dir === 'string') dirs.push(join(settings.data_dir, 'types'));
    if (process.env.EV_PREFIX) dirs.push(join(process.env.EV_PREFIX, 'share', 'everest', 'types'));
    for (const dir of dirs) {
      try {
        const found = installedTypes(dir);
        if (Object.keys(found).length > 0) {
          this.log.debug({ dir }, 'using the type files of the manager install');
          return found;
        }
      } catch (err) {
        this.log.warn({ dir, err: errorMessage(err) }, 'could not read the type files of the manager install');
      }
    }
    return {};
  }

  #resolveConfig(mc: ModuleConfig): ResolvedModuleConfig<D> {
    const module = resolveConfig(this.#manifest.config, mc.module);
    const impls: Record<string, Record<string, ConfigValue>> = {};
    for (const [impl, p] of Object.entries(this.#manifest.provides)) {
      impls[impl] = resolveConfig(p.config ?? {}, mc.impls[impl] ?? {});
    }
    return { module, impls, connections: mc.connections, moduleConfig: mc };
  }

  #serve(impl: string, interfaceName: string, def: InterfaceDefinition, types: Record<string, TypeFile>): void {
    const handlers = this.#handlers.get(impl) ?? new Map<string, CmdHandler<unknown, unknown>>();
    let compiled: CompiledInterface;
    try {
      compiled = compileInterface(interfaceName, def, types);
    } catch (err) {
      throw new BootstrapError(`implementation '${impl}': ${errorMessage(err)}`, { cause: err });
    }
    // Like everestrs, a module that lacks a handler for a declared cmd does not start.
    for (const cmd of compiled.cmds.keys()) {
      if (!handlers.has(cmd)) throw new BootstrapError(`implementation '${impl}' (${interfaceName}) has no handler for cmd '${cmd}'`);
    }
    for (const cmd of handlers.keys()) {
      if (!compiled.cmds.has(cmd)) this.log.debug({ impl, cmd }, 'handler not served: the interface definition in force does not declare it');
    }
    const prefix = `${this.#settings.everestPrefix}modules/${this.selfId}/impl/${impl}`;
    this.#served.set(impl, { impl, interfaceName, prefix, compiled, handlers, log: this.log.child({ impl }) });
  }

  #onMessage(topic: string, payload: Buffer, retained: boolean): void {
    // Old dialect: a cmd topic we serve also carries the results of our calls to ourselves.
    if (this.#caller?.onMessage(topic, payload) === true && !this.#routes.has(topic)) return;
    const route = this.#routes.get(topic);
    if (!route) return;
    if (route.kind === 'manager-start') {
      // Retained copies (a manager run with --retain-topics) and the clearing at global ready are not a restart.
      if (retained || payload.length === 0 || !this.#globalReady) return;
      this.log.warn('the manager published its start-up topics again (it restarted): joining the bus again');
      for (const fn of this.#managerStartCallbacks.splice(0)) fn();
      return;
    }
    if (route.kind === 'global-ready') {
      const parsed = parsePayload(payload);
      if (parsed.ok && this.dialect.readGlobalReady(parsed.value)) this.#markGlobalReady();
      return;
    }
    dispatch(this, route, topic, payload);
  }

  #markGlobalReady(): void {
    if (this.#globalReady) return;
    this.#globalReady = true;
    this.log.info('global ready');
    this.#runReady(this.#readyCallbacks);
  }

  #runReady(fns: ReadonlyArray<() => void | Promise<void>>): void {
    for (const fn of fns) {
      Promise.resolve().then(fn).catch((err: unknown) => this.log.error({ err: errorMessage(err) }, 'on_ready callback failed'));
    }
  }

  // --- vars -------------------------------------------------------------------------------------
  /** The definition in force of a served interface, compiled: for callers that check a value ahead. */
  compiled(impl: keyof S & string): CompiledInterface | undefined {
    return this.#served.get(impl)?.compiled;
  }

  /**
   * Publish a var after checking it against its schema (a value that does not fit is never published:
   * the promise rejects with SchemaValidationError). Resolves when the broker has the message (PUBCOMP).
   */
  publish<I extends keyof S & string, V extends keyof S[I]['vars'] & string>(impl: I, name: V, value: S[I]['vars'][V]): Promise<void> {
    const served = this.#served.get(impl);
    if (!served) return Promise.reject(new NotConnectedError(`implementation '${impl}' is not served (start() first)`));
    const check = served.compiled.vars.get(name);
    if (!check) return Promise.reject(new CmdError('SchemaValidationError', `var '${name}' is not declared by ${served.interfaceName}`));
    const issue = check(value);
    if (issue) {
      const msg = `var ${name} does not fit its schema: ${issue.message}`;
      served.log.error({ var: name }, msg);
      return Promise.reject(new CmdError('SchemaValidationError', msg));
    }
    const topic = this.dialect.varTopic(served.prefix, name);
    const payload = this.dialect.encodeVar(name, JSON.stringify(value));
    return new Promise((resolve, reject) => {
      this.publisher.publish(topic, payload, false, (err) => (err ? reject(err) : resolve()));
    });
  }

  // --- calls to required modules ------------------------------------------------------------------
  /**
   * The definition of a required interface as the manager published it at start-up, or undefined (not
   * published, or started after global ready): lets a caller pick between cmds of different releases.
   */
  requirementInterface(requirement: string): InterfaceDefinition | undefined {
    const r = this.#manifest.requires[requirement];
    return r ? this.#requiredDefinitions.get(r.interface) : undefined;
  }

  connections(requirement: string): readonly Connection[] {
    return this.config.connections[requirement] ?? [];
  }

  /** Call a cmd of the `index`-th connection of `requirement`. Rejects with CmdError carrying the framework type. */
  async call(requirement: string, index: number, cmd: string, args: Record<string, unknown>, timeoutMs = this.#settings.callTimeoutMs): Promise<unknown> {
    const conn = this.connections(requirement)[index];
    if (!conn) throw new CmdError('NotReady', `requirement '${requirement}'[${index}] is not connected`);
    return this.callModule(conn.moduleId, conn.implementationId, cmd, args, timeoutMs);
  }

  /** Call a cmd of any module by id. */
  callModule(moduleId: string, implId: string, cmd: string, args: Record<string, unknown>, timeoutMs = this.#settings.callTimeoutMs): Promise<unknown> {
    if (!this.#caller) return Promise.reject(new NotConnectedError('call() needs start() first'));
    return this.#caller.call(moduleId, implId, cmd, args, timeoutMs);
  }

  /** Subscribe to a var of the `index`-th connection of `requirement`. Returns the unsubscribe function. */
  async subscribeVar(requirement: string, index: number, name: string, callback: VarCallback): Promise<() => void> {
    const conn = this.connections(requirement)[index];
    if (!conn) throw new CmdError('NotReady', `requirement '${requirement}'[${index}] is not connected`);
    return this.subscribeModuleVar(conn.moduleId, conn.implementationId, name, callback);
  }

  subscribeModuleVar(moduleId: string, implId: string, name: string, callback: VarCallback): Promise<() => void> {
    if (!this.#caller) return Promise.reject(new NotConnectedError('subscribeVar() needs start() first'));
    return this.#caller.subscribeVar(moduleId, implId, name, callback);
  }

  // --- errors -------------------------------------------------------------------------------------
  /** Raise an error of this module (framework error object; everest-framework error_json.hpp). */
  raiseError(impl: keyof S & string, type: string, message: string, opts: { description?: string; severity?: 'Low' | 'Medium' | 'High'; subType?: string } = {}): void {
    const served = this.#served.get(impl);
    if (!served) throw new NotConnectedError(`implementation '${impl}' is not served`);
    const key = `${impl}\0${type}\0${opts.subType ?? ''}`;
    const uuid = randomUUID();
    const object = {
      description: opts.description ?? '',
      message,
      origin: { implementation_id: impl, module_id: this.selfId },
      severity: opts.severity ?? 'High',
      state: 'Active',
      sub_type: opts.subType ?? '',
      timestamp: new Date().toISOString(),
      type,
      uuid,
      vendor_id: '',
    };
    this.#activeErrors.set(key, { type, uuid, object });
    this.publisher.publish(this.dialect.errorTopic(served.prefix, type), this.dialect.wrap('RaiseError', JSON.stringify(object)));
  }

  clearError(impl: keyof S & string, type: string, subType = ''): boolean {
    const served = this.#served.get(impl);
    const key = `${impl}\0${type}\0${subType}`;
    const active = this.#activeErrors.get(key);
    if (!served || !active) return false;
    this.#activeErrors.delete(key);
    const object = { ...active.object, state: 'ClearedByModule', timestamp: new Date().toISOString() };
    this.publisher.publish(this.dialect.errorTopic(served.prefix, type), this.dialect.wrap('ClearError', JSON.stringify(object)));
    return true;
  }

  // --- external MQTT ------------------------------------------------------------------------------
  /** Publish a raw payload under the external prefix (no envelope, as the framework does). */
  publishExternal(topic: string, payload: string): void {
    this.publisher.publishQos0(`${this.#settings.externalPrefix}${topic}`, payload);
  }

  // --- shutdown -----------------------------------------------------------------------------------
  /**
   * Stop taking calls (new ones get Shutdown), give the ones in flight up to `graceMs` to finish,
   * answer the rest with Shutdown, let the broker complete every publish, disconnect cleanly.
   */
  async stop(graceMs = 2000): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    const client = this.#client;
    if (!client) return;
    if (this.serving.size > 0) {
      await withTimeout(new Promise<void>((resolve) => this.#servedWaiters.push(resolve)), graceMs);
      if (this.#dialect) answerAllWithShutdown(this);
    }
    this.#caller?.rejectAll(`module ${this.selfId} shut down`);
    if (this.#publisher && client.connected) {
      await withTimeout(this.#publisher.drain(), graceMs);
    }
    this.#publisher?.close();
    await client.endAsync(false).catch(() => client.end(true));
  }
}
