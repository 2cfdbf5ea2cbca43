// EverestModule: one module process on the bus. It owns the connection, the served implementations and
// the start-up handshake; the calls it serves belong to its CallServer (call-server.ts), the calls it makes
// to its Caller (caller.ts), and every inbound message goes through one switch (handlers/index.ts). Its
// public API mirrors everestjs (handlers given at start ~ register.<cmd>, `publish` ~ publish.<var>,
// `call` / `subscribeVar` ~ uses_list). It knows nothing about OCPP.
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { Logger } from '../log.js';
import { BootstrapError, CmdError, NotConnectedError } from '../errors.js';
import type { CompiledInterface } from '../schema/compile.js';
import type { InterfaceDefinition } from '../schema/definitions.js';
import type { Dialect, DialectName } from './dialect.js';
import { openConnection } from './connection.js';
import { Publisher } from './publisher.js';
import { bootstrap, type BootstrapOptions, type ManagerDefinitions, type ResolvedModuleConfig } from './bootstrap.js';
import type { Connection } from './module-config.js';
import type { ConfigDeclarations } from './manifest.js';
import { withTimeout } from './timeout.js';
import { CallServer } from './call-server.js';
import { route, type CmdHandler, type ExternalCallback, type ErrorCallback, type ReadyHost, type RestartHost, type Routes, type ServedImpl, type VarCallback } from './handlers/index.js';
import { Caller } from './caller.js';

export type { CallContext, CmdHandler } from './handlers/index.js';
export type { ManagerDefinitions, ResolvedModuleConfig } from './bootstrap.js';

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

/** The handlers of every provided implementation, as `start` takes them. */
export type ModuleHandlers<S extends ModuleSpec> = { [I in keyof S]: ImplHandlers<S[I]> };

/**
 * Builds the handlers once the config is known and before any call is served: open databases and make
 * services there, and hand the handlers what they need (nothing is bound before it exists).
 */
export type HandlerFactory<S extends ModuleSpec, D extends ConfigDeclarations = ConfigDeclarations> = (config: ResolvedModuleConfig<D>) => ModuleHandlers<S> | Promise<ModuleHandlers<S>>;

/** `D`: the module config's declarations; known at compile time (generated), the config is typed by them. */
// What bootstrap needs, but the connection, which the module opens itself.
export type EverestModuleOptions<D extends ConfigDeclarations = ConfigDeclarations> = Omit<BootstrapOptions<D>, 'client'>;

export interface StartInfo {
  dialect: DialectName;
  frameworkRange: string;
  /** True when the manager's start-up topics were there (false: started after global ready). */
  startupTopics: boolean;
  /** Where each served interface definition came from. */
  definitions: Record<string, 'manager' | 'bundled'>;
}

interface ActiveError {
  type: string;
  uuid: string;
  object: Record<string, unknown>;
}

export class EverestModule<S extends ModuleSpec = ModuleSpec, D extends ConfigDeclarations = ConfigDeclarations> {
  readonly selfId: string;
  readonly log: Logger;

  readonly #o: EverestModuleOptions<D>;
  readonly #routes: Routes = new Map();
  readonly #served = new Map<string, ServedImpl>();
  readonly #readyCallbacks: Array<() => void | Promise<void>> = [];
  readonly #managerStartCallbacks: Array<() => void> = [];
  readonly #activeErrors = new Map<string, ActiveError>();
  #requiredDefinitions = new Map<string, InterfaceDefinition>();
  #managerDefinitions: ManagerDefinitions = { types: {}, installDirs: [] };
  #client: MqttClient | undefined;
  #caller: Caller | undefined;
  #calls: CallServer | undefined;
  #publisher: Publisher | undefined;
  #dialect: Dialect | undefined;
  #config: ResolvedModuleConfig<D> | undefined;
  #stopping = false;
  #globalReady = false;

  constructor(opts: EverestModuleOptions<D>) {
    this.#o = opts;
    this.selfId = opts.settings.moduleId;
    this.log = opts.log.child({ module: opts.settings.moduleId });
  }

  get dialect(): Dialect {
    if (!this.#dialect) throw new NotConnectedError('the bus dialect is not known before start()');
    return this.#dialect;
  }

  get publisher(): Publisher {
    if (!this.#publisher) throw new NotConnectedError('not connected: call start() first');
    return this.#publisher;
  }

  /** Run `fn` at global ready (or at once after start() when the stack was already up). */
  onReady(fn: () => void | Promise<void>): this {
    this.#readyCallbacks.push(fn);
    if (this.#globalReady) this.#runReady([fn]);
    return this;
  }

  /**
   * True at global ready (at once when the stack is up already), false when `ms` pass without it: for work that
   * must wait for the other modules but must not wait for ever on a stack that never gets ready.
   */
  readyWithin(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const give = setTimeout(() => resolve(false), ms);
      give.unref();
      this.onReady(() => {
        clearTimeout(give);
        resolve(true);
      });
    });
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
   * Join the bus (bootstrap.ts: dialect, config, definitions in force), build the handlers from the config
   * with `handlers`, serve, say ready.
   */
  async start(handlers: HandlerFactory<S, D>): Promise<StartInfo> {
    const o = this.#o;
    const s = o.settings;
    const P = s.everestPrefix;
    const M = this.selfId;
    const client = openConnection({ settings: s, log: this.log });
    this.#client = client;
    client.on('offline', () => this.log.warn('bus connection lost; reconnecting'));
    client.on('connect', () => {
      if (this.#dialect) this.log.info('bus connection (re)established');
    });
    const found = await bootstrap({ client, settings: s, manifest: o.manifest, log: this.log, interfaces: o.interfaces, types: o.types });
    const { dialect, config } = found;
    this.#dialect = dialect;
    this.#config = config;
    this.#requiredDefinitions = found.required;
    this.#managerDefinitions = found.manager;
    const publisher = new Publisher(client, s.qosWindow);
    this.#publisher = publisher;
    const calls = new CallServer({ selfId: M, dialect, publisher, maxPayloadBytes: s.maxPayloadBytes, handlerTimeoutMs: s.handlerTimeoutMs });
    this.#calls = calls;
    if (this.#stopping) void calls.stop(0); // stop() came during start-up: calls get Shutdown
    // Module config keys of the same names as bus settings override them (declared in manifest.yaml).
    const values: Readonly<Record<string, unknown>> = config.module;
    const { qos_window: window, handler_timeout_ms: handlerMs, max_payload_bytes: maxBytes } = values;
    if (typeof window === 'number') publisher.setWindow(window);
    if (typeof handlerMs === 'number') calls.handlerTimeoutMs = handlerMs;
    if (typeof maxBytes === 'number') calls.maxPayloadBytes = maxBytes;

    const built = await handlers(config) as Record<string, Record<string, CmdHandler<unknown, unknown>>>;
    for (const impl of Object.keys(built)) {
      if (!found.provided.has(impl)) throw new BootstrapError(`implementation '${impl}' is not in manifest.yaml provides`);
    }
    const definitions: Record<string, 'manager' | 'bundled'> = {};
    for (const [impl, def] of found.provided) {
      definitions[def.interfaceName] = def.source;
      this.#serve(impl, def.interfaceName, def.compiled, new Map(Object.entries(built[impl] ?? {})));
    }

    // Serve, then say ready: subscribe to `P ready` first, it is published once and not retained.
    const subs: Record<string, { qos: 0 | 2 }> = { [`${P}ready`]: { qos: 2 }, [`${P}interfaces`]: { qos: 0 } };
    for (const served of this.#served.values()) {
      for (const t of dialect.cmdServeTopics(served.prefix, [...served.compiled.cmds.keys()])) {
        subs[t] = { qos: 2 };
        this.#routes.set(t, { kind: 'call', server: calls, served, results: undefined });
      }
    }
    const ready: ReadyHost = { dialect, globalReady: () => this.#markGlobalReady() };
    this.#routes.set(`${P}ready`, { kind: 'ready', host: ready });
    // A manager that (re)starts publishes its start-up topics anew: then this module must join again.
    const restart: RestartHost = {
      log: this.log,
      isGlobalReady: () => this.#globalReady,
      managerRestarted: () => { for (const fn of this.#managerStartCallbacks.splice(0)) fn(); },
    };
    this.#routes.set(`${P}interfaces`, { kind: 'manager-restart', host: restart });
    this.#caller = new Caller({ client, publisher, dialect, everestPrefix: P, selfId: M, log: this.log, callTimeoutMs: s.callTimeoutMs, routes: this.#routes });
    this.#listen(client);
    await client.subscribeAsync(subs);
    const provided = Object.entries(o.manifest.provides);
    const metadata = { module: config.moduleConfig.moduleName ?? 'TsOcpp', provides: Object.fromEntries(provided.map(([impl, p]) => [impl, { interface: p.interface }])) };
    publisher.publish(`${P}modules/${M}/metadata`, dialect.wrap('GetConfigResponse', JSON.stringify(metadata)));
    publisher.publish(`${P}modules/${M}/ready`, dialect.readyPayload());
    if (!found.startupTopics) {
      // Started after global ready: the manager will not say ready again.
      this.log.info('the stack is already up (no start-up topics): running as ready');
      this.#markGlobalReady();
    }
    return { dialect: dialect.name, frameworkRange: dialect.frameworkRange, startupTopics: found.startupTopics, definitions };
  }

  /**
   * Every inbound message goes through the routing table to one switch. Calls at QoS 2 are taken when their
   * PUBLISH arrives, as the framework's MQTT client does, instead of when MQTT.js delivers them after the
   * PUBREC/PUBREL round trip through the broker: one round trip (two process wake-ups) less on every call's
   * path. MQTT.js still completes the QoS 2 flow; a call that arrives twice is caught by the call memory
   * (origin and id), not by the packet id.
   */
  #listen(client: MqttClient): void {
    const routes = this.#routes;
    client.on('packetreceive', (packet) => {
      if (packet.cmd !== 'publish' || packet.qos !== 2) return;
      const r = routes.get(packet.topic);
      if (r?.kind === 'call') route(r, packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload), packet.retain);
    });
    client.on('message', (topic, payload, packet) => {
      const r = routes.get(topic);
      if (r === undefined || (r.kind === 'call' && packet.qos === 2)) return;
      route(r, topic, payload, packet.retain);
    });
  }

  #serve(impl: string, interfaceName: string, compiled: CompiledInterface, handlers: Map<string, CmdHandler<unknown, unknown>>): void {
    // Like everestrs, a module that lacks a handler for a declared cmd does not start.
    for (const cmd of compiled.cmds.keys()) {
      if (!handlers.has(cmd)) throw new BootstrapError(`implementation '${impl}' (${interfaceName}) has no handler for cmd '${cmd}'`);
    }
    for (const cmd of handlers.keys()) {
      if (!compiled.cmds.has(cmd)) this.log.debug({ impl, cmd }, 'handler not served: the interface definition in force does not declare it');
    }
    const prefix = `${this.#o.settings.everestPrefix}modules/${this.selfId}/impl/${impl}`;
    this.#served.set(impl, { impl, interfaceName, prefix, compiled, handlers, log: this.log.child({ impl }) });
  }

  #markGlobalReady(): void {
    if (this.#globalReady) return;
    this.#globalReady = true;
    this.log.info('global ready');
    this.#runReady(this.#readyCallbacks);
  }

  #runReady(fns: ReadonlyArray<() => void | Promise<void>>): void {
    for (const fn of fns) {
      Promise.resolve().then(fn).catch((err: unknown) => this.log.error({ err }, 'on_ready callback failed'));
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
    const r = this.#o.manifest.requires[requirement];
    return r ? this.#requiredDefinitions.get(r.interface) : undefined;
  }

  /** The manager's own type files and install folders as seen at start-up (for definitions of required interfaces). */
  get managerDefinitions(): ManagerDefinitions {
    return this.#managerDefinitions;
  }

  connections(requirement: string): readonly Connection[] {
    return this.config.connections[requirement] ?? [];
  }

  /** Call a cmd of the `index`-th connection of `requirement`. Rejects with CmdError carrying the framework type. */
  async call(requirement: string, index: number, cmd: string, args: Record<string, unknown>, timeoutMs = this.#o.settings.callTimeoutMs): Promise<unknown> {
    const conn = this.connections(requirement)[index];
    if (!conn) throw new CmdError('NotReady', `requirement '${requirement}'[${index}] is not connected`);
    return this.callModule(conn.moduleId, conn.implementationId, cmd, args, timeoutMs);
  }

  /** Call a cmd of any module by id. */
  callModule(moduleId: string, implId: string, cmd: string, args: Record<string, unknown>, timeoutMs = this.#o.settings.callTimeoutMs): Promise<unknown> {
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

  /** Subscribe to one error type the `index`-th connection of `requirement` raises and clears (Everest::subscribe_error). */
  async subscribeError(requirement: string, index: number, type: string, callback: ErrorCallback): Promise<() => void> {
    const conn = this.connections(requirement)[index];
    if (!conn) throw new CmdError('NotReady', `requirement '${requirement}'[${index}] is not connected`);
    if (!this.#caller) throw new NotConnectedError('subscribeError() needs start() first');
    return this.#caller.subscribeError(conn.moduleId, conn.implementationId, type, callback);
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
  /**
   * Subscribe to a topic under the external prefix (Everest::MqttProvider::subscribe): the callback gets the raw
   * payload. Returns the unsubscribe function (the subscription itself stays while the module runs).
   */
  async subscribeExternal(topic: string, callback: ExternalCallback): Promise<() => void> {
    const client = this.#client;
    if (!client) throw new NotConnectedError('subscribeExternal() needs start() first');
    const full = `${this.#o.settings.externalPrefix}${topic}`;
    let r = this.#routes.get(full);
    if (r?.kind !== 'external') {
      r = { kind: 'external', host: this, callbacks: [] };
      this.#routes.set(full, r);
      await client.subscribeAsync(full, { qos: 2 });
    }
    const callbacks = r.callbacks;
    callbacks.push(callback);
    return () => {
      const i = callbacks.indexOf(callback);
      if (i >= 0) callbacks.splice(i, 1);
    };
  }

  /** Publish a raw payload under the external prefix (no envelope, as the framework does). */
  publishExternal(topic: string, payload: string): void {
    this.publisher.publishQos0(`${this.#o.settings.externalPrefix}${topic}`, payload);
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
    await this.#calls?.stop(graceMs);
    this.#caller?.rejectAll(`module ${this.selfId} shut down`);
    if (this.#publisher && client.connected) {
      await withTimeout(this.#publisher.drain(), graceMs);
    }
    this.#publisher?.close();
    await client.endAsync(false).catch(() => client.end(true));
  }
}
