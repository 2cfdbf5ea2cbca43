// The smart-charging room (OCPP 2.0.1 K01, K08, K09, K10): the charging profiles the CSMS installs, kept behind a
// ChargingProfileStore, checked by the pure core (core.ts) and combined into composite schedules. Decisions as
// libocpp's smart_charging.cpp and database_handler.cpp: one profile per id on the station (K01.FR.05), clear by id
// or by criteria that never touch ChargingStationExternalConstraints (K10.FR.04/06), report per EVSE (K09), and the
// TxProfiles of a transaction removed when it ends (K01.FR.16 ... a TxProfile lives only with its transaction).
import type { Logger } from '../../log.js';
import { Emitter } from '../events.js';
import { compositeSchedule, validateProfile, type ProfileValidation } from './core.js';
import type { ChargingProfile, ChargingProfilePurpose, ChargingRateUnit, CompositeSchedule, InstalledProfile, StatusInfo } from './ocpp-types.js';
import type { SmartChargingSettings } from './settings.js';
import type { ChargingProfileStore } from './store.js';

export interface SmartChargingEvents {
  /** The installed profiles changed (after the commit): composite schedules must be sent again. */
  changed: () => void;
}

export type SetResult = { status: 'Accepted' } | { status: 'Rejected'; statusInfo: StatusInfo };

export interface ClearCriteria {
  chargingProfileId?: number;
  chargingProfileCriteria?: { evseId?: number; chargingProfilePurpose?: ChargingProfilePurpose; stackLevel?: number };
}

export interface GetCriteria {
  evseId?: number;
  chargingProfilePurpose?: ChargingProfilePurpose;
  stackLevel?: number;
  chargingProfileId?: number[];
  chargingLimitSource?: string[];
}

/** Profiles of one EVSE for one ReportChargingProfiles (K09: one message per EVSE and source). */
export interface ProfileReport {
  evseId: number;
  /** Every profile here came from the CSMS (SetChargingProfile). */
  chargingLimitSource: 'CSO';
  chargingProfile: ChargingProfile[];
}

export type CompositeResult = { status: 'Accepted'; schedule: CompositeSchedule } | { status: 'Rejected'; statusInfo: StatusInfo };

export interface SmartChargingOptions {
  store: ChargingProfileStore;
  settings: () => SmartChargingSettings;
  /** The EVSEs of the station: 1..evseCount (0 is the station). */
  evseCount: number;
  /** The running transaction of an EVSE (started, not ended), with when it started (Relative profiles). */
  transactionOf(evseId: number): { id: string; startedAt: Date } | undefined;
  now(): Date;
  log: Logger;
  /** Writes SmartChargingCtrlr.Entries (libocpp reports the count the same way). */
  reportEntries(n: number): void;
}

/** The source libocpp stores for a profile set by the CSMS (ChargingLimitSourceEnum CSO). */
const CSO = 'CSO';
/** Stands for the transaction a RequestStartTransaction will start, while its chargingProfile is checked. */
const PENDING_TX = '\u0000pending';

export class SmartCharging {
  readonly #o: SmartChargingOptions;
  readonly #events: Emitter<SmartChargingEvents>;
  /** F01: per EVSE, the TxProfile of a RequestStartTransaction waiting for its transaction. */
  readonly #held = new Map<number, { remoteStartId: number; profile: ChargingProfile }>();

  constructor(opts: SmartChargingOptions) {
    this.#o = opts;
    this.#events = new Emitter<SmartChargingEvents>(opts.log);
  }

  on<K extends keyof SmartChargingEvents>(ev: K, fn: SmartChargingEvents[K]): () => void {
    return this.#events.on(ev, fn);
  }

  evseExists(evseId: number): boolean {
    return Number.isInteger(evseId) && evseId >= 0 && evseId <= this.#o.evseCount;
  }

  /** K01.FR.29: without SmartChargingCtrlr.Available the CALL is answered NotSupported (the handler's job). */
  get available(): boolean {
    return this.#o.settings().available;
  }

  installed(): InstalledProfile[] {
    return this.#o.store.all();
  }

  /** SmartChargingCtrlr.Enabled: libocpp looks at a RequestStartTransaction's chargingProfile only then. */
  get enabled(): boolean {
    return this.#o.settings().enabled;
  }

  /** K01: validate, replace the profile of the same id (K01.FR.05), store, then tell. */
  set(evseId: number, profile: ChargingProfile): SetResult {
    return this.#set(evseId, profile, (id) => this.#o.transactionOf(id)?.id);
  }

  /**
   * F01.FR.26: a RequestStartTransaction's chargingProfile checked before its transaction exists: a TxProfile
   * (libocpp: RequestStartTransactionNonTxProfile) that SetChargingProfile would accept for a transaction of that EVSE.
   * Accepted: it is held for the transaction the request starts (holdForRemoteStart) or installed for the one going on.
   */
  checkRemoteStartProfile(evseId: number, profile: ChargingProfile): SetResult {
    if (profile.chargingProfilePurpose !== 'TxProfile') {
      return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidValue', additionalInfo: 'RequestStartTransactionNonTxProfile' } };
    }
    // As if the transaction ran already: every other rule of K01 applies.
    const r = this.#validate(evseId, { ...profile, transactionId: PENDING_TX }, (id) => (id === evseId ? PENDING_TX : this.#o.transactionOf(id)?.id));
    return r.ok ? { status: 'Accepted' } : { status: 'Rejected', statusInfo: { reasonCode: r.reasonCode, additionalInfo: r.additionalInfo } };
  }

  /**
   * F01: the checked profile waits for the transaction the RequestStartTransaction starts (its TransactionEvent
   * carries transactionInfo.remoteStartId), one per EVSE: a later request for the same EVSE replaces it. Held in
   * memory only: a restart before the transaction starts drops it (the CSMS can SetChargingProfile then).
   */
  holdForRemoteStart(evseId: number, remoteStartId: number, profile: ChargingProfile): void {
    this.#held.set(evseId, { remoteStartId, profile });
    this.#o.log.info({ profile: profile.id, evse: evseId, remote_start_id: remoteStartId }, 'TxProfile of a RequestStartTransaction held for its transaction');
  }

  /** A TransactionEvent was made: the held TxProfile of its remoteStartId is installed for its transaction (F01). */
  transactionEvent(transactionId: string, remoteStartId: number | undefined, ended: boolean): void {
    if (remoteStartId === undefined) return;
    for (const [evseId, held] of this.#held) {
      if (held.remoteStartId !== remoteStartId) continue;
      this.#held.delete(evseId);
      if (ended) return;
      const r = this.set(evseId, { ...held.profile, transactionId });
      if (r.status === 'Rejected') {
        this.#o.log.warn({ profile: held.profile.id, evse: evseId, reason: r.statusInfo.reasonCode, info: r.statusInfo.additionalInfo },
          'the TxProfile of a RequestStartTransaction could not be installed for its transaction');
      }
      return;
    }
  }

  #set(evseId: number, profile: ChargingProfile, transactionIdOf: (evseId: number) => string | undefined): SetResult {
    // K01.FR.22: external constraints come from the station, never from the CSMS.
    if (profile.chargingProfilePurpose === 'ChargingStationExternalConstraints') {
      return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidValue', additionalInfo: 'ChargingStationExternalConstraintsInSetChargingProfileRequest' } };
    }
    const installed = this.#o.store.all();
    const result = this.#validate(evseId, profile, transactionIdOf, installed);
    if (!result.ok) {
      this.#o.log.info({ profile: profile.id, evse: evseId, reason: result.reasonCode, info: result.additionalInfo }, 'charging profile rejected');
      return { status: 'Rejected', statusInfo: { reasonCode: result.reasonCode, additionalInfo: result.additionalInfo } };
    }
    // K01.FR.05: the profile of the same id is replaced wherever it was (the store keys profiles by id).
    this.#o.store.put({ evseId, profile });
    this.#o.log.info({ profile: profile.id, evse: evseId, purpose: profile.chargingProfilePurpose, stack_level: profile.stackLevel }, 'charging profile installed');
    this.#changed(installed.length + (result.replaces === undefined ? 1 : 0));
    return { status: 'Accepted' };
  }

  #validate(evseId: number, profile: ChargingProfile, transactionIdOf: (evseId: number) => string | undefined, installed = this.#o.store.all()): ProfileValidation {
    const s = this.#o.settings();
    return validateProfile(profile, {
      evseId,
      evseExists: (id) => this.evseExists(id),
      transactionIdOf,
      limits: {
        profileStackLevel: s.profileStackLevel,
        periodsPerSchedule: s.periodsPerSchedule,
        rateUnits: s.rateUnits,
        ...(s.maxStackLevel !== undefined ? { maxStackLevel: s.maxStackLevel } : {}),
        ...(s.maxEntries !== undefined ? { entries: s.maxEntries } : {}),
        installed: installed.length,
        acPhaseSwitching: s.acPhaseSwitching,
      },
      installed,
      now: this.#o.now(),
    });
  }

  /** K10: by id (any purpose but external constraints), else by every criterion given, else all; true when any went. */
  clear(req: ClearCriteria): boolean {
    const all = this.#o.store.all();
    const c = req.chargingProfileCriteria;
    const ids = all.filter(({ evseId, profile: p }) => {
      if (req.chargingProfileId !== undefined) return p.id === req.chargingProfileId; // K10.FR.03, K10.FR.09
      if (p.chargingProfilePurpose === 'ChargingStationExternalConstraints') return false; // K10.FR.04
      if (c === undefined) return true;
      if (c.chargingProfilePurpose === undefined && c.evseId === undefined && c.stackLevel === undefined) return false;
      return (c.chargingProfilePurpose === undefined || p.chargingProfilePurpose === c.chargingProfilePurpose)
        && (c.stackLevel === undefined || p.stackLevel === c.stackLevel)
        && (c.evseId === undefined || evseId === c.evseId);
    }).map((p) => p.profile.id);
    if (ids.length === 0) return false;
    const n = this.#o.store.remove(ids);
    this.#o.log.info({ profiles: ids }, 'charging profiles cleared');
    this.#changed(all.length - n);
    return n > 0;
  }

  /** K09: the installed profiles matching the criteria, one report per EVSE in EVSE order (empty: NoProfiles). */
  get(c: GetCriteria): ProfileReport[] {
    const match = this.#o.store.all().filter(({ evseId, profile: p }) => {
      if (c.evseId !== undefined && evseId !== c.evseId) return false;
      // As libocpp: a list of ids decides alone (with the EVSE); else purpose, stack level and source.
      if (c.chargingProfileId !== undefined && c.chargingProfileId.length > 0) return c.chargingProfileId.includes(p.id);
      if (c.chargingProfilePurpose !== undefined && p.chargingProfilePurpose !== c.chargingProfilePurpose) return false;
      if (c.stackLevel !== undefined && p.stackLevel !== c.stackLevel) return false;
      if (c.chargingLimitSource !== undefined && c.chargingLimitSource.length > 0 && !c.chargingLimitSource.includes(CSO)) return false;
      return true;
    });
    const byEvse = new Map<number, ChargingProfile[]>();
    for (const { evseId, profile } of match) byEvse.set(evseId, [...(byEvse.get(evseId) ?? []), profile]);
    return [...byEvse.entries()].sort(([a], [b]) => a - b).map(([evseId, chargingProfile]) => ({ evseId, chargingLimitSource: CSO, chargingProfile }));
  }

  /**
   * K08: the composite schedule of an EVSE (0: the station) from now for durationS, in `unit` (default the first of
   * RateUnit, as libocpp); Rejected for an EVSE that does not exist or a unit RateUnit does not list.
   */
  composite(evseId: number, durationS: number, unit?: ChargingRateUnit, start: Date = this.#o.now()): CompositeResult {
    const s = this.#o.settings();
    const u = unit === undefined ? s.rateUnits[0] : s.rateUnits.includes(unit) ? unit : undefined;
    if (u === undefined) return { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRateUnit', additionalInfo: 'ChargingScheduleChargingRateUnitUnsupported' } };
    if (!this.evseExists(evseId)) return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEVSE', additionalInfo: 'EvseDoesNotExist' } };
    return { status: 'Accepted', schedule: this.compositeOf(evseId, durationS, u, start) };
  }

  /** The composite schedule itself, for an EVSE known to exist (the bus side's limits). */
  compositeOf(evseId: number, durationS: number, unit: ChargingRateUnit, start: Date = this.#o.now()): CompositeSchedule {
    const tx = evseId === 0 ? undefined : this.#o.transactionOf(evseId);
    const evses = [];
    // The station's schedule sums its EVSEs' (libocpp calculate_composite_schedule for evse 0).
    if (evseId === 0) {
      for (let id = 1; id <= this.#o.evseCount; id++) {
        const t = this.#o.transactionOf(id);
        evses.push(t ? { evseId: id, transaction: t } : { evseId: id });
      }
    }
    return compositeSchedule({
      evseId,
      profiles: this.#o.store.all(),
      start,
      durationS,
      unit,
      ...(tx ? { transaction: tx } : {}),
      ...(evseId === 0 ? { evses } : {}),
      voltage: this.#o.settings().supplyVoltage,
    });
  }

  /** The transaction ended (its TransactionEvent Ended was made): its TxProfiles go (libocpp delete_transaction_tx_profiles). */
  transactionEnded(transactionId: string): void {
    const ids = this.#o.store.all().filter((p) => p.profile.chargingProfilePurpose === 'TxProfile' && p.profile.transactionId === transactionId)
      .map((p) => p.profile.id);
    if (ids.length === 0) return;
    this.#o.store.remove(ids);
    this.#o.log.info({ profiles: ids }, 'TxProfiles of an ended transaction removed');
    this.#changed(this.#o.store.all().length);
  }

  /** At open: TxProfiles whose transaction is no longer running (it ended while no one listened) go. */
  dropStaleTxProfiles(): void {
    const stale = this.#o.store.all().filter(({ evseId, profile: p }) => p.chargingProfilePurpose === 'TxProfile'
      && this.#o.transactionOf(evseId)?.id !== p.transactionId);
    for (const id of new Set(stale.map((p) => p.profile.transactionId ?? ''))) this.transactionEnded(id);
  }

  #changed(entries: number): void {
    this.#o.reportEntries(entries);
    this.#events.emit('changed');
  }
}
