// Every SQL statement of the device model, prepared once when the database is opened.
import type { Db } from './db.js';

export interface ComponentDbRow {
  id: number;
  name: string;
  instance: string | null;
  evse_id: number | null;
  connector_id: number | null;
}

export interface VariableDbRow {
  id: number;
  component_id: number;
  name: string;
  instance: string | null;
  reboot_required: number;
  data_type: string;
  unit: string | null;
  min_limit: number | null;
  max_limit: number | null;
  values_list: string | null;
  supports_monitoring: number;
}

export interface AttributeDbRow {
  id: number;
  variable_id: number;
  type: string;
  value: string | null;
  default_value: string | null;
  mutability: string;
  persistent: number;
  constant: number;
}

export interface AvailabilityDbRow {
  evse_id: number;
  connector_id: number;
  operational_status: string;
  scheduled_status: string | null;
}

export interface SecurityLogDbRow {
  id: number;
  timestamp: string;
  type: string;
  info: string | null;
  critical: number;
}

export interface OutboxDbRow {
  id: number;
  kind: string;
  payload: string;
  created_at: string;
}

export interface MonitorDbRow {
  id: number;
  variable_id: number;
}

export function prepareStatements(db: Db) {
  return {
    // structure
    allComponents: db.prepare<[], ComponentDbRow>('SELECT id, name, instance, evse_id, connector_id FROM components'),
    allVariables: db.prepare<[], VariableDbRow>(
      `SELECT v.id, v.component_id, v.name, v.instance, v.reboot_required,
              c.data_type, c.unit, c.min_limit, c.max_limit, c.values_list, c.supports_monitoring
         FROM variables v JOIN characteristics c ON c.variable_id = v.id`,
    ),
    insertComponent: db.prepare<[string, string | null, number | null, number | null]>(
      'INSERT INTO components (name, instance, evse_id, connector_id) VALUES (?, ?, ?, ?)',
    ),
    insertVariable: db.prepare<[number, string, string | null, number]>(
      'INSERT INTO variables (component_id, name, instance, reboot_required) VALUES (?, ?, ?, ?)',
    ),
    insertCharacteristics: db.prepare<
      [number, string, string | null, number | null, number | null, string | null, number]
    >(
      `INSERT INTO characteristics
         (variable_id, data_type, unit, min_limit, max_limit, values_list, supports_monitoring)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertAttribute: db.prepare<[number, string, string | null, string | null, string, number, number]>(
      `INSERT INTO attributes (variable_id, type, value, default_value, mutability, persistent, constant)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),

    // values
    attribute: db.prepare<[number, string], AttributeDbRow>(
      `SELECT id, variable_id, type, value, default_value, mutability, persistent, constant
         FROM attributes WHERE variable_id = ? AND type = ?`,
    ),
    attributesOf: db.prepare<[number], AttributeDbRow>(
      `SELECT id, variable_id, type, value, default_value, mutability, persistent, constant
         FROM attributes WHERE variable_id = ?
        ORDER BY CASE type WHEN 'Actual' THEN 0 WHEN 'Target' THEN 1 WHEN 'MinSet' THEN 2 ELSE 3 END`,
    ),
    allAttributes: db.prepare<[], AttributeDbRow>(
      `SELECT id, variable_id, type, value, default_value, mutability, persistent, constant
         FROM attributes
        ORDER BY variable_id, CASE type WHEN 'Actual' THEN 0 WHEN 'Target' THEN 1 WHEN 'MinSet' THEN 2 ELSE 3 END`,
    ),
    attributeById: db.prepare<[number], AttributeDbRow>(
      `SELECT id, variable_id, type, value, default_value, mutability, persistent, constant FROM attributes WHERE id = ?`,
    ),
    setAttributeValueAndDefault: db.prepare<[string, string, number]>(
      'UPDATE attributes SET value = ?, default_value = ? WHERE id = ?',
    ),
    setAttributeValue: db.prepare<[string | null, number]>('UPDATE attributes SET value = ? WHERE id = ?'),
    resetVolatileAttributes: db.prepare<[]>(
      'UPDATE attributes SET value = default_value WHERE persistent = 0',
    ),

    // monitors
    insertMonitor: db.prepare<[number, string]>(
      'INSERT OR IGNORE INTO monitors (variable_id, created_at) VALUES (?, ?)',
    ),
    monitorOf: db.prepare<[number], MonitorDbRow>('SELECT id, variable_id FROM monitors WHERE variable_id = ?'),
    allMonitors: db.prepare<[], MonitorDbRow>('SELECT id, variable_id FROM monitors ORDER BY id'),

    // counters
    ensureCounter: db.prepare<[string]>('INSERT OR IGNORE INTO counters (name, value) VALUES (?, 0)'),
    bumpCounter: db.prepare<[string], { value: number }>(
      'UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value',
    ),

    // availability
    ensureAvailability: db.prepare<[number, number]>(
      `INSERT OR IGNORE INTO availability (evse_id, connector_id, operational_status, scheduled_status)
       VALUES (?, ?, 'Operative', NULL)`,
    ),
    allAvailability: db.prepare<[], AvailabilityDbRow>(
      'SELECT evse_id, connector_id, operational_status, scheduled_status FROM availability',
    ),
    setAvailability: db.prepare<[string, string | null, number, number]>(
      'UPDATE availability SET operational_status = ?, scheduled_status = ? WHERE evse_id = ? AND connector_id = ?',
    ),

    // security log
    insertSecurityLog: db.prepare<[string, string, string | null, number]>(
      'INSERT INTO security_log (timestamp, type, info, critical) VALUES (?, ?, ?, ?)',
    ),
    trimSecurityLog: db.prepare<[number]>(
      'DELETE FROM security_log WHERE id <= (SELECT MAX(id) FROM security_log) - ?',
    ),
    latestSecurityLog: db.prepare<[number], SecurityLogDbRow>(
      'SELECT id, timestamp, type, info, critical FROM security_log ORDER BY id DESC LIMIT ?',
    ),

    // outbox
    insertOutbox: db.prepare<[string, string, string, string]>(
      'INSERT INTO outbox (kind, payload, created_at, class) VALUES (?, ?, ?, ?)',
    ),
    // The oldest `limit` entries of one class, removed; their kinds, for the log line.
    dropOldestOutbox: db.prepare<[string, number], { kind: string }>(
      'DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE class = ? ORDER BY id LIMIT ?) RETURNING kind',
    ),
    outboxIdsOfClass: db.prepare<[string], { id: number }>('SELECT id FROM outbox WHERE class = ? ORDER BY id'),
    pendingOutbox: db.prepare<[number], OutboxDbRow>(
      'SELECT id, kind, payload, created_at FROM outbox ORDER BY id LIMIT ?',
    ),
    // E14 GetTransactionStatus: is a TransactionEvent (of one transaction, or of any with NULL) still queued?
    outboxHasTransactionEvent: db.prepare<[{ id: string | null }], { one: number }>(
      "SELECT 1 AS one FROM outbox WHERE kind = 'TransactionEvent' AND (@id IS NULL OR json_extract(payload, '$.transactionInfo.transactionId') = @id) LIMIT 1",
    ),
    deleteOutbox: db.prepare<[number]>('DELETE FROM outbox WHERE id = ?'),
    countOutbox: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox'),
    // Two rowid look-ups: an upper bound of the count without scanning the table.
    outboxSpan: db.prepare<[], { span: number | null }>('SELECT (SELECT MAX(id) FROM outbox) - (SELECT MIN(id) FROM outbox) + 1 AS span'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
