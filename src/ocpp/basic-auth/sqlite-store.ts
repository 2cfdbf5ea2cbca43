// BasicAuthFallbackStore on the device model's SQLite connection (table of migration 12 in
// src/device-model/db.ts), so it shares its sync mode and survives a restart.
import type { Db } from '../../device-model/db.js';
import type { BasicAuthFallbackStore } from './store.js';

export class SqliteBasicAuthFallbackStore implements BasicAuthFallbackStore {
  readonly #get;
  readonly #set;
  readonly #clear;

  constructor(db: Db) {
    this.#get = db.prepare<[], { password: string }>('SELECT password FROM basic_auth_fallback WHERE id = 1');
    this.#set = db.prepare<[string]>('INSERT OR REPLACE INTO basic_auth_fallback (id, password) VALUES (1, ?)');
    this.#clear = db.prepare('DELETE FROM basic_auth_fallback');
  }

  get(): string | undefined {
    return this.#get.get()?.password;
  }

  set(password: string): void {
    this.#set.run(password);
  }

  clear(): void {
    this.#clear.run();
  }
}
