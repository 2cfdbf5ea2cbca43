// Opens the device model database: one SQLite file, created and migrated on first start.
//
// Durability (https://www.sqlite.org/pragma.html#pragma_synchronous), module config device_model_sync:
// - full (the default): WAL with synchronous=FULL fsyncs the WAL on every commit, so a change whose
//   transaction has returned survives SIGKILL and power loss;
// - normal: synchronous=NORMAL writes the WAL on every commit but fsyncs only at checkpoints, so a
//   returned change survives SIGKILL of TsOcpp (it is in the OS's cache) but an OS crash or power loss may
//   take the last commits back; the file stays consistent. No fsync on the event loop per answer.
import Database from 'better-sqlite3';
import { errorMessage } from '../errors.js';
import { DeviceModelError } from './errors.js';

export type Db = Database.Database;

/** Runs a function in a transaction of `db`, or in a savepoint when one is open. */
export type InTransaction = <T>(fn: () => T) => T;

/**
 * The transaction runner of `db`, to make once per owner: better-sqlite3's db.transaction(fn) builds four
 * wrapped functions with their properties each time it is called, which was 6% of the bytes a bus call
 * allocated when it was called per write.
 */
export function transactionRunner(db: Db): InTransaction {
  const run = db.transaction((fn: () => unknown) => fn());
  return <T>(fn: () => T): T => run(fn) as T;
}

export const SYNC_MODES = ['full', 'normal'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

interface Migration {
  version: number;
  name: string;
  sql: string;
}

// Numbered, append-only. Never edit a released migration: add the next number.
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE components (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        instance TEXT,
        evse_id INTEGER,
        connector_id INTEGER
      );
      CREATE UNIQUE INDEX components_key
        ON components (name, IFNULL(instance, ''), IFNULL(evse_id, -1), IFNULL(connector_id, -1));

      CREATE TABLE variables (
        id INTEGER PRIMARY KEY,
        component_id INTEGER NOT NULL REFERENCES components (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        instance TEXT,
        reboot_required INTEGER NOT NULL DEFAULT 0 CHECK (reboot_required IN (0, 1))
      );
      CREATE UNIQUE INDEX variables_key ON variables (component_id, name, IFNULL(instance, ''));

      CREATE TABLE characteristics (
        variable_id INTEGER PRIMARY KEY REFERENCES variables (id) ON DELETE CASCADE,
        data_type TEXT NOT NULL CHECK (data_type IN
          ('string', 'decimal', 'integer', 'dateTime', 'boolean', 'OptionList', 'SequenceList', 'MemberList')),
        unit TEXT,
        min_limit REAL,
        max_limit REAL,
        values_list TEXT,
        supports_monitoring INTEGER NOT NULL DEFAULT 1 CHECK (supports_monitoring IN (0, 1))
      );

      CREATE TABLE attributes (
        id INTEGER PRIMARY KEY,
        variable_id INTEGER NOT NULL REFERENCES variables (id) ON DELETE CASCADE,
        type TEXT NOT NULL CHECK (type IN ('Actual', 'Target', 'MinSet', 'MaxSet')),
        value TEXT,
        default_value TEXT,
        mutability TEXT NOT NULL CHECK (mutability IN ('ReadOnly', 'WriteOnly', 'ReadWrite')),
        persistent INTEGER NOT NULL DEFAULT 1 CHECK (persistent IN (0, 1)),
        constant INTEGER NOT NULL DEFAULT 0 CHECK (constant IN (0, 1)),
        UNIQUE (variable_id, type)
      );

      CREATE TABLE monitors (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        variable_id INTEGER NOT NULL UNIQUE REFERENCES variables (id) ON DELETE CASCADE,
        created_at TEXT NOT NULL
      );

      -- One row per unit: (0, 0) the station, (evse, 0) an EVSE, (evse, connector) a connector.
      CREATE TABLE availability (
        evse_id INTEGER NOT NULL,
        connector_id INTEGER NOT NULL,
        operational_status TEXT NOT NULL CHECK (operational_status IN ('Operative', 'Inoperative')),
        scheduled_status TEXT CHECK (scheduled_status IN ('Operative', 'Inoperative')),
        PRIMARY KEY (evse_id, connector_id)
      );

      CREATE TABLE security_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        timestamp TEXT NOT NULL,
        type TEXT NOT NULL,
        info TEXT,
        critical INTEGER NOT NULL CHECK (critical IN (0, 1))
      );

      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      -- Monotonic counters that must survive restarts (event_id of NotifyEvent data).
      CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'transactions',
    // One row per EVSE with an open session (src/ocpp/transactions): the OCPP transaction it maps to, its next
    // seqNo and what the start/stop point evaluation needs, so a restart continues the same transaction.
    sql: `
      CREATE TABLE transactions (
        evse_id INTEGER PRIMARY KEY CHECK (evse_id > 0),
        connector_id INTEGER NOT NULL,
        session_id TEXT NOT NULL,
        transaction_id TEXT NOT NULL UNIQUE,
        seq_no_next INTEGER NOT NULL CHECK (seq_no_next >= 0),
        started INTEGER NOT NULL CHECK (started IN (0, 1)),
        ended INTEGER NOT NULL CHECK (ended IN (0, 1)),
        start_points TEXT NOT NULL,
        stop_points TEXT NOT NULL,
        conditions TEXT NOT NULL,
        charging_state TEXT NOT NULL,
        id_token TEXT,
        group_id_token TEXT,
        id_token_sent INTEGER NOT NULL CHECK (id_token_sent IN (0, 1)),
        remote_start_id INTEGER,
        reservation_id INTEGER,
        stopped_reason TEXT,
        session_started_at TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'outbox class',
    // The class decides what goes first when the outbox is full (types.ts outboxClassOf). Every entry before
    // this was a SecurityEventNotification: normal.
    sql: `
      ALTER TABLE outbox ADD COLUMN class TEXT NOT NULL DEFAULT 'normal'
        CHECK (class IN ('normal', 'transaction_update', 'transaction'));
      CREATE INDEX outbox_class ON outbox (class, id);
    `,
  },
  {
    // Databases seeded before TsOcpp told the truth about itself (src/device-model/capabilities.ts) claim
    // AuthCtrlr and SampledDataCtrlr as Enabled/Available. The rule: an attribute whose value still equals
    // its default_value (what the seed wrote when it inserted it) was never set by a CSMS or a user, so its
    // value is corrected; a value somebody set is kept (for these booleans it can only be false already).
    // The default and the mutability are always corrected: Enabled is ReadOnly while the feature is
    // missing, so a CSMS cannot switch on what is not there. TxCtrlr.Enabled is new in the seed (the seed
    // adds it to these databases); it is listed for device models seeded from a custom directory.
    version: 4,
    name: 'honest capability flags',
    sql: `
      CREATE TEMP TABLE lacking AS
        SELECT v.id AS variable_id FROM variables v JOIN components c ON c.id = v.component_id
        WHERE c.instance IS NULL AND c.evse_id IS NULL AND c.connector_id IS NULL AND v.instance IS NULL
          AND ((c.name = 'AuthCtrlr' AND v.name = 'Enabled')
            OR (c.name = 'SampledDataCtrlr' AND v.name IN ('Available', 'Enabled'))
            OR (c.name = 'TxCtrlr' AND v.name = 'Enabled'));
      UPDATE attributes SET value = 'false'
        WHERE type = 'Actual' AND value IS default_value AND variable_id IN (SELECT variable_id FROM lacking);
      UPDATE attributes SET default_value = 'false', mutability = 'ReadOnly'
        WHERE type = 'Actual' AND variable_id IN (SELECT variable_id FROM lacking);
      DROP TABLE lacking;
    `,
  },
  {
    // Transactions are real (src/ocpp/transactions, sent through the outbox): TxCtrlr.Enabled is reported
    // true, by the rule of version 4 (a value still equal to its seeded default was never set by anyone, so it
    // follows the seed). It stays ReadOnly: TsOcpp cannot switch transactions off, so a CSMS may not either.
    version: 5,
    name: 'transactions are real',
    sql: `
      UPDATE attributes SET value = 'true'
        WHERE type = 'Actual' AND value IS default_value AND variable_id IN (
          SELECT v.id FROM variables v JOIN components c ON c.id = v.component_id
          WHERE c.name = 'TxCtrlr' AND c.instance IS NULL AND c.evse_id IS NULL AND c.connector_id IS NULL
            AND v.name = 'Enabled' AND v.instance IS NULL);
      UPDATE attributes SET default_value = 'true', mutability = 'ReadOnly'
        WHERE type = 'Actual' AND variable_id IN (
          SELECT v.id FROM variables v JOIN components c ON c.id = v.component_id
          WHERE c.name = 'TxCtrlr' AND c.instance IS NULL AND c.evse_id IS NULL AND c.connector_id IS NULL
            AND v.name = 'Enabled' AND v.instance IS NULL);
    `,
  },
  {
    // The authorization room (src/ocpp/auth): the local authorization list of D01 with its version, and the
    // authorization cache of C10. Cache rows are keyed by a hash of the token (type and value), since a
    // cached token need never be read back, only matched; list rows keep the token as the CSMS sent it.
    version: 6,
    name: 'authorization',
    sql: `
      CREATE TABLE auth_local_list (
        id_token TEXT NOT NULL,
        type TEXT NOT NULL,
        id_token_info TEXT NOT NULL,
        PRIMARY KEY (id_token, type)
      );
      CREATE TABLE auth_local_list_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
      );
      CREATE TABLE auth_cache (
        token_hash TEXT PRIMARY KEY,
        id_token_info TEXT NOT NULL,
        inserted_at TEXT NOT NULL,
        last_used_at TEXT NOT NULL
      );
    `,
  },
  {
    // TxCtrlr.StopTxOnInvalidId is real (src/csms/station/invalid-id.ts: stop, or pause when false), so it is
    // ReadWrite as in OCPP 2.0.1 and libocpp; its value is kept.
    version: 7,
    name: 'StopTxOnInvalidId is real',
    sql: `
      UPDATE attributes SET mutability = 'ReadWrite'
        WHERE type = 'Actual' AND variable_id IN (
          SELECT v.id FROM variables v JOIN components c ON c.id = v.component_id
          WHERE c.name = 'TxCtrlr' AND c.instance IS NULL AND c.evse_id IS NULL AND c.connector_id IS NULL
            AND v.name = 'StopTxOnInvalidId' AND v.instance IS NULL);
    `,
  },
  {
    // Authorization is real (validate_token on the bus answered by src/ocpp/auth, C01-C15): AuthCtrlr.Enabled is
    // reported true by the rule of version 4 (a value still equal to its seeded default follows the seed), and
    // ReadWrite as in OCPP 2.0.1 and libocpp, so a CSMS may switch authorization off (every token Accepted).
    version: 8,
    name: 'authorization is real',
    sql: `
      UPDATE attributes SET value = 'true'
        WHERE type = 'Actual' AND value IS default_value AND variable_id IN (
          SELECT v.id FROM variables v JOIN components c ON c.id = v.component_id
          WHERE c.name = 'AuthCtrlr' AND c.instance IS NULL AND c.evse_id IS NULL AND c.connector_id IS NULL
            AND v.name = 'Enabled' AND v.instance IS NULL);
      UPDATE attributes SET default_value = 'true', mutability = 'ReadWrite'
        WHERE type = 'Actual' AND variable_id IN (
          SELECT v.id FROM variables v JOIN components c ON c.id = v.component_id
          WHERE c.name = 'AuthCtrlr' AND c.instance IS NULL AND c.evse_id IS NULL AND c.connector_id IS NULL
            AND v.name = 'Enabled' AND v.instance IS NULL);
    `,
  },
  {
    // Sampled and clock-aligned meter values are real (J01, J02: src/module/transactions.ts). The flags follow
    // the seed by the rule of version 4; Enabled is ReadWrite again, as OCPP and libocpp have it.
    // tx_meter_values keeps the TxEnded samples of an open transaction (SampledDataCtrlr / AlignedDataCtrlr
    // TxEndedInterval), as libocpp keeps them in its database, so the Ended after a SIGKILL still carries them.
    version: 9,
    name: 'meter values are real',
    sql: `
      CREATE TEMP TABLE sampled AS
        SELECT v.id AS variable_id, v.name AS name FROM variables v JOIN components c ON c.id = v.component_id
        WHERE c.instance IS NULL AND c.evse_id IS NULL AND c.connector_id IS NULL AND v.instance IS NULL
          AND c.name = 'SampledDataCtrlr' AND v.name IN ('Available', 'Enabled');
      UPDATE attributes SET value = 'true'
        WHERE type = 'Actual' AND value IS default_value AND variable_id IN (SELECT variable_id FROM sampled);
      UPDATE attributes SET default_value = 'true'
        WHERE type = 'Actual' AND variable_id IN (SELECT variable_id FROM sampled);
      UPDATE attributes SET mutability = 'ReadWrite'
        WHERE type = 'Actual' AND variable_id IN (SELECT variable_id FROM sampled WHERE name = 'Enabled');
      DROP TABLE sampled;

      CREATE TABLE tx_meter_values (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        transaction_id TEXT NOT NULL,
        sample TEXT NOT NULL
      );
      CREATE INDEX tx_meter_values_tx ON tx_meter_values (transaction_id, id);
    `,
  },
  {
    // The smart-charging room (src/ocpp/smart-charging, K01-K17): the charging profiles the CSMS installed, with
    // the EVSE each applies to (0: the station), kept across restarts as libocpp keeps them in its database. The
    // id is the profile's own: one profile per id on the station (K01.FR.05 replaces it). SmartChargingCtrlr is new
    // in the seed, which adds it to existing databases at open (as TxCtrlr.Enabled was added).
    version: 10,
    name: 'charging profiles',
    sql: `
      CREATE TABLE charging_profiles (
        id INTEGER PRIMARY KEY,
        evse_id INTEGER NOT NULL CHECK (evse_id >= 0),
        purpose TEXT NOT NULL,
        stack_level INTEGER NOT NULL,
        transaction_id TEXT,
        profile TEXT NOT NULL
      );
      CREATE INDEX charging_profiles_tx ON charging_profiles (transaction_id);
    `,
  },
  {
    // The firmware room (src/ocpp/firmware, L01/L02/N01): the last firmware and log upload status the system
    // module reported, with its requestId, written with the notification it queues; TriggerMessage and a restart
    // in the middle of an update read it. One row per kind ('firmware', 'log').
    version: 11,
    name: 'firmware and log status',
    sql: `
      CREATE TABLE station_activity (
        kind TEXT PRIMARY KEY CHECK (kind IN ('firmware', 'log')),
        status TEXT NOT NULL,
        request_id INTEGER,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    // A01 password rotation (src/ocpp/basic-auth): the SecurityCtrlr BasicAuthPassword in force before the CSMS
    // set a new one, kept until a connection with the new one succeeded, so a CSMS that refuses the new one
    // (HTTP 401) can still be reached with the old one, across a restart too. Never reported or logged.
    version: 12,
    name: 'basic auth fallback',
    sql: `
      CREATE TABLE basic_auth_fallback (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        password TEXT NOT NULL
      );
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

export interface OpenedDb {
  db: Db;
  /** True when this call created the schema (a new file, or one without tables). */
  created: boolean;
}

export function openDatabase(path: string, sync: SyncMode = 'full'): OpenedDb {
  if (!SYNC_MODES.includes(sync)) throw new DeviceModelError('TSOCPP_ERR_INVALID_ARGUMENT', `device_model_sync must be one of ${SYNC_MODES.join(', ')}`);
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(sync === 'full' ? 'synchronous = FULL' : 'synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // better-sqlite3 waits for a lock synchronously, holding the whole event loop (MQTT included): keep it
    // short. Only another process holding a write lock on the file (a maintenance tool) makes it wait.
    db.pragma('busy_timeout = 200');
    const created = migrate(db);
    return { db, created };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Applies every migration newer than the stored version, each in its own transaction. */
function migrate(db: Db): boolean {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const row = db.prepare<[], { v: number | null }>('SELECT MAX(version) AS v FROM schema_version').get();
  const current = row?.v ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new DeviceModelError(
      'TSOCPP_ERR_DB_MIGRATION',
      `device model database has schema version ${current}, this program knows up to ${SCHEMA_VERSION}`,
    );
  }
  const record = db.prepare<[number, string, string]>(
    'INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)',
  );
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    try {
      db.transaction(() => {
        db.exec(m.sql);
        record.run(m.version, m.name, new Date().toISOString());
      })();
    } catch (err) {
      throw new DeviceModelError(
        'TSOCPP_ERR_DB_MIGRATION',
        `migration ${m.version} (${m.name}) failed: ${errorMessage(err)}`,
        { cause: err },
      );
    }
  }
  return current === 0;
}
