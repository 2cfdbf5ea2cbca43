// SendLocalList (OCPP 2.0.1 D01) applied to the local authorization list, with libocpp's rules
// (authorization.cpp apply_local_authorization_list):
// - versionNumber 0 or less: Failed (D01.FR.18);
// - Full: the list replaces the stored one; an absent or empty list empties it (D01.FR.04); a token listed twice
//   or an entry without idTokenInfo: Failed, nothing changed;
// - Differential: a version not above the stored one is a VersionMismatch (D01.FR.19); an empty list only sets the
//   version (D01.FR.05); entries with idTokenInfo are added or replace the stored ones, entries without are
//   removed (D01.FR.06); a token listed twice: Failed, nothing changed.
// The version is stored with the entries in one SQLite transaction, so a failure changes neither.
import type { AuthorizationData, IdToken, SendLocalListRequest, SendLocalListResponse } from './ocpp-types.js';
import { tokenKey } from './ocpp-types.js';
import type { LocalListEntry, LocalListStore } from './store.js';

function hasDuplicate(list: readonly AuthorizationData[]): boolean {
  const seen = new Set<string>();
  for (const e of list) {
    const k = tokenKey(e.idToken);
    if (seen.has(k)) return true;
    seen.add(k);
  }
  return false;
}

const failed = (additionalInfo: string): SendLocalListResponse => ({ status: 'Failed', statusInfo: { reasonCode: 'InvalidValue', additionalInfo } });

export function applySendLocalList(store: LocalListStore, req: SendLocalListRequest): SendLocalListResponse {
  if (req.versionNumber <= 0) return failed('versionNumber must be above 0 (D01.FR.18)');
  const list = req.localAuthorizationList ?? [];
  if (hasDuplicate(list)) return failed('an idToken is listed more than once');
  if (req.updateType === 'Full') {
    const entries: LocalListEntry[] = [];
    for (const e of list) {
      if (!e.idTokenInfo) return failed('a Full update needs idTokenInfo for every entry');
      entries.push({ idToken: e.idToken, idTokenInfo: e.idTokenInfo });
    }
    store.replace(req.versionNumber, entries);
    return { status: 'Accepted' };
  }
  if (req.versionNumber <= store.version()) return { status: 'VersionMismatch' };
  const upserts: LocalListEntry[] = [];
  const removals: IdToken[] = [];
  for (const e of list) {
    if (e.idTokenInfo) upserts.push({ idToken: e.idToken, idTokenInfo: e.idTokenInfo });
    else removals.push(e.idToken);
  }
  store.update(req.versionNumber, upserts, removals);
  return { status: 'Accepted' };
}
