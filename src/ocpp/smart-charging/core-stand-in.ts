// TEMPORARY: stands in for the pure core (validate-profile.ts and composite.ts, written on another branch) with
// the same signatures, so the room, the handlers and the bus side can be built and tested before it lands.
// Delete this file and point core.ts at the real files once they are merged.
import type { ChargingProfile, ChargingRateUnit, ChargingSchedulePeriod, CompositeSchedule, InstalledProfile } from './ocpp-types.js';

export interface ProfileContext {
  evseId: number;
  evseExists(id: number): boolean;
  transactionIdOf(evseId: number): string | undefined;
  limits: { profileStackLevel: number; periodsPerSchedule: number; rateUnits: readonly ChargingRateUnit[]; maxStackLevel?: number; entries?: number; installed: number };
  installed: InstalledProfile[];
  now: Date;
}

export type ValidationResult = { ok: true } | { ok: false; reasonCode: string; additionalInfo: string };

export function validateProfile(p: ChargingProfile, ctx: ProfileContext): ValidationResult {
  const no = (reasonCode: string, additionalInfo: string): ValidationResult => ({ ok: false, reasonCode, additionalInfo });
  if (!ctx.evseExists(ctx.evseId)) return no('UnknownEVSE', 'EvseDoesNotExist');
  if (p.stackLevel > ctx.limits.profileStackLevel) return no('InvalidStackLevel', 'ChargingProfileStackLevelTooHigh');
  if (p.chargingProfilePurpose === 'ChargingStationMaxProfile' && ctx.evseId !== 0) return no('InvalidValue', 'ChargingStationMaxProfileEvseIdGreaterThanZero');
  if (p.chargingProfilePurpose === 'TxProfile') {
    if (ctx.evseId === 0) return no('InvalidValue', 'TxProfileEvseIdNotGreaterThanZero');
    const tx = ctx.transactionIdOf(ctx.evseId);
    if (tx === undefined || tx !== p.transactionId) return no('TxNotFound', 'TxProfileTransactionNotOnEvse');
  }
  for (const s of p.chargingSchedule) {
    if (!ctx.limits.rateUnits.includes(s.chargingRateUnit)) return no('UnsupportedRateUnit', 'ChargingScheduleChargingRateUnitUnsupported');
    if (s.chargingSchedulePeriod.length > ctx.limits.periodsPerSchedule) return no('InvalidSchedule', 'ChargingProfileTooManyPeriods');
    if (s.chargingSchedulePeriod[0]?.startPeriod !== 0) return no('InvalidSchedule', 'ChargingProfileFirstStartScheduleIsNotZero');
    for (let i = 1; i < s.chargingSchedulePeriod.length; i++) {
      if (s.chargingSchedulePeriod[i]!.startPeriod <= s.chargingSchedulePeriod[i - 1]!.startPeriod) return no('InvalidSchedule', 'ChargingSchedulePeriodsOutOfOrder');
    }
  }
  return { ok: true };
}

export interface CompositeInput {
  evseId: number;
  profiles: InstalledProfile[];
  start: Date;
  durationS: number;
  unit: ChargingRateUnit;
  transaction?: { id: string; startedAt: Date };
  phases?: number;
  voltage?: number;
}

/** The schedule's start for instant t, or undefined when the profile does not apply then. */
function scheduleStart(p: ChargingProfile, t: number, tx: CompositeInput['transaction']): number | undefined {
  if (p.validFrom && Date.parse(p.validFrom) > t) return undefined;
  if (p.validTo && Date.parse(p.validTo) <= t) return undefined;
  const s = p.chargingSchedule[0];
  if (!s) return undefined;
  if (p.chargingProfileKind === 'Relative') return tx ? tx.startedAt.getTime() : undefined;
  const base = s.startSchedule ? Date.parse(s.startSchedule) : t;
  if (p.chargingProfileKind === 'Absolute') return base;
  const period = p.recurrencyKind === 'Weekly' ? 7 * 86400_000 : 86400_000;
  return base + Math.floor((t - base) / period) * period;
}

function limitAt(ip: InstalledProfile, t: number, input: CompositeInput): { limit: number; unit: ChargingRateUnit; phases: number | undefined } | undefined {
  const start = scheduleStart(ip.profile, t, input.transaction);
  const s = ip.profile.chargingSchedule[0];
  if (start === undefined || !s || t < start) return undefined;
  const off = (t - start) / 1000;
  if (s.duration !== undefined && off >= s.duration) return undefined;
  let cur: ChargingSchedulePeriod | undefined;
  for (const per of s.chargingSchedulePeriod) if (per.startPeriod <= off) cur = per;
  return cur ? { limit: cur.limit, unit: s.chargingRateUnit, phases: cur.numberPhases } : undefined;
}

export function compositeSchedule(input: CompositeInput): CompositeSchedule {
  const t0 = input.start.getTime();
  const end = t0 + input.durationS * 1000;
  const voltage = input.voltage ?? 230;
  const toUnit = (l: { limit: number; unit: ChargingRateUnit; phases: number | undefined }): number => {
    if (l.unit === input.unit) return l.limit;
    const n = l.phases ?? input.phases ?? 3;
    return input.unit === 'A' ? l.limit / (voltage * n) : l.limit * voltage * n;
  };
  const mine = input.profiles.filter((p) => p.evseId === input.evseId || p.evseId === 0);
  const valueAt = (t: number): number | undefined => {
    const top = (purpose: string, evse?: number): number | undefined => {
      let best: { level: number; v: number } | undefined;
      for (const ip of mine) {
        if (ip.profile.chargingProfilePurpose !== purpose || (evse !== undefined && ip.evseId !== evse)) continue;
        if (purpose === 'TxProfile' && ip.profile.transactionId !== input.transaction?.id) continue;
        const l = limitAt(ip, t, input);
        if (l && (!best || ip.profile.stackLevel > best.level)) best = { level: ip.profile.stackLevel, v: toUnit(l) };
      }
      return best?.v;
    };
    const tx = input.evseId === 0 ? undefined : input.transaction ? top('TxProfile') : undefined;
    const txDefault = top('TxDefaultProfile', input.evseId) ?? (input.evseId === 0 ? undefined : top('TxDefaultProfile', 0));
    const max = top('ChargingStationMaxProfile');
    const vals = [tx ?? txDefault, max].filter((v): v is number => v !== undefined);
    return vals.length ? Math.min(...vals) : undefined;
  };
  // Boundaries: every second would be exact but slow; minutes suffice for the stand-in's tests.
  const periods: ChargingSchedulePeriod[] = [];
  let last: number | undefined | null = null;
  for (let t = t0; t < end; t += 1000) {
    const v = valueAt(t);
    if (v !== last && v !== undefined) periods.push({ startPeriod: Math.round((t - t0) / 1000), limit: Math.round(v * 10) / 10 });
    last = v;
  }
  return { evseId: input.evseId, duration: input.durationS, scheduleStart: input.start.toISOString(), chargingRateUnit: input.unit, chargingSchedulePeriod: periods };
}
