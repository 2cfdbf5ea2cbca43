// SetChargingProfile validation core (src/ocpp/smart-charging/validate-profile.ts): every K01 rule with
// the reasonCode libocpp 2026.02.0 answers (additionalInfo names the rule), plus the SmartChargingCtrlr
// limits TsOcpp adds. Pure: the station's state is a plain ProfileContext.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateProfile, type ProfileContext } from '../src/ocpp/smart-charging/validate-profile.js';
import type { ChargingProfile, InstalledProfile } from '../src/ocpp/smart-charging/ocpp-types.js';

function txDefault(id: number, stackLevel = 0, extra: Partial<ChargingProfile> = {}): ChargingProfile {
  return {
    id, stackLevel, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute',
    chargingSchedule: [{ id, chargingRateUnit: 'A', startSchedule: '2026-03-01T00:00:00Z', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }],
    ...extra,
  };
}

/** transactionId null: none. */
function txProfile(id: number, stackLevel = 0, transactionId: string | null = 'tx-1'): ChargingProfile {
  const p: ChargingProfile = {
    id, stackLevel, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative',
    chargingSchedule: [{ id, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] }],
  };
  if (transactionId !== null) p.transactionId = transactionId;
  return p;
}

/** EVSEs 1 and 2; transaction tx-1 runs on EVSE 1. */
function ctx(evseId: number, installed: InstalledProfile[] = [], limits: Partial<ProfileContext['limits']> = {}): ProfileContext {
  return {
    evseId,
    evseExists: (id) => id === 1 || id === 2,
    transactionIdOf: (id) => (id === 1 ? 'tx-1' : undefined),
    limits: { profileStackLevel: 10, periodsPerSchedule: 24, rateUnits: ['A', 'W'], entries: 5, installed: installed.length, ...limits },
    installed,
    now: new Date('2026-03-01T10:00:00Z'),
  };
}

const rejected = (reasonCode: string, additionalInfo: string) => ({ ok: false, reasonCode, additionalInfo });
const withSchedule = (p: ChargingProfile, change: Partial<ChargingProfile['chargingSchedule'][number]>): ChargingProfile => ({
  ...p, chargingSchedule: p.chargingSchedule.map((s) => ({ ...s, ...change })),
});

test('K01: a valid TxDefaultProfile at EVSE 0 or at an EVSE is accepted', () => {
  assert.equal(validateProfile(txDefault(1), ctx(0)), { ok: true });
  assert.equal(validateProfile(txDefault(1), ctx(2)), { ok: true });
});

test('K01.FR.05: the same id replaces the installed profile (replaces names it)', () => {
  const installed = [{ evseId: 1, profile: txDefault(7, 0) }];
  assert.equal(validateProfile(txDefault(7, 0), ctx(1, installed)), { ok: true, replaces: 7 });
  // Even at another EVSE: the id is what is replaced.
  assert.equal(validateProfile(txDefault(7, 3), ctx(2, installed)), { ok: true, replaces: 7 });
});

test('K01.FR.05: a ChargingStationExternalConstraints profile is not replaced (DuplicateProfile)', () => {
  const external: ChargingProfile = { ...txDefault(7), chargingProfilePurpose: 'ChargingStationExternalConstraints' };
  assert.equal(validateProfile(txDefault(7), ctx(1, [{ evseId: 1, profile: external }])), rejected('DuplicateProfile', 'ExistingChargingStationExternalConstraints'));
});

test('K01.FR.28: an EVSE that does not exist is InvalidValue', () => {
  assert.equal(validateProfile(txDefault(1), ctx(3)), rejected('InvalidValue', 'EvseDoesNotExist'));
});

test('K01 stack level: above ProfileStackLevel / ChargingProfileMaxStackLevel, or negative, is InvalidStackLevel', () => {
  assert.equal(validateProfile(txDefault(1, 10), ctx(1)), { ok: true });
  assert.equal(validateProfile(txDefault(1, 11), ctx(1)), rejected('InvalidStackLevel', 'ChargingProfileStackLevelOutOfRange'));
  assert.equal(validateProfile(txDefault(1, 4), ctx(1, [], { maxStackLevel: 3 })), rejected('InvalidStackLevel', 'ChargingProfileStackLevelOutOfRange'));
  assert.equal(validateProfile(txDefault(1, -1), ctx(1)), rejected('InvalidStackLevel', 'ChargingProfileStackLevelOutOfRange'));
});

test('K01.FR.26: a rate unit outside SmartChargingCtrlr.RateUnit is UnsupportedRateUnit', () => {
  assert.equal(validateProfile(withSchedule(txDefault(1), { chargingRateUnit: 'W' }), ctx(1, [], { rateUnits: ['A'] })),
    rejected('UnsupportedRateUnit', 'ChargingScheduleChargingRateUnitUnsupported'));
});

test('K01 schedules: none, no periods, or more than PeriodsPerSchedule is InvalidSchedule', () => {
  assert.equal(validateProfile({ ...txDefault(1), chargingSchedule: [] }, ctx(1)), rejected('InvalidSchedule', 'ChargingProfileEmptyChargingSchedules'));
  assert.equal(validateProfile(withSchedule(txDefault(1), { chargingSchedulePeriod: [] }), ctx(1)), rejected('InvalidSchedule', 'ChargingProfileNoChargingSchedulePeriods'));
  const three = [{ startPeriod: 0, limit: 16 }, { startPeriod: 60, limit: 10 }, { startPeriod: 120, limit: 6 }];
  assert.equal(validateProfile(withSchedule(txDefault(1), { chargingSchedulePeriod: three }), ctx(1, [], { periodsPerSchedule: 2 })),
    rejected('InvalidSchedule', 'ChargingSchedulePeriodsExceedPeriodsPerSchedule'));
});

test('K01.FR.31 and K01.FR.35: the first period starts at 0 and startPeriod increases', () => {
  assert.equal(validateProfile(withSchedule(txDefault(1), { chargingSchedulePeriod: [{ startPeriod: 60, limit: 16 }] }), ctx(1)),
    rejected('InvalidSchedule', 'ChargingProfileFirstStartScheduleIsNotZero'));
  assert.equal(validateProfile(withSchedule(txDefault(1), { chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }, { startPeriod: 600, limit: 10 }, { startPeriod: 600, limit: 6 }] }), ctx(1)),
    rejected('InvalidSchedule', 'ChargingSchedulePeriodsOutOfOrder'));
});

test('K01.FR.19, K01.FR.20, K01.FR.45: phaseToUse only with 1 phase and AC phase switching; numberPhases within the supply', () => {
  const period = (numberPhases: number, phaseToUse?: number) => withSchedule(txDefault(1), { chargingSchedulePeriod: [{ startPeriod: 0, limit: 16, numberPhases, ...(phaseToUse === undefined ? {} : { phaseToUse }) }] });
  assert.equal(validateProfile(period(3, 1), ctx(1, [], { acPhaseSwitching: true })), rejected('InvalidSchedule', 'ChargingSchedulePeriodInvalidPhaseToUse'));
  assert.equal(validateProfile(period(1, 2), ctx(1)), rejected('InvalidSchedule', 'ChargingSchedulePeriodPhaseToUseACPhaseSwitchingUnsupported'));
  assert.equal(validateProfile(period(1, 2), ctx(1, [], { acPhaseSwitching: true })), { ok: true });
  assert.equal(validateProfile(period(3), ctx(1, [], { supplyPhases: 1 })), rejected('InvalidSchedule', 'ChargingSchedulePeriodUnsupportedNumberPhases'));
  assert.equal(validateProfile(period(0), ctx(1)), rejected('InvalidSchedule', 'ChargingSchedulePeriodUnsupportedNumberPhases'));
});

test('K01.FR.40 and K01.FR.41: Absolute and Recurring need startSchedule, Relative has none', () => {
  assert.equal(validateProfile(withSchedule(txDefault(1), { startSchedule: undefined }), ctx(1)), rejected('InvalidSchedule', 'ChargingProfileMissingRequiredStartSchedule'));
  assert.equal(validateProfile(withSchedule({ ...txDefault(1), chargingProfileKind: 'Recurring', recurrencyKind: 'Daily' }, { startSchedule: undefined }), ctx(1)),
    rejected('InvalidSchedule', 'ChargingProfileMissingRequiredStartSchedule'));
  assert.equal(validateProfile({ ...txDefault(1), chargingProfileKind: 'Relative' }, ctx(1)), rejected('InvalidSchedule', 'ChargingProfileExtraneousStartSchedule'));
});

test('K01 Recurring: recurrencyKind is required (MissingParam)', () => {
  assert.equal(validateProfile({ ...txDefault(1), chargingProfileKind: 'Recurring' }, ctx(1)), rejected('MissingParam', 'ChargingProfileMissingRecurrencyKind'));
  assert.equal(validateProfile({ ...txDefault(1), chargingProfileKind: 'Recurring', recurrencyKind: 'Weekly' }, ctx(1)), { ok: true });
});

test('K01: validFrom must be before validTo (InvalidValue)', () => {
  assert.equal(validateProfile(txDefault(1, 0, { validFrom: '2026-03-02T00:00:00Z', validTo: '2026-03-01T00:00:00Z' }), ctx(1)),
    rejected('InvalidValue', 'ChargingProfileValidToNotAfterValidFrom'));
});

test('K01.FR.06: same purpose and stackLevel on the same EVSE with overlapping validity is DuplicateProfile', () => {
  const march = [{ evseId: 1, profile: txDefault(1, 2, { validFrom: '2026-03-01T00:00:00Z', validTo: '2026-04-01T00:00:00Z' }) }];
  assert.equal(validateProfile(txDefault(2, 2, { validFrom: '2026-03-15T00:00:00Z' }), ctx(1, march)), rejected('DuplicateProfile', 'DuplicateProfileValidityPeriod'));
  // No overlap (April), another stack level, or another EVSE: accepted.
  assert.equal(validateProfile(txDefault(2, 2, { validFrom: '2026-04-02T00:00:00Z' }), ctx(1, march)), { ok: true });
  assert.equal(validateProfile(txDefault(2, 3), ctx(1, march)), { ok: true });
  assert.equal(validateProfile(txDefault(2, 2), ctx(2, march)), { ok: true });
});

test('K01.FR.53: a station-wide and an EVSE TxDefaultProfile may not share a stackLevel', () => {
  assert.equal(validateProfile(txDefault(2, 1), ctx(0, [{ evseId: 2, profile: txDefault(1, 1) }])), rejected('DuplicateProfile', 'DuplicateTxDefaultProfileFound'));
  assert.equal(validateProfile(txDefault(2, 1), ctx(1, [{ evseId: 0, profile: txDefault(1, 1) }])), rejected('DuplicateProfile', 'DuplicateTxDefaultProfileFound'));
});

test('K01.FR.38: ChargingStationMaxProfile only at EVSE 0 and never Relative', () => {
  const max: ChargingProfile = { ...txDefault(1), chargingProfilePurpose: 'ChargingStationMaxProfile' };
  assert.equal(validateProfile(max, ctx(0)), { ok: true });
  assert.equal(validateProfile(max, ctx(1)), rejected('InvalidValue', 'ChargingStationMaxProfileEvseIdGreaterThanZero'));
  assert.equal(validateProfile(withSchedule({ ...max, chargingProfileKind: 'Relative' }, { startSchedule: undefined }), ctx(0)),
    rejected('InvalidValue', 'ChargingStationMaxProfileCannotBeRelative'));
});

test('K01.FR.16, FR.03, FR.09, FR.33: a TxProfile only for the transaction running on its EVSE', () => {
  assert.equal(validateProfile(txProfile(1), ctx(1)), { ok: true });
  assert.equal(validateProfile(txProfile(1), ctx(0)), rejected('InvalidValue', 'TxProfileEvseIdNotGreaterThanZero'));
  assert.equal(validateProfile(txProfile(1, 0, null), ctx(1)), rejected('MissingParam', 'TxProfileMissingTransactionId'));
  assert.equal(validateProfile(txProfile(1), ctx(2)), rejected('TxNotFound', 'TxProfileEvseHasNoActiveTransaction'));
  assert.equal(validateProfile(txProfile(1, 0, 'tx-9'), ctx(1)), rejected('TxNotFound', 'TxProfileTransactionNotOnEvse'));
});

test('K01.FR.39: a second TxProfile with the same transaction and stackLevel is InvalidStackLevel', () => {
  const installed = [{ evseId: 1, profile: txProfile(1, 2) }];
  assert.equal(validateProfile(txProfile(2, 2), ctx(1, installed)), rejected('InvalidStackLevel', 'TxProfileConflictingStackLevel'));
  assert.equal(validateProfile(txProfile(2, 3), ctx(1, installed)), { ok: true });
  assert.equal(validateProfile(txProfile(1, 2), ctx(1, installed)), { ok: true, replaces: 1 });
});

test('K01 SmartChargingCtrlr.Entries: full storage rejects a new profile, not a replacement', () => {
  const installed = [1, 2].map((id) => ({ evseId: 0, profile: txDefault(id, id) }));
  assert.equal(validateProfile(txDefault(3, 3), ctx(0, installed, { entries: 2 })), rejected('InvalidValue', 'ChargingProfileEntriesExceeded'));
  assert.equal(validateProfile(txDefault(2, 2), ctx(0, installed, { entries: 2 })), { ok: true, replaces: 2 });
});

test.run();
