// ActivityStore on the device model's SQLite connection (table of migration 11 in src/device-model/db.ts): written
// in the same transaction as the FirmwareStatusNotification / LogStatusNotification it queues, so a SIGKILL
// leaves both or neither.
import type { Db } from '../../device-model/db.js';
import type { FirmwareStatus, UploadLogStatus } from './ocpp-types.js';
import type { Activity, ActivityKind, ActivityStore } from './store.js';

interface Row {
  status: string;
  request_id: number | null;
  updated_at: string;
}

export class SqliteActivityStore implements ActivityStore {
  readonly #get;
  readonly #put;

  constructor(db: Db) {
    this.#get = db.prepare<[string], Row>('SELECT status, request_id, updated_at FROM station_activity WHERE kind = ?');
    this.#put = db.prepare<[string, string, number | null, string]>(
      'INSERT OR REPLACE INTO station_activity (kind, status, request_id, updated_at) VALUES (?, ?, ?, ?)');
  }

  firmware(): Activity<FirmwareStatus> | undefined {
    return this.#read('firmware') as Activity<FirmwareStatus> | undefined;
  }

  log(): Activity<UploadLogStatus> | undefined {
    return this.#read('log') as Activity<UploadLogStatus> | undefined;
  }

  put(kind: ActivityKind, a: Activity<string>): void {
    this.#put.run(kind, a.status, a.requestId ?? null, a.updatedAt);
  }

  #read(kind: ActivityKind): Activity<string> | undefined {
    const r = this.#get.get(kind);
    if (!r) return undefined;
    return { status: r.status, updatedAt: r.updated_at, ...(r.request_id !== null ? { requestId: r.request_id } : {}) };
  }
}
