// SetChargingProfile validation (K01), pure: the caller gives what the station knows (ProfileContext) and
// gets Accepted (and which installed profile the new one replaces) or the reasonCode to reject with.
// Rules and reason codes as libocpp 2026.02.0 applies them (v2 SmartCharging::conform_and_validate_profile
// and profile_validation_result_to_reason_code), in its order; additionalInfo names the rule the way
// libocpp does (e.g. "TxProfileEvseHasNoActiveTransaction"). Checks libocpp lacks and TsOcpp adds, each
// from a SmartChargingCtrlr variable or the profile type's own rules: stack level range
// (ProfileStackLevel / ChargingProfileMaxStackLevel), PeriodsPerSchedule, Entries, Recurring without
// recurrencyKind, validFrom not before validTo, numberPhases outside 1..3.
import type { ChargingProfile, ChargingRateUnit, InstalledProfile } from './ocpp-types.js';

export interface ProfileContext {
  /** The evseId of the SetChargingProfileRequest (0: the station). */
  evseId: number;
  evseExists(id: number): boolean;
  /** The transaction running on that EVSE, if any. */
  transactionIdOf(evseId: number): string | undefined;
  limits: {
    /** SmartChargingCtrlr.ProfileStackLevel: the highest stackLevel accepted. */
    profileStackLevel: number;
    /** SmartChargingCtrlr.PeriodsPerSchedule: the most periods in one schedule. */
    periodsPerSchedule: number;
    /** SmartChargingCtrlr.RateUnit (ChargingScheduleChargingRateUnit). */
    rateUnits: ChargingRateUnit[];
    /** ChargingProfileMaxStackLevel, where set: the highest stackLevel is the lower of the two. */
    maxStackLevel?: number;
    /** SmartChargingCtrlr.Entries (maxLimit): the most profiles installed at once. */
    entries?: number;
    /** How many profiles are installed now. */
    installed: number;
    /** ChargingStationSupplyPhases: numberPhases above it is rejected (K01.FR.45). Default 3. */
    supplyPhases?: number;
    /** ACPhaseSwitchingSupported: phaseToUse is rejected without it (K01.FR.20). Default false. */
    acPhaseSwitching?: boolean;
  };
  /** Every installed profile, of every EVSE. */
  installed: InstalledProfile[];
  now: Date;
}

export type ProfileValidation =
  | {
      ok: true;
      /** K01.FR.05: an installed profile has this id (the new profile's): remove it, wherever it is, then install. */
      replaces?: number;
    }
  | { ok: false; reasonCode: string; additionalInfo: string };

const reject = (reasonCode: string, additionalInfo: string): ProfileValidation => ({ ok: false, reasonCode, additionalInfo });

const FAR_PAST = -8.64e15;
const FAR_FUTURE = 8.64e15;
/** Absent validFrom/validTo mean "always" (libocpp conform_validity_periods; K01.FR.10). */
const validity = (p: ChargingProfile): [number, number] => [
  p.validFrom === undefined ? FAR_PAST : Date.parse(p.validFrom),
  p.validTo === undefined ? FAR_FUTURE : Date.parse(p.validTo),
];

function validateSchedules(profile: ChargingProfile, ctx: ProfileContext): ProfileValidation | undefined {
  if (profile.chargingSchedule.length === 0) return reject('InvalidSchedule', 'ChargingProfileEmptyChargingSchedules');
  const supplyPhases = ctx.limits.supplyPhases ?? 3;
  for (const schedule of profile.chargingSchedule) {
    // K01.FR.26
    if (!ctx.limits.rateUnits.includes(schedule.chargingRateUnit)) {
      return reject('UnsupportedRateUnit', 'ChargingScheduleChargingRateUnitUnsupported');
    }
    const periods = schedule.chargingSchedulePeriod;
    if (periods.length === 0) return reject('InvalidSchedule', 'ChargingProfileNoChargingSchedulePeriods');
    // SmartChargingCtrlr.PeriodsPerSchedule
    if (periods.length > ctx.limits.periodsPerSchedule) return reject('InvalidSchedule', 'ChargingSchedulePeriodsExceedPeriodsPerSchedule');
    for (const [i, period] of periods.entries()) {
      // K01.FR.19 (phaseToUse only with one phase), K01.FR.20 (only with AC phase switching)
      if (period.phaseToUse !== undefined && period.numberPhases !== 1) return reject('InvalidSchedule', 'ChargingSchedulePeriodInvalidPhaseToUse');
      if (period.phaseToUse !== undefined && ctx.limits.acPhaseSwitching !== true) {
        return reject('InvalidSchedule', 'ChargingSchedulePeriodPhaseToUseACPhaseSwitchingUnsupported');
      }
      // K01.FR.31
      if (i === 0 && period.startPeriod !== 0) return reject('InvalidSchedule', 'ChargingProfileFirstStartScheduleIsNotZero');
      // K01.FR.35
      const next = periods[i + 1];
      if (next !== undefined && next.startPeriod <= period.startPeriod) return reject('InvalidSchedule', 'ChargingSchedulePeriodsOutOfOrder');
      // K01.FR.45: more phases than the station is supplied with is rejected, not trimmed
      if (period.numberPhases !== undefined && (period.numberPhases < 1 || period.numberPhases > supplyPhases)) {
        return reject('InvalidSchedule', 'ChargingSchedulePeriodUnsupportedNumberPhases');
      }
    }
    // K01.FR.40, K01.FR.41
    if (profile.chargingProfileKind !== 'Relative' && schedule.startSchedule === undefined) {
      return reject('InvalidSchedule', 'ChargingProfileMissingRequiredStartSchedule');
    }
    if (profile.chargingProfileKind === 'Relative' && schedule.startSchedule !== undefined) {
      return reject('InvalidSchedule', 'ChargingProfileExtraneousStartSchedule');
    }
  }
  // ChargingProfileType: recurrencyKind is required for Recurring (libocpp silently computes nothing).
  if (profile.chargingProfileKind === 'Recurring' && profile.recurrencyKind === undefined) {
    return reject('MissingParam', 'ChargingProfileMissingRecurrencyKind');
  }
  const [from, to] = validity(profile);
  if (from >= to) return reject('InvalidValue', 'ChargingProfileValidToNotAfterValidFrom');
  return undefined;
}

/** K01.FR.06: same purpose, stackLevel and EVSE with overlapping validity, under another id (not TxProfile). */
function overlaps(profile: ChargingProfile, ctx: ProfileContext): boolean {
  if (profile.chargingProfilePurpose === 'TxProfile') return false;
  const [from, to] = validity(profile);
  return ctx.installed.some(({ evseId, profile: other }) => {
    if (evseId !== ctx.evseId || other.id === profile.id) return false;
    if (other.chargingProfilePurpose !== profile.chargingProfilePurpose || other.stackLevel !== profile.stackLevel) return false;
    const [otherFrom, otherTo] = validity(other);
    return from <= otherTo && to >= otherFrom;
  });
}

function validatePurpose(profile: ChargingProfile, ctx: ProfileContext): ProfileValidation | undefined {
  const { evseId } = ctx;
  switch (profile.chargingProfilePurpose) {
    case 'ChargingStationMaxProfile':
      if (evseId > 0) return reject('InvalidValue', 'ChargingStationMaxProfileEvseIdGreaterThanZero');
      // K01.FR.38
      if (profile.chargingProfileKind === 'Relative') return reject('InvalidValue', 'ChargingStationMaxProfileCannotBeRelative');
      return undefined;
    case 'TxDefaultProfile': {
      // K01.FR.53: a station-wide and an EVSE TxDefaultProfile may not share a stackLevel.
      const clash = ctx.installed.some(
        (p) => p.profile.chargingProfilePurpose === 'TxDefaultProfile' && (evseId === 0 ? p.evseId !== 0 : p.evseId === 0)
          && p.profile.stackLevel === profile.stackLevel && p.profile.id !== profile.id,
      );
      return clash ? reject('DuplicateProfile', 'DuplicateTxDefaultProfileFound') : undefined;
    }
    case 'TxProfile': {
      // K01.FR.16
      if (evseId <= 0) return reject('InvalidValue', 'TxProfileEvseIdNotGreaterThanZero');
      // K01.FR.03
      if (profile.transactionId === undefined) return reject('MissingParam', 'TxProfileMissingTransactionId');
      const running = ctx.transactionIdOf(evseId);
      // K01.FR.09
      if (running === undefined) return reject('TxNotFound', 'TxProfileEvseHasNoActiveTransaction');
      // K01.FR.33
      if (running !== profile.transactionId) return reject('TxNotFound', 'TxProfileTransactionNotOnEvse');
      // K01.FR.39
      const clash = ctx.installed.some(
        (p) => p.profile.chargingProfilePurpose === 'TxProfile' && p.profile.transactionId === profile.transactionId
          && p.profile.stackLevel === profile.stackLevel && p.profile.id !== profile.id,
      );
      return clash ? reject('InvalidStackLevel', 'TxProfileConflictingStackLevel') : undefined;
    }
    case 'ChargingStationExternalConstraints':
      // libocpp accepts it from the CSMS too (only K01.FR.05 applies).
      return undefined;
  }
}

export function validateProfile(profile: ChargingProfile, ctx: ProfileContext): ProfileValidation {
  // K01.FR.28
  if (ctx.evseId !== 0 && !ctx.evseExists(ctx.evseId)) return reject('InvalidValue', 'EvseDoesNotExist');
  const sameId = ctx.installed.find((p) => p.profile.id === profile.id);
  // K01.FR.05: an external constraint is never replaced through SetChargingProfile.
  if (sameId?.profile.chargingProfilePurpose === 'ChargingStationExternalConstraints') {
    return reject('DuplicateProfile', 'ExistingChargingStationExternalConstraints');
  }
  const maxStack = Math.min(ctx.limits.profileStackLevel, ctx.limits.maxStackLevel ?? Infinity);
  if (!Number.isInteger(profile.stackLevel) || profile.stackLevel < 0 || profile.stackLevel > maxStack) {
    return reject('InvalidStackLevel', 'ChargingProfileStackLevelOutOfRange');
  }
  const failed = validateSchedules(profile, ctx)
    ?? (overlaps(profile, ctx) ? reject('DuplicateProfile', 'DuplicateProfileValidityPeriod') : undefined)
    ?? validatePurpose(profile, ctx);
  if (failed !== undefined) return failed;
  // SmartChargingCtrlr.Entries: a replacement takes no new place.
  if (sameId === undefined && ctx.limits.entries !== undefined && ctx.limits.installed >= ctx.limits.entries) {
    return reject('InvalidValue', 'ChargingProfileEntriesExceeded');
  }
  return sameId === undefined ? { ok: true } : { ok: true, replaces: profile.id };
}
