// The composite schedule of one EVSE, or of the whole station at EVSE 0 (K08 GetCompositeSchedule, and
// the limits handed to EVerest): pure, no storage, no clock of its own. Computed the way libocpp 2026.02.0
// does it (lib/everest/ocpp, v2 profile.cpp and SmartCharging::calculate_composite_schedule):
//   1. Each profile becomes timed entries, one per schedule period and occurrence: Absolute from
//      startSchedule, Recurring Daily/Weekly at startSchedule's time of day/week (every occurrence from
//      the one in force at `start` to the end of the window), Relative from the transaction's start (or
//      from `start` when there is none). An entry ends at the next period, the schedule's duration, the
//      next occurrence or validTo, whichever is first; validFrom moves its start later.
//   2. Per purpose, at every instant the entry of the highest stackLevel in force wins (K01.FR.xx stack
//      levels); an instant no entry covers has no limit.
//   3. TxProfile over TxDefaultProfile wherever the TxProfile has a limit (K01 "TxProfile overrules").
//   4. The lowest of: ChargingStationExternalConstraints, the Tx result, ChargingStationMaxProfile
//      (EVSE 0 only, it caps every EVSE). A and W are kept apart until the end, then converted to the
//      requested unit with the period's numberPhases and the supply voltage (W = A x V x phases).
//   5. Where nothing limits, the default limit (CompositeScheduleDefaultLimitAmps/Watts: 48 A, 33120 W).
//   6. Equal adjacent periods are merged; startPeriod is seconds from `start` (floored to the second).
// For EVSE 0 libocpp sums the EVSEs' own results (each EVSE without a limit counts the default) and caps
// the sum with ChargingStationMaxProfile. All times are UTC instants: a Daily profile repeats every 86400 s
// from startSchedule, so at a DST change it keeps its UTC time and moves by an hour on the local clock,
// as in libocpp (K01: startSchedule is a UTC dateTime).
import type { ChargingProfile, ChargingProfilePurpose, ChargingRateUnit, ChargingSchedulePeriod, CompositeSchedule, InstalledProfile } from './ocpp-types.js';

/** libocpp's defaults (ocpp/common/constants.hpp); the device model can set others. */
export const DEFAULT_LIMIT_A = 48;
export const DEFAULT_LIMIT_W = 33120;
export const DEFAULT_NUMBER_PHASES = 3;
export const DEFAULT_VOLTAGE = 230;

export interface CompositeTransaction {
  id: string;
  startedAt: Date;
}

export interface CompositeInput {
  /** 0: the whole station. */
  evseId: number;
  /** Installed profiles; those of other EVSEs are ignored (EVSE 0's apply to every EVSE). */
  profiles: InstalledProfile[];
  start: Date;
  durationS: number;
  unit: ChargingRateUnit;
  /** The transaction running on evseId: TxProfiles of another transaction are ignored (K01.FR.09/33). */
  transaction?: CompositeTransaction;
  /** Phases assumed where a period gives no numberPhases (K01.FR.49; CompositeScheduleDefaultNumberPhases). Default 3. */
  phases?: number;
  /** Supply voltage for A <-> W (SupplyVoltage). Default 230. */
  voltage?: number;
  /** Where nothing limits (CompositeScheduleDefaultLimitAmps / ...Watts). Defaults 48 A, 33120 W. */
  defaultLimitA?: number;
  defaultLimitW?: number;
  /** For evseId 0: the station's EVSEs and their transactions. Absent: the EVSEs named in `profiles`. */
  evses?: { evseId: number; transaction?: CompositeTransaction }[];
  /** Count TxDefaultProfiles even when no transaction runs, as libocpp does for GetCompositeSchedule
   *  and for the limits it hands out. Default true. */
  simulateTransaction?: boolean;
}

/** A limit over time in seconds from the window start; undefined: no limit. A and W kept apart. */
interface Step {
  at: number;
  current?: number;
  power?: number;
  phases?: number;
}
type Steps = Step[];

interface Entry {
  start: number;
  end: number;
  stackLevel: number;
  unit: ChargingRateUnit;
  limit: number;
  phases: number;
}

const DAY_S = 86400;
const WEEK_S = 7 * DAY_S;

const epochS = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/** Where each occurrence of the profile's schedule starts (libocpp calculate_start). */
function occurrences(profile: ChargingProfile, nowS: number, endS: number, sessionStartS: number | undefined): number[] {
  const schedule = profile.chargingSchedule[0];
  if (schedule === undefined) return [];
  switch (profile.chargingProfileKind) {
    case 'Absolute': {
      const from = schedule.startSchedule ?? profile.validFrom;
      return [from === undefined ? nowS : epochS(from)];
    }
    case 'Recurring': {
      if (profile.recurrencyKind === undefined || schedule.startSchedule === undefined) return [];
      const every = profile.recurrencyKind === 'Daily' ? DAY_S : WEEK_S;
      // The occurrence in force at `now`, even when startSchedule lies in the future (libocpp does so;
      // validFrom is what holds a profile back).
      const back = (((nowS - epochS(schedule.startSchedule)) % every) + every) % every;
      const starts: number[] = [];
      for (let s = nowS - back; s <= endS; s += every) starts.push(s);
      return starts;
    }
    case 'Relative':
      return [sessionStartS ?? nowS];
  }
}

/** The profile's timed entries within [now, end] (libocpp calculate_profile_entry). */
function entriesOf(profile: ChargingProfile, nowS: number, endS: number, sessionStartS: number | undefined, phases: number): Entry[] {
  const schedule = profile.chargingSchedule[0];
  if (schedule === undefined) return [];
  const periods = schedule.chargingSchedulePeriod;
  const starts = occurrences(profile, nowS, endS, sessionStartS);
  const validFrom = profile.validFrom === undefined ? undefined : epochS(profile.validFrom);
  const validTo = profile.validTo === undefined ? undefined : epochS(profile.validTo);
  const out: Entry[] = [];
  periods.forEach((period, i) => {
    // A period out of order is skipped, as libocpp does for a stored profile (K01.FR.31, K01.FR.35).
    if (i === 0 && period.startPeriod !== 0) return;
    const previous = periods[i - 1];
    if (previous !== undefined && previous.startPeriod >= period.startPeriod) return;
    starts.forEach((occurrence, k) => {
      let duration = periods[i + 1]?.startPeriod ?? Infinity;
      if (schedule.duration !== undefined) duration = Math.min(duration, schedule.duration);
      const next = starts[k + 1];
      if (next !== undefined) duration = Math.min(duration, next - occurrence);
      if (validTo !== undefined) duration = Math.min(duration, validTo - occurrence);
      let start = occurrence + period.startPeriod;
      const end = occurrence + duration;
      if (validFrom !== undefined && validFrom > start) {
        if (validFrom >= end) return;
        start = validFrom;
      }
      if (end <= start || end <= nowS || start > endS) return;
      out.push({
        start, end, stackLevel: profile.stackLevel, unit: schedule.chargingRateUnit, limit: period.limit,
        phases: period.numberPhases ?? phases,
      });
    });
  });
  return out;
}

/** At every instant of [now, end) the entry of the highest stack level (libocpp generate_profile_from_periods). */
function highestStack(entries: Entry[], nowS: number, endS: number): Steps {
  if (entries.length === 0) return [{ at: 0 }];
  const bounds = new Set<number>([nowS]);
  for (const e of entries) {
    if (e.start > nowS && e.start < endS) bounds.add(e.start);
    if (e.end > nowS && e.end < endS) bounds.add(e.end);
  }
  const ordered = [...entries].sort((a, b) => b.stackLevel - a.stackLevel || a.start - b.start);
  return [...bounds].sort((a, b) => a - b).map((t) => {
    const chosen = ordered.find((e) => e.start <= t && e.end > t);
    if (chosen === undefined) return { at: t - nowS };
    return chosen.unit === 'A'
      ? { at: t - nowS, current: chosen.limit, phases: chosen.phases }
      : { at: t - nowS, power: chosen.limit, phases: chosen.phases };
  });
}

const sameStep = (a: Step, b: Step): boolean => a.current === b.current && a.power === b.power && a.phases === b.phases;

/** Walks several step lists together and combines what is in force at each boundary (libocpp combine_list_of_profiles). */
function combine(lists: Steps[], pick: (inForce: Step[]) => Omit<Step, 'at'>): Steps {
  const bounds = [...new Set(lists.flatMap((l) => l.map((s) => s.at)))].sort((a, b) => a - b);
  const out: Steps = [];
  for (const at of bounds) {
    const inForce = lists.map((l) => l.filter((s) => s.at <= at).at(-1)).filter((s): s is Step => s !== undefined);
    const step = { at, ...pick(inForce) };
    const last = out.at(-1);
    if (last === undefined || !sameStep(last, step)) out.push(step);
  }
  return out.length > 0 ? out : [{ at: 0 }];
}

const hasLimit = (s: Step): boolean => s.current !== undefined || s.power !== undefined;

/** TxProfile where it limits, TxDefaultProfile elsewhere (libocpp merge_tx_profile_with_tx_default_profile). */
const txOverDefault = (tx: Steps, txDefault: Steps): Steps =>
  combine([tx, txDefault], (inForce) => {
    const chosen = inForce.find(hasLimit);
    return chosen === undefined ? {} : { current: chosen.current, power: chosen.power, phases: chosen.phases };
  });

const minDefined = (values: (number | undefined)[]): number | undefined => {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length === 0 ? undefined : Math.min(...defined);
};

/** The lowest current and the lowest power in force, the fewest phases (libocpp merge_profiles_by_lowest_limit). */
const lowest = (lists: Steps[]): Steps =>
  combine(lists, (inForce) => ({
    current: minDefined(inForce.map((s) => s.current)),
    power: minDefined(inForce.map((s) => s.power)),
    phases: minDefined(inForce.map((s) => s.phases)),
  }));

/** The EVSEs' limits added up, the default for an EVSE without one (libocpp merge_profiles_by_summing_limits). */
const summed = (lists: Steps[], defaultA: number, defaultW: number): Steps =>
  combine(lists, (inForce) => {
    const phases = inForce.map((s) => s.phases).filter((p): p is number => p !== undefined);
    return {
      current: inForce.reduce((sum, s) => sum + (s.current ?? defaultA), 0),
      power: inForce.reduce((sum, s) => sum + (s.power ?? defaultW), 0),
      phases: phases.length === 0 ? undefined : Math.max(...phases),
    };
  });

interface Window {
  nowS: number;
  endS: number;
  phases: number;
}

function purposeSteps(profiles: ChargingProfile[], purpose: ChargingProfilePurpose, w: Window, sessionStartS: number | undefined): Steps {
  const entries = profiles
    .filter((p) => p.chargingProfilePurpose === purpose)
    .flatMap((p) => entriesOf(p, w.nowS, w.endS, sessionStartS, w.phases));
  return highestStack(entries, w.nowS, w.endS);
}

/** One EVSE's external constraints and Tx result (libocpp generate_evse_intermediates). */
function evseSteps(input: CompositeInput, evseId: number, transaction: CompositeTransaction | undefined, w: Window): Steps[] {
  const profiles = input.profiles
    .filter((p) => p.evseId === evseId || p.evseId === 0)
    .map((p) => p.profile)
    // A stored TxProfile counts only for the transaction now running there (libocpp re-validates it).
    .filter((p) => p.chargingProfilePurpose !== 'TxProfile' || (transaction !== undefined && p.transactionId === transaction.id));
  const sessionStartS = transaction === undefined ? undefined : Math.floor(transaction.startedAt.getTime() / 1000);
  const out = [purposeSteps(profiles, 'ChargingStationExternalConstraints', w, sessionStartS)];
  if (transaction !== undefined || (input.simulateTransaction ?? true)) {
    out.push(txOverDefault(purposeSteps(profiles, 'TxProfile', w, sessionStartS), purposeSteps(profiles, 'TxDefaultProfile', w, sessionStartS)));
  }
  return out;
}

function toPeriods(steps: Steps, unit: ChargingRateUnit, defaultLimit: number, w: Window, voltage: number): ChargingSchedulePeriod[] {
  const out: ChargingSchedulePeriod[] = [];
  for (const s of steps) {
    const n = s.phases ?? w.phases;
    let limit: number;
    if (!hasLimit(s)) limit = defaultLimit;
    else if (unit === 'A') limit = Math.min(s.current ?? Infinity, s.power === undefined ? Infinity : s.power / (voltage * n));
    else limit = Math.min(s.power ?? Infinity, s.current === undefined ? Infinity : s.current * voltage * n);
    const period: ChargingSchedulePeriod = { startPeriod: s.at, limit };
    if (s.phases !== undefined) period.numberPhases = s.phases;
    const last = out.at(-1);
    if (last === undefined || last.limit !== period.limit || last.numberPhases !== period.numberPhases) out.push(period);
  }
  return out;
}

export function compositeSchedule(input: CompositeInput): CompositeSchedule {
  const nowS = Math.floor(input.start.getTime() / 1000);
  const endS = Math.max(nowS, Math.floor((input.start.getTime() + input.durationS * 1000) / 1000));
  const w: Window = { nowS, endS, phases: input.phases ?? DEFAULT_NUMBER_PHASES };
  const defaultA = input.defaultLimitA ?? DEFAULT_LIMIT_A;
  const defaultW = input.defaultLimitW ?? DEFAULT_LIMIT_W;

  const lists: Steps[] = [];
  if (input.evseId === 0) {
    const named = [...new Set(input.profiles.map((p) => p.evseId).filter((id) => id > 0))].sort((a, b) => a - b);
    const evses: { evseId: number; transaction?: CompositeTransaction }[] = input.evses ?? named.map((evseId) => ({ evseId }));
    const perEvse = evses.map((e) => lowest(evseSteps(input, e.evseId, e.transaction, w)));
    if (perEvse.length > 0) lists.push(summed(perEvse, defaultA, defaultW));
  } else {
    lists.push(...evseSteps(input, input.evseId, input.transaction, w));
  }
  const stationWide = input.profiles.filter((p) => p.evseId === 0).map((p) => p.profile);
  lists.push(purposeSteps(stationWide, 'ChargingStationMaxProfile', w, undefined));

  return {
    evseId: input.evseId,
    duration: endS - nowS,
    scheduleStart: new Date(nowS * 1000).toISOString(),
    chargingRateUnit: input.unit,
    chargingSchedulePeriod: toPeriods(lowest(lists), input.unit, input.unit === 'A' ? defaultA : defaultW, w, input.voltage ?? DEFAULT_VOLTAGE),
  };
}
