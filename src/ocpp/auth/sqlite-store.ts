// LocalListStore and AuthCacheStore on the device model's SQLite connection (tables of migration 6 in
// src/device-model/db.ts), so they share its sync mode and survive restarts.
import { createHash } from 'node:crypto';
import type { Db } from '../../device-model/db.js';
import type { IdToken, IdTokenInfo } from './ocpp-types.js';
import { tokenKey } from './ocpp-types.js';
import type { AuthCacheStore, CacheEntry, LocalListEntry, LocalListStore } from './store.js';

export class SqliteLocalListStore implements LocalListStore {
  readonly #db: Db;
  readonly #version;
  readonly #setVersion;
  readonly #get;
  readonly #size;
  readonly #bytes;
  readonly #put;
  readonly #delete;
  readonly #clear;

  constructor(db: Db) {
    this.#db = db;
    this.#version = db.prepare<[], { version: number }>('SELECT version FROM auth_local_list_version WHERE id = 1');
    this.#setVersion = db.prepare<[number]>('INSERT OR REPLACE INTO auth_local_list_version (id, version) VALUES (1, ?)');
    this.#get = db.prepare<[string, string], { id_token_info: string }>('SELECT id_token_info FROM auth_local_list WHERE id_token = ? AND type = ?');
    this.#size = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM auth_local_list');
    this.#bytes = db.prepare<[], { n: number | null }>('SELECT SUM(LENGTH(id_token) + LENGTH(type) + LENGTH(id_token_info)) AS n FROM auth_local_list');
    this.#put = db.prepare<[string, string, string]>('INSERT OR REPLACE INTO auth_local_list (id_token, type, id_token_info) VALUES (?, ?, ?)');
    this.#delete = db.prepare<[string, string]>('DELETE FROM auth_local_list WHERE id_token = ? AND type = ?');
    this.#clear = db.prepare('DELETE FROM auth_local_list');
  }

  version(): number {
    return this.#version.get()?.version ?? 0;
  }

  get(idToken: IdToken): IdTokenInfo | undefined {
    const r = this.#get.get(idToken.idToken, idToken.type);
    return r ? (JSON.parse(r.id_token_info) as IdTokenInfo) : undefined;
  }

  size(): number {
    return this.#size.get()?.n ?? 0;
  }

  bytes(): number {
    return this.#bytes.get()?.n ?? 0;
  }

  replace(version: number, entries: LocalListEntry[]): void {
    this.#db.transaction(() => {
      this.#clear.run();
      for (const e of entries) this.#put.run(e.idToken.idToken, e.idToken.type, JSON.stringify(e.idTokenInfo));
      this.#setVersion.run(version);
    })();
  }

  update(version: number, upserts: LocalListEntry[], removals: IdToken[]): void {
    this.#db.transaction(() => {
      for (const t of removals) this.#delete.run(t.idToken, t.type);
      for (const e of upserts) this.#put.run(e.idToken.idToken, e.idToken.type, JSON.stringify(e.idTokenInfo));
      this.#setVersion.run(version);
    })();
  }
}

interface CacheRow {
  id_token_info: string;
  inserted_at: string;
  last_used_at: string;
}

/** A cached token is only ever matched, never read back: its hash is enough (libocpp keys the cache the same way). */
function hashOf(t: IdToken): string {
  return createHash('sha256').update(tokenKey(t)).digest('hex');
}

export class SqliteAuthCacheStore implements AuthCacheStore {
  readonly #get;
  readonly #put;
  readonly #touch;
  readonly #delete;
  readonly #clear;
  readonly #size;
  readonly #bytes;
  readonly #all;
  readonly #deleteUsedBefore;
  readonly #evictLru;
  readonly #evictFifo;

  constructor(db: Db) {
    this.#get = db.prepare<[string], CacheRow>('SELECT id_token_info, inserted_at, last_used_at FROM auth_cache WHERE token_hash = ?');
    this.#put = db.prepare<[string, string, string, string]>(
      'INSERT OR REPLACE INTO auth_cache (token_hash, id_token_info, inserted_at, last_used_at) VALUES (?, ?, ?, ?)');
    this.#touch = db.prepare<[string, string]>('UPDATE auth_cache SET last_used_at = ? WHERE token_hash = ?');
    this.#delete = db.prepare<[string]>('DELETE FROM auth_cache WHERE token_hash = ?');
    this.#clear = db.prepare('DELETE FROM auth_cache');
    this.#size = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM auth_cache');
    this.#bytes = db.prepare<[], { n: number | null }>(
      'SELECT SUM(LENGTH(token_hash) + LENGTH(id_token_info) + LENGTH(inserted_at) + LENGTH(last_used_at)) AS n FROM auth_cache');
    this.#all = db.prepare<[], { token_hash: string; id_token_info: string }>('SELECT token_hash, id_token_info FROM auth_cache');
    this.#deleteUsedBefore = db.prepare<[string]>('DELETE FROM auth_cache WHERE last_used_at < ?');
    this.#evictLru = db.prepare('DELETE FROM auth_cache WHERE token_hash = (SELECT token_hash FROM auth_cache ORDER BY last_used_at, inserted_at LIMIT 1)');
    this.#evictFifo = db.prepare('DELETE FROM auth_cache WHERE token_hash = (SELECT token_hash FROM auth_cache ORDER BY inserted_at, last_used_at LIMIT 1)');
  }

  get(idToken: IdToken): CacheEntry | undefined {
    const r = this.#get.get(hashOf(idToken));
    if (!r) return undefined;
    return { idTokenInfo: JSON.parse(r.id_token_info) as IdTokenInfo, insertedAt: new Date(r.inserted_at), lastUsedAt: new Date(r.last_used_at) };
  }

  put(idToken: IdToken, info: IdTokenInfo, at: Date): void {
    const iso = at.toISOString();
    this.#put.run(hashOf(idToken), JSON.stringify(info), iso, iso);
  }

  touch(idToken: IdToken, at: Date): void {
    this.#touch.run(at.toISOString(), hashOf(idToken));
  }

  delete(idToken: IdToken): void {
    this.#delete.run(hashOf(idToken));
  }

  clear(): void {
    this.#clear.run();
  }

  size(): number {
    return this.#size.get()?.n ?? 0;
  }

  bytes(): number {
    return this.#bytes.get()?.n ?? 0;
  }

  deleteExpired(now: Date, usedBefore: Date | undefined): number {
    // ISO 8601 UTC strings of the same form sort as time, so the lifetime test runs in SQL.
    let n = usedBefore ? this.#deleteUsedBefore.run(usedBefore.toISOString()).changes : 0;
    for (const r of this.#all.all()) {
      const expiry = (JSON.parse(r.id_token_info) as IdTokenInfo).cacheExpiryDateTime;
      if (expiry !== undefined && Date.parse(expiry) < now.getTime()) n += this.#delete.run(r.token_hash).changes;
    }
    return n;
  }

  evictOne(order: 'LRU' | 'FIFO'): boolean {
    return (order === 'LRU' ? this.#evictLru : this.#evictFifo).run().changes > 0;
  }
}
