// ChargingProfileStore on the device model's SQLite connection (table of migration 10 in src/device-model/db.ts),
// so a returned SetChargingProfile survives a SIGKILL under the file's sync mode.
import type { Db } from '../../device-model/db.js';
import type { ChargingProfile, InstalledProfile } from './ocpp-types.js';
import type { ChargingProfileStore } from './store.js';

export class SqliteChargingProfileStore implements ChargingProfileStore {
  readonly #db: Db;
  readonly #all;
  readonly #put;
  readonly #remove;

  constructor(db: Db) {
    this.#db = db;
    this.#all = db.prepare<[], { evse_id: number; profile: string }>('SELECT evse_id, profile FROM charging_profiles ORDER BY evse_id, id');
    this.#put = db.prepare<[number, number, string, number, string | null, string]>(
      'INSERT OR REPLACE INTO charging_profiles (id, evse_id, purpose, stack_level, transaction_id, profile) VALUES (?, ?, ?, ?, ?, ?)');
    this.#remove = db.prepare<[number]>('DELETE FROM charging_profiles WHERE id = ?');
  }

  all(): InstalledProfile[] {
    return this.#all.all().map((r) => ({ evseId: r.evse_id, profile: JSON.parse(r.profile) as ChargingProfile }));
  }

  put({ evseId, profile: p }: InstalledProfile): void {
    this.#put.run(p.id, evseId, p.chargingProfilePurpose, p.stackLevel, p.transactionId ?? null, JSON.stringify(p));
  }

  remove(ids: readonly number[]): number {
    let n = 0;
    this.#db.transaction(() => {
      for (const id of ids) n += this.#remove.run(id).changes;
    })();
    return n;
  }
}
