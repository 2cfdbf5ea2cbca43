// The one owner of the device model SQLite file. Structure (components, variables, characteristics) is
// loaded into maps once at open, since it changes only by seeding; values are always read from SQLite.
import type { Logger } from '../log.js';
import { openDatabase, transactionRunner, type Db, type InTransaction, type SyncMode } from './db.js';
import { DeviceModelError } from './errors.js';
import {
  prepareStatements,
  type AttributeDbRow, type ComponentDbRow, type OutboxDbRow, type SecurityLogDbRow, type Statements,
  type VariableDbRow,
} from './statements.js';
import type {
  AttributeRow, AttributeType, AvailabilityRow, ComponentDefinition, VariableDefinition, ComponentKey, ComponentRow, DataType,
  Mutability, OperationalStatus, OutboxAppendResult, OutboxEntry, OutboxItem, OutboxKind, OutboxPayload, SecurityLogEntry,
  VariableRow,
} from './types.js';
import { outboxClassOf } from './types.js';

export interface RepositoryOpenResult {
  repo: DeviceModelRepository;
  /** The database file was created (or had no schema) before this open. */
  created: boolean;
  /** Components inserted by seeding, as "Name[/instance][@evse[:connector]]". */
  seededComponents: string[];
}

export interface MonitorEntry {
  id: number;
  component: ComponentRow;
  variable: VariableRow;
}

const nn = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export function componentKeyString(k: ComponentKey): string {
  return `${k.name}\u0000${k.instance ?? ''}\u0000${k.evse_id ?? ''}\u0000${k.connector_id ?? ''}`;
}

export function describeComponent(k: ComponentKey): string {
  let s = k.name;
  if (k.instance !== undefined) s += `/${k.instance}`;
  if (k.evse_id !== undefined) s += `@${k.evse_id}`;
  if (k.connector_id !== undefined) s += `:${k.connector_id}`;
  return s;
}

function variableKeyString(componentId: number, name: string, instance: string | undefined): string {
  return `${componentId}\u0000${name}\u0000${instance ?? ''}`;
}

function toComponent(r: ComponentDbRow): ComponentRow {
  return { id: r.id, name: r.name, instance: nn(r.instance), evse_id: nn(r.evse_id), connector_id: nn(r.connector_id) };
}

function toVariable(r: VariableDbRow): VariableRow {
  return {
    id: r.id,
    component_id: r.component_id,
    name: r.name,
    instance: nn(r.instance),
    reboot_required: r.reboot_required === 1,
    characteristics: {
      data_type: r.data_type as DataType,
      unit: nn(r.unit),
      min_limit: nn(r.min_limit),
      max_limit: nn(r.max_limit),
      values_list: nn(r.values_list),
      supports_monitoring: r.supports_monitoring === 1,
    },
  };
}

function toAttribute(r: AttributeDbRow): AttributeRow {
  return {
    id: r.id,
    variable_id: r.variable_id,
    type: r.type as AttributeType,
    value: r.value,
    default_value: r.default_value,
    mutability: r.mutability as Mutability,
    persistent: r.persistent === 1,
    constant: r.constant === 1,
  };
}

function toSecurityLog(r: SecurityLogDbRow): SecurityLogEntry {
  const e: SecurityLogEntry = { id: r.id, timestamp: r.timestamp, type: r.type, critical: r.critical === 1 };
  if (r.info !== null) e.info = r.info;
  return e;
}

function toOutbox(r: OutboxDbRow): OutboxEntry {
  // The kind and its payload were written together by appendOutbox.
  return { id: r.id, kind: r.kind, created_at: r.created_at, payload: JSON.parse(r.payload) as unknown } as OutboxEntry;
}

export class DeviceModelRepository {
  readonly #db: Db;
  readonly #inTransaction: InTransaction;
  readonly #st: Statements;
  readonly #log: Logger;
  readonly #attributeCache = new Map<string, AttributeRow | null>();
  readonly #componentsByKey = new Map<string, ComponentRow>();
  readonly #componentsById = new Map<number, ComponentRow>();
  readonly #variablesByKey = new Map<string, VariableRow>();
  readonly #variablesById = new Map<number, VariableRow>();
  readonly #variablesByComponent = new Map<number, VariableRow[]>();
  #closed = false;
  /** Set when a component or variable is inserted, so a rolled-back transaction reloads the maps. */
  #structureChanged = false;

  private constructor(db: Db, log: Logger) {
    this.#db = db;
    this.#inTransaction = transactionRunner(db);
    this.#st = prepareStatements(db);
    this.#log = log;
  }

  /** Opens (creating and migrating) the file, seeds missing components, resets non-persistent values. */
  static open(path: string, definitions: ComponentDefinition[], log: Logger, sync: SyncMode = 'full'): RepositoryOpenResult {
    const { db, created } = openDatabase(path, sync);
    try {
      const repo = new DeviceModelRepository(db, log);
      repo.#loadStructure();
      const seededComponents = repo.#seed(definitions);
      // Non-persistent attributes do not survive a restart: back to their configured default.
      repo.#st.resetVolatileAttributes.run();
      return { repo, created, seededComponents };
    } catch (err) {
      db.close();
      throw err;
    }
  }

  #loadStructure(): void {
    this.#componentsByKey.clear();
    this.#componentsById.clear();
    this.#variablesByKey.clear();
    this.#variablesById.clear();
    this.#variablesByComponent.clear();
    for (const r of this.#st.allComponents.all()) this.#indexComponent(toComponent(r));
    for (const r of this.#st.allVariables.all()) this.#indexVariable(toVariable(r));
  }

  #indexComponent(c: ComponentRow): void {
    this.#componentsByKey.set(componentKeyString(c), c);
    this.#componentsById.set(c.id, c);
  }

  #indexVariable(v: VariableRow): void {
    this.#variablesByKey.set(variableKeyString(v.component_id, v.name, v.instance), v);
    this.#variablesById.set(v.id, v);
    const list = this.#variablesByComponent.get(v.component_id);
    if (list) list.push(v);
    else this.#variablesByComponent.set(v.component_id, [v]);
  }

  /**
   * Inserts components that are missing, and variables missing from existing components. Never touches a
   * stored value: seeding runs on first start and whenever the config or the topology grows.
   */
  #seed(definitions: ComponentDefinition[]): string[] {
    const seeded: string[] = [];
    this.#db.transaction(() => {
      for (const def of definitions) {
        let component = this.#componentsByKey.get(componentKeyString(def.component));
        if (!component) {
          component = this.#insertComponent(def.component);
          seeded.push(describeComponent(def.component));
        }
        for (const v of def.variables) {
          if (this.#variablesByKey.has(variableKeyString(component.id, v.name, v.instance))) continue;
          this.#insertVariable(component.id, v);
        }
      }
    })();
    if (seeded.length > 0) this.#log.info({ components: seeded.length }, 'device model seeded');
    return seeded;
  }

  #insertComponent(k: ComponentKey): ComponentRow {
    this.#structureChanged = true;
    const id = Number(
      this.#st.insertComponent.run(k.name, k.instance ?? null, k.evse_id ?? null, k.connector_id ?? null).lastInsertRowid,
    );
    const component = { id, name: k.name, instance: k.instance, evse_id: k.evse_id, connector_id: k.connector_id };
    this.#indexComponent(component);
    return component;
  }

  #insertVariable(componentId: number, v: VariableDefinition): VariableRow {
    this.#structureChanged = true;
    const vid = Number(
      this.#st.insertVariable.run(componentId, v.name, v.instance ?? null, v.reboot_required ? 1 : 0).lastInsertRowid,
    );
    const ch = v.characteristics;
    this.#st.insertCharacteristics.run(
      vid, ch.data_type, ch.unit ?? null, ch.min_limit ?? null, ch.max_limit ?? null, ch.values_list ?? null,
      ch.supports_monitoring ? 1 : 0,
    );
    for (const a of v.attributes) this.#insertAttribute(vid, a);
    const row: VariableRow = {
      id: vid, component_id: componentId, name: v.name, instance: v.instance,
      reboot_required: v.reboot_required, characteristics: { ...ch },
    };
    this.#indexVariable(row);
    return row;
  }

  #insertAttribute(variableId: number, a: VariableDefinition['attributes'][number]): void {
    this.#attributeCache.clear();
    this.#st.insertAttribute.run(variableId, a.type, a.value, a.value, a.mutability, a.persistent ? 1 : 0, a.constant ? 1 : 0);
  }

  /**
   * Adds a variable (and its component when missing) from an imported device model config. Call inside
   * transaction(): a rollback restores the structure maps too.
   */
  addVariable(key: ComponentKey, v: VariableDefinition): { component: ComponentRow; variable: VariableRow; componentAdded: boolean } {
    let component = this.#componentsByKey.get(componentKeyString(key));
    const componentAdded = component === undefined;
    component ??= this.#insertComponent(key);
    const existing = this.#variablesByKey.get(variableKeyString(component.id, v.name, v.instance));
    if (existing) throw new DeviceModelError('TSOCPP_ERR_DB', `variable ${v.name} of ${describeComponent(key)} exists`);
    return { component, variable: this.#insertVariable(component.id, v), componentAdded };
  }

  /** Adds an attribute type a variable does not have yet; its value is also its default. */
  addAttribute(variableId: number, a: VariableDefinition['attributes'][number]): void {
    this.#insertAttribute(variableId, a);
  }

  /**
   * libocpp's rule for config values (init_device_model_db.cpp insert_variable_attribute_value: only where
   * VALUE_SOURCE is still 'default'): the value is set, with its default, only while the stored value still
   * equals its default, i.e. nobody (a CSMS, TsOcpp itself) has set it. `kept`: somebody did; it stays.
   */
  importValue(attributeId: number, value: string): 'set' | 'same' | 'kept' {
    const r = this.#st.attributeById.get(attributeId);
    if (!r) throw new DeviceModelError('TSOCPP_ERR_DB', `attribute ${attributeId} missing`);
    if (r.value === value && r.default_value === value) return 'same';
    if (r.value !== r.default_value) return 'kept';
    this.#attributeCache.clear();
    this.#st.setAttributeValueAndDefault.run(value, value, attributeId);
    return 'set';
  }

  /** Runs fn in one SQLite transaction (nested calls become savepoints); committed and synced on return. */
  transaction<T>(fn: () => T): T {
    const outer = !this.#db.inTransaction;
    if (outer) this.#structureChanged = false;
    try {
      return this.#inTransaction(fn);
    } catch (err) {
      // Rolled back: values cached inside the transaction are no longer true, nor components and variables
      // added in it (an import that failed half-way).
      this.#attributeCache.clear();
      if (outer && this.#structureChanged) this.#loadStructure();
      throw err;
    }
  }

  /**
   * The SQLite connection, for rooms that keep their own tables in this file (src/ocpp/transactions): sharing
   * it makes their writes atomic with the outbox in one transaction() and durable per the same sync mode.
   */
  get sqlite(): Db {
    return this.#db;
  }

  // ---- structure ----

  findComponent(key: ComponentKey): ComponentRow | undefined {
    return this.#componentsByKey.get(componentKeyString(key));
  }

  findVariable(componentId: number, name: string, instance?: string): VariableRow | undefined {
    return this.#variablesByKey.get(variableKeyString(componentId, name, instance));
  }

  component(id: number): ComponentRow | undefined {
    return this.#componentsById.get(id);
  }

  variable(id: number): VariableRow | undefined {
    return this.#variablesById.get(id);
  }

  /** Every component, sorted by name, instance, EVSE, connector; with its variables sorted by name. */
  components(): Array<{ component: ComponentRow; variables: VariableRow[] }> {
    const cmp = (a: string | number | undefined, b: string | number | undefined): number =>
      a === b ? 0 : a === undefined ? -1 : b === undefined ? 1 : a < b ? -1 : 1;
    return [...this.#componentsById.values()]
      .sort((a, b) => cmp(a.name, b.name) || cmp(a.instance, b.instance) || cmp(a.evse_id, b.evse_id)
        || cmp(a.connector_id, b.connector_id))
      .map((component) => ({
        component,
        variables: [...(this.#variablesByComponent.get(component.id) ?? [])]
          .sort((a, b) => cmp(a.name, b.name) || cmp(a.instance, b.instance)),
      }));
  }

  // ---- values ----

  /**
   * Reads are served from a cache (one SQLite get per read was 8-9% of a get_variables call in the
   * bench profile). Every write empties it, so a rolled-back transaction cannot leave a stale value.
   */
  attribute(variableId: number, type: AttributeType): AttributeRow | undefined {
    const key = `${variableId}:${type}`;
    const hit = this.#attributeCache.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const r = this.#st.attribute.get(variableId, type);
    const row = r ? toAttribute(r) : undefined;
    this.#attributeCache.set(key, row ?? null);
    return row;
  }

  /** The Actual value of a station-wide variable (no component instance, no EVSE), or undefined when absent or unset. */
  actualValue(component: string, variable: string): string | undefined {
    const c = this.findComponent({ name: component });
    const v = c && this.findVariable(c.id, variable);
    return (v ? this.attribute(v.id, 'Actual')?.value : undefined) ?? undefined;
  }

  attributes(variableId: number): AttributeRow[] {
    return this.#st.attributesOf.all(variableId).map(toAttribute);
  }

  /** All attributes grouped by variable id, in one query (for reports). */
  allAttributes(): Map<number, AttributeRow[]> {
    const out = new Map<number, AttributeRow[]>();
    for (const r of this.#st.allAttributes.all()) {
      const a = toAttribute(r);
      const list = out.get(a.variable_id);
      if (list) list.push(a);
      else out.set(a.variable_id, [a]);
    }
    return out;
  }

  writeAttribute(attributeId: number, value: string): void {
    this.#attributeCache.clear();
    this.#st.setAttributeValue.run(value, attributeId);
  }

  // ---- monitors ----

  /** Adds a monitor on a variable (idempotent) and returns its id. */
  addMonitor(variableId: number, createdAt: string): number {
    this.#st.insertMonitor.run(variableId, createdAt);
    const row = this.#st.monitorOf.get(variableId);
    if (!row) throw new DeviceModelError('TSOCPP_ERR_DB', 'monitor insert did not persist');
    return row.id;
  }

  monitorOf(variableId: number): number | undefined {
    return this.#st.monitorOf.get(variableId)?.id;
  }

  monitors(): MonitorEntry[] {
    const out: MonitorEntry[] = [];
    for (const r of this.#st.allMonitors.all()) {
      const variable = this.#variablesById.get(r.variable_id);
      const component = variable && this.#componentsById.get(variable.component_id);
      if (variable && component) out.push({ id: r.id, variable, component });
    }
    return out;
  }

  // ---- counters ----

  /** Next value of a persistent counter (1, 2, ...). Call inside a transaction with the change it numbers. */
  nextCounter(name: string): number {
    this.#st.ensureCounter.run(name);
    const row = this.#st.bumpCounter.get(name);
    if (!row) throw new DeviceModelError('TSOCPP_ERR_DB', `counter ${name} missing`);
    return row.value;
  }

  // ---- availability ----

  ensureAvailability(evseId: number, connectorId: number): void {
    this.#st.ensureAvailability.run(evseId, connectorId);
  }

  availabilityRows(): AvailabilityRow[] {
    return this.#st.allAvailability.all().map((r) => ({
      evse_id: r.evse_id,
      connector_id: r.connector_id,
      operational_status: r.operational_status as OperationalStatus,
      scheduled_status: r.scheduled_status as OperationalStatus | null,
    }));
  }

  writeAvailability(row: AvailabilityRow): void {
    this.#st.setAvailability.run(row.operational_status, row.scheduled_status, row.evse_id, row.connector_id);
  }

  // ---- security log ----

  /** Appends one entry and deletes the oldest beyond maxEntries. */
  appendSecurityLog(e: Omit<SecurityLogEntry, 'id'>, maxEntries: number): number {
    const id = Number(
      this.#st.insertSecurityLog.run(e.timestamp, e.type, e.info ?? null, e.critical ? 1 : 0).lastInsertRowid,
    );
    this.#st.trimSecurityLog.run(maxEntries);
    return id;
  }

  /** The newest entries, oldest first. */
  securityLog(limit: number): SecurityLogEntry[] {
    return this.#st.latestSecurityLog.all(limit).map(toSecurityLog).reverse();
  }

  // ---- outbox ----

  /**
   * Appends one entry; beyond maxEntries, drops by class (types.ts OutboxClass, after libocpp check_queue_sizes):
   * the oldest normal entries, a tenth of the bound at a time (at least the excess) so a flood does not trim on
   * every insert; then every second TransactionEvent Updated except the newest, pass by pass; transactional
   * entries left over are kept above the bound (libocpp keeps them too). Call inside the transaction of the
   * change it records: the insert and its drops commit together.
   */
  appendOutbox<K extends OutboxKind>(
    kind: K, payload: OutboxPayload<K>, createdAt: string, maxEntries = Number.POSITIVE_INFINITY,
  ): OutboxAppendResult {
    const cls = outboxClassOf({ kind, payload } as OutboxItem);
    const id = Number(this.#st.insertOutbox.run(kind, JSON.stringify(payload), createdAt, cls).lastInsertRowid);
    const result: OutboxAppendResult = { id, dropped: {}, over: 0 };
    // Ids only grow, so the span between the oldest and newest bounds the count: the count (a scan) is taken
    // only when the span passes the bound, which after a drop of a tenth of the bound is once per tenth.
    if ((this.#st.outboxSpan.get()?.span ?? 0) <= maxEntries) return result;
    let excess = this.outboxSize() - maxEntries;
    if (excess <= 0) return result;
    const count = (rows: Array<{ kind: string }>): number => {
      for (const r of rows) {
        const k = r.kind as OutboxKind;
        result.dropped[k] = (result.dropped[k] ?? 0) + 1;
      }
      return rows.length;
    };
    const step = Math.max(Math.floor(maxEntries / 10), 1);
    excess -= count(this.#st.dropOldestOutbox.all('normal', Math.ceil(excess / step) * step));
    while (excess > 0) {
      const ids = this.#st.outboxIdsOfClass.all('transaction_update').map((r) => r.id);
      const victims = ids.slice(0, -1).filter((_, i) => i % 2 === 0);
      if (victims.length === 0) break;
      for (const v of victims) this.#st.deleteOutbox.run(v);
      result.dropped.TransactionEvent = (result.dropped.TransactionEvent ?? 0) + victims.length;
      excess -= victims.length;
    }
    result.over = Math.max(excess, 0);
    return result;
  }

  pendingOutbox(limit: number): OutboxEntry[] {
    return this.#st.pendingOutbox.all(limit).map(toOutbox);
  }

  confirmOutbox(id: number): void {
    this.#st.deleteOutbox.run(id);
  }

  /** Is a TransactionEvent still queued: of `transactionId`, or of any transaction when undefined? */
  hasQueuedTransactionEvent(transactionId?: string): boolean {
    return this.#st.outboxHasTransactionEvent.get({ id: transactionId ?? null }) !== undefined;
  }

  outboxSize(): number {
    return this.#st.countOutbox.get()?.n ?? 0;
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}
