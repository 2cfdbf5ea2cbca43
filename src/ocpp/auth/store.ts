// The storage of the authorization room behind two small interfaces (sqlite-store.ts keeps both in the device
// model file): the local authorization list of D01 and the authorization cache of C10.
import type { IdToken, IdTokenInfo } from './ocpp-types.js';

export interface LocalListEntry {
  idToken: IdToken;
  idTokenInfo: IdTokenInfo;
}

export interface LocalListStore {
  /** 0 when no list was ever installed (D02.FR.02). */
  version(): number;
  get(idToken: IdToken): IdTokenInfo | undefined;
  size(): number;
  /** Bytes of the stored entries (LocalAuthListCtrlr Storage). */
  bytes(): number;
  /** Replaces the whole list and its version (D01 Full). */
  replace(version: number, entries: LocalListEntry[]): void;
  /** Updates or adds the entries with info, removes those without, and sets the version (D01 Differential). */
  update(version: number, upserts: LocalListEntry[], removals: IdToken[]): void;
}

export interface CacheEntry {
  idTokenInfo: IdTokenInfo;
  insertedAt: Date;
  lastUsedAt: Date;
}

export interface AuthCacheStore {
  get(idToken: IdToken): CacheEntry | undefined;
  put(idToken: IdToken, info: IdTokenInfo, at: Date): void;
  touch(idToken: IdToken, at: Date): void;
  delete(idToken: IdToken): void;
  clear(): void;
  size(): number;
  /** Bytes of the cached entries (AuthCacheCtrlr Storage). */
  bytes(): number;
  /** Removes entries used last before `usedBefore`, or whose cacheExpiryDateTime is before `now`; returns how many. */
  deleteExpired(now: Date, usedBefore: Date | undefined): number;
  /** Removes the first entry by `order` (LRU: last used; FIFO: inserted); false when empty. */
  evictOne(order: 'LRU' | 'FIFO'): boolean;
}
