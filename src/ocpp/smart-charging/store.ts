// The storage of the smart-charging room behind a small interface (sqlite-store.ts keeps it in the device model
// file): the charging profiles the CSMS installed, each with the EVSE it applies to (0: the station).
import type { InstalledProfile } from './ocpp-types.js';

export interface ChargingProfileStore {
  /** Every installed profile, by EVSE then id. */
  all(): InstalledProfile[];
  /** Installs one profile, replacing the one of the same id wherever it was (K01.FR.05), in one commit. */
  put(p: InstalledProfile): void;
  /** Removes the profiles of these ids in one commit; returns how many were there. */
  remove(ids: readonly number[]): number;
}
