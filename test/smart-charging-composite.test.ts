// The composite schedule core (src/ocpp/smart-charging/composite.ts) against hand-worked cases: K08
// GetCompositeSchedule as libocpp 2026.02.0 computes it (stack levels per purpose, TxProfile over
// TxDefaultProfile, the lowest of external constraints / Tx / ChargingStationMaxProfile, A <-> W,
// recurring profiles anchored in UTC, the station sum at EVSE 0). Pure functions: no clock, no storage.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compositeSchedule, type CompositeInput } from '../src/ocpp/smart-charging/composite.js';
import type { ChargingProfile, ChargingProfilePurpose, ChargingSchedulePeriod, InstalledProfile } from '../src/ocpp/smart-charging/ocpp-types.js';

type Extra = Partial<Omit<ChargingProfile, 'chargingSchedule'>> & { startSchedule?: string; duration?: number };

function profile(evseId: number, id: number, stackLevel: number, purpose: ChargingProfilePurpose, unit: 'A' | 'W',
  periods: [number, number, number?][], extra: Extra = {}): InstalledProfile {
  const { startSchedule, duration, ...rest } = extra;
  const kind = rest.chargingProfileKind ?? (startSchedule === undefined ? 'Relative' : 'Absolute');
  return {
    evseId,
    profile: {
      id, stackLevel, chargingProfilePurpose: purpose, chargingProfileKind: kind, ...rest,
      chargingSchedule: [{
        id, chargingRateUnit: unit, startSchedule, duration,
        chargingSchedulePeriod: periods.map(([startPeriod, limit, numberPhases]) => (numberPhases === undefined ? { startPeriod, limit } : { startPeriod, limit, numberPhases })),
      }],
    },
  };
}

/** [startPeriod, limit, numberPhases?] of the result, limits rounded to 0.01. */
function periodsOf(input: CompositeInput): [number, number, number?][] {
  return compositeSchedule(input).chargingSchedulePeriod.map((p: ChargingSchedulePeriod) => {
    const limit = Math.round(p.limit * 100) / 100;
    return p.numberPhases === undefined ? [p.startPeriod, limit] : [p.startPeriod, limit, p.numberPhases];
  });
}

const T = (iso: string): Date => new Date(iso);

test('K08: no profile anywhere gives the default limit, 48 A or 33120 W, over the whole window', () => {
  const s = compositeSchedule({ evseId: 1, profiles: [], start: T('2026-03-01T10:00:00.700Z'), durationS: 3600, unit: 'A' });
  // scheduleStart is floored to the second, as libocpp does.
  assert.equal(s, { evseId: 1, duration: 3600, scheduleStart: '2026-03-01T10:00:00.000Z', chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 48 }] });
  assert.equal(periodsOf({ evseId: 1, profiles: [], start: T('2026-03-01T10:00:00Z'), durationS: 60, unit: 'W' }), [[0, 33120]]);
});

test('K08 stack levels: the higher stackLevel of one purpose wins while it is valid, the lower shows around it', () => {
  // Stack 0: 16 A from midnight, forever. Stack 1: 10 A from 10:30 for 3600 s.
  // Window 10:00 + 2 h: 10:00-10:30 16 A (0 s), 10:30-11:30 10 A (1800 s), 11:30-12:00 16 A (5400 s).
  // Absent numberPhases is 3 (K01.FR.49), and the composite says so.
  const profiles = [
    profile(1, 1, 0, 'TxDefaultProfile', 'A', [[0, 16]], { startSchedule: '2026-03-01T00:00:00Z' }),
    profile(1, 2, 1, 'TxDefaultProfile', 'A', [[0, 10]], { startSchedule: '2026-03-01T10:30:00Z', duration: 3600 }),
  ];
  assert.equal(periodsOf({ evseId: 1, profiles, start: T('2026-03-01T10:00:00Z'), durationS: 7200, unit: 'A' }), [[0, 16, 3], [1800, 10, 3], [5400, 16, 3]]);
});

test('K08: a TxProfile of the running transaction overrules the TxDefaultProfile, even above it', () => {
  // TxDefault 16 A. TxProfile (Relative, from the transaction start 09:55): 6 A for 600 s, then 20 A, duration 1200 s.
  // 09:55-10:05 6 A, 10:05-10:15 20 A (higher than TxDefault: the TxProfile still wins), then TxDefault 16 A.
  // Window 10:00 + 1 h: 0 s 6 A, 300 s 20 A, 900 s 16 A.
  const profiles = [
    profile(0, 1, 0, 'TxDefaultProfile', 'A', [[0, 16]], { startSchedule: '2026-03-01T00:00:00Z' }),
    profile(1, 2, 0, 'TxProfile', 'A', [[0, 6], [600, 20]], { transactionId: 'tx-1', duration: 1200 }),
  ];
  const base = { evseId: 1, profiles, start: T('2026-03-01T10:00:00Z'), durationS: 3600, unit: 'A' as const };
  assert.equal(periodsOf({ ...base, transaction: { id: 'tx-1', startedAt: T('2026-03-01T09:55:00Z') } }), [[0, 6, 3], [300, 20, 3], [900, 16, 3]]);
  // K01.FR.33: a TxProfile of another transaction does not count.
  assert.equal(periodsOf({ ...base, transaction: { id: 'tx-2', startedAt: T('2026-03-01T09:55:00Z') } }), [[0, 16, 3]]);
});

test('K08: a Relative profile starts at the transaction start, or at the window start when none runs', () => {
  // Relative TxDefault: 6 A for 600 s, then 16 A. No transaction: from 10:00 -> 0 s 6 A, 600 s 16 A.
  // Transaction from 09:55: 6 A until 10:05 -> 0 s 6 A, 300 s 16 A.
  const profiles = [profile(1, 1, 0, 'TxDefaultProfile', 'A', [[0, 6], [600, 16]])];
  const base = { evseId: 1, profiles, start: T('2026-03-01T10:00:00Z'), durationS: 3600, unit: 'A' as const };
  assert.equal(periodsOf(base), [[0, 6, 3], [600, 16, 3]]);
  assert.equal(periodsOf({ ...base, transaction: { id: 'tx-1', startedAt: T('2026-03-01T09:55:00Z') } }), [[0, 6, 3], [300, 16, 3]]);
});

test('K08: the ChargingStationMaxProfile at EVSE 0 caps every EVSE, converted with phases and voltage', () => {
  // TxDefault 32 A (3 phases) and a station maximum of 11000 W (3 phases).
  // In A: min(32, 11000 / (230 x 3) = 15.942) = 15.94. In W: min(11000, 32 x 230 x 3 = 22080) = 11000.
  const profiles = [
    profile(0, 1, 0, 'ChargingStationMaxProfile', 'W', [[0, 11000]], { startSchedule: '2026-03-01T00:00:00Z' }),
    profile(0, 2, 0, 'TxDefaultProfile', 'A', [[0, 32]], { startSchedule: '2026-03-01T00:00:00Z' }),
  ];
  for (const evseId of [1, 2]) {
    assert.equal(periodsOf({ evseId, profiles, start: T('2026-03-01T10:00:00Z'), durationS: 600, unit: 'A' }), [[0, 15.94, 3]]);
    assert.equal(periodsOf({ evseId, profiles, start: T('2026-03-01T10:00:00Z'), durationS: 600, unit: 'W' }), [[0, 11000, 3]]);
  }
});

test('K08: external constraints cap the Tx result; the lowest limit wins per period', () => {
  // TxDefault 16 A; external constraints 8 A at EVSE 1 from 10:10 for 600 s.
  // Window 10:00 + 30 min: 0 s 16 A, 600 s 8 A, 1200 s 16 A. EVSE 2 is not affected.
  const profiles = [
    profile(0, 1, 0, 'TxDefaultProfile', 'A', [[0, 16]], { startSchedule: '2026-03-01T00:00:00Z' }),
    profile(1, 2, 0, 'ChargingStationExternalConstraints', 'A', [[0, 8]], { startSchedule: '2026-03-01T10:10:00Z', duration: 600 }),
  ];
  assert.equal(periodsOf({ evseId: 1, profiles, start: T('2026-03-01T10:00:00Z'), durationS: 1800, unit: 'A' }), [[0, 16, 3], [600, 8, 3], [1200, 16, 3]]);
  assert.equal(periodsOf({ evseId: 2, profiles, start: T('2026-03-01T10:00:00Z'), durationS: 1800, unit: 'A' }), [[0, 16, 3]]);
});

test('K08 A/W conversion: numberPhases of the period, 3 when absent, and the supply voltage', () => {
  const at = { start: T('2026-03-01T10:00:00Z'), durationS: 60 };
  const abs = { startSchedule: '2026-03-01T00:00:00Z' };
  // 3680 W on 1 phase -> 3680 / (230 x 1) = 16 A.
  assert.equal(periodsOf({ evseId: 1, profiles: [profile(1, 1, 0, 'TxDefaultProfile', 'W', [[0, 3680, 1]], abs)], ...at, unit: 'A' }), [[0, 16, 1]]);
  // 11040 W, numberPhases absent (3) -> 11040 / 690 = 16 A.
  assert.equal(periodsOf({ evseId: 1, profiles: [profile(1, 1, 0, 'TxDefaultProfile', 'W', [[0, 11040]], abs)], ...at, unit: 'A' }), [[0, 16, 3]]);
  // 16 A on 1 phase -> 16 x 230 = 3680 W; 16 A on 3 phases at 240 V -> 16 x 240 x 3 = 11520 W.
  assert.equal(periodsOf({ evseId: 1, profiles: [profile(1, 1, 0, 'TxDefaultProfile', 'A', [[0, 16, 1]], abs)], ...at, unit: 'W' }), [[0, 3680, 1]]);
  assert.equal(periodsOf({ evseId: 1, profiles: [profile(1, 1, 0, 'TxDefaultProfile', 'A', [[0, 16]], abs)], ...at, unit: 'W', voltage: 240 }), [[0, 11520, 3]]);
});

test('K08 recurring Daily across midnight: repeated every 86400 s from startSchedule', () => {
  // Daily from 22:00 UTC: 10 A for 2 h (22:00-00:00), then 32 A until the next occurrence.
  // Window 2026-03-01T21:00Z + 4 h: the occurrence of 28 Feb 22:00 gives 32 A until 1 Mar 22:00 (0 s);
  // the one of 1 Mar 22:00 gives 10 A (3600 s) and 32 A from 2 Mar 00:00 (10800 s).
  const profiles = [profile(1, 1, 0, 'TxDefaultProfile', 'A', [[0, 10], [7200, 32]],
    { chargingProfileKind: 'Recurring', recurrencyKind: 'Daily', startSchedule: '2026-01-01T22:00:00Z' })];
  assert.equal(periodsOf({ evseId: 1, profiles, start: T('2026-03-01T21:00:00Z'), durationS: 14400, unit: 'A' }), [[0, 32, 3], [3600, 10, 3], [10800, 32, 3]]);
});

test('K08 recurring Weekly across midnight: Sunday 23:00 to Monday 01:00 over a lower stack level', () => {
  // 2026-01-04 and 2026-03-08 are Sundays. Weekly stack 1: 6 A for 7200 s from Sunday 23:00 UTC.
  // Stack 0: 16 A always. Window Sunday 8 Mar 22:00 + 4 h: 0 s 16 A, 3600 s (23:00) 6 A, 10800 s (Mon 01:00) 16 A.
  const profiles = [
    profile(1, 1, 0, 'TxDefaultProfile', 'A', [[0, 16]], { startSchedule: '2026-01-01T00:00:00Z' }),
    profile(1, 2, 1, 'TxDefaultProfile', 'A', [[0, 6]], { chargingProfileKind: 'Recurring', recurrencyKind: 'Weekly', startSchedule: '2026-01-04T23:00:00Z', duration: 7200 }),
  ];
  assert.equal(periodsOf({ evseId: 1, profiles, start: T('2026-03-08T22:00:00Z'), durationS: 14400, unit: 'A' }), [[0, 16, 3], [3600, 6, 3], [10800, 16, 3]]);
  // The week before has no occurrence in a Wednesday window.
  assert.equal(periodsOf({ evseId: 1, profiles, start: T('2026-03-04T22:00:00Z'), durationS: 14400, unit: 'A' }), [[0, 16, 3]]);
});

test('K08 recurring Daily across a DST change: anchored in UTC, so the local hour moves (as libocpp)', () => {
  // Daily from 07:00 UTC (08:00 CET): 16 A for 11 h, then 10 A. Europe moves to CEST on 29 Mar 2026.
  // 28 Mar 06:00Z + 2 h: 10 A, then 16 A at 3600 s (07:00Z = 08:00 CET).
  // 29 Mar 06:00Z + 2 h: the same 3600 s (07:00Z), which is now 09:00 CEST on the local clock.
  const profiles = [profile(1, 1, 0, 'TxDefaultProfile', 'A', [[0, 16], [39600, 10]],
    { chargingProfileKind: 'Recurring', recurrencyKind: 'Daily', startSchedule: '2026-03-01T07:00:00Z' })];
  for (const day of ['2026-03-28', '2026-03-29']) {
    assert.equal(periodsOf({ evseId: 1, profiles, start: T(`${day}T06:00:00Z`), durationS: 7200, unit: 'A' }), [[0, 10, 3], [3600, 16, 3]], day);
  }
});

test('K08 validFrom/validTo: they cut a profile out of the window and the lower stack level shows', () => {
  // Stack 0 16 A always; stack 1 10 A always but valid only 10:15-10:45.
  // Window 10:00 + 1 h: 0 s 16 A, 900 s 10 A, 2700 s 16 A.
  const profiles = [
    profile(1, 1, 0, 'TxDefaultProfile', 'A', [[0, 16]], { startSchedule: '2026-03-01T00:00:00Z' }),
    profile(1, 2, 1, 'TxDefaultProfile', 'A', [[0, 10]], { startSchedule: '2026-03-01T00:00:00Z', validFrom: '2026-03-01T10:15:00Z', validTo: '2026-03-01T10:45:00Z' }),
  ];
  assert.equal(periodsOf({ evseId: 1, profiles, start: T('2026-03-01T10:00:00Z'), durationS: 3600, unit: 'A' }), [[0, 16, 3], [900, 10, 3], [2700, 16, 3]]);
});

test('K08: a schedule\'s duration ends it, and the default limit follows (no period of its own)', () => {
  // 10 A from 10:00 for 1800 s, nothing else: 0 s 10 A (3 phases), 1800 s the default 48 A (no phases).
  const profiles = [profile(1, 1, 0, 'TxDefaultProfile', 'A', [[0, 10]], { startSchedule: '2026-03-01T10:00:00Z', duration: 1800 })];
  assert.equal(periodsOf({ evseId: 1, profiles, start: T('2026-03-01T10:00:00Z'), durationS: 3600, unit: 'A' }), [[0, 10, 3], [1800, 48]]);
});

test('K08: adjacent equal periods are merged into one', () => {
  // Periods 16 A, 16 A, 10 A -> 0 s 16 A, 1200 s 10 A.
  const profiles = [profile(1, 1, 0, 'TxDefaultProfile', 'A', [[0, 16], [600, 16], [1200, 10]], { startSchedule: '2026-03-01T10:00:00Z' })];
  assert.equal(periodsOf({ evseId: 1, profiles, start: T('2026-03-01T10:00:00Z'), durationS: 3600, unit: 'A' }), [[0, 16, 3], [1200, 10, 3]]);
});

test('K08 at EVSE 0: the EVSEs\' limits add up (the default for an EVSE without one), capped by the station maximum', () => {
  const abs = { startSchedule: '2026-03-01T00:00:00Z' };
  const at = { evseId: 0, start: T('2026-03-01T10:00:00Z'), durationS: 600, unit: 'A' as const, evses: [{ evseId: 1 }, { evseId: 2 }] };
  // Station-wide TxDefault 16 A on two EVSEs: 16 + 16 = 32 A, under a 40 A maximum: 32 A.
  const txDefault = profile(0, 1, 0, 'TxDefaultProfile', 'A', [[0, 16]], abs);
  assert.equal(periodsOf({ ...at, profiles: [txDefault, profile(0, 2, 0, 'ChargingStationMaxProfile', 'A', [[0, 40]], abs)] }), [[0, 32, 3]]);
  // Under a 24 A maximum: 24 A.
  assert.equal(periodsOf({ ...at, profiles: [txDefault, profile(0, 2, 0, 'ChargingStationMaxProfile', 'A', [[0, 24]], abs)] }), [[0, 24, 3]]);
  // 10 A on EVSE 1 only: 10 + 48 (EVSE 2's default) = 58 A; power 33120 x 2 = 66240 W = 96 A, so 58 A.
  assert.equal(periodsOf({ ...at, profiles: [profile(1, 3, 0, 'TxDefaultProfile', 'A', [[0, 10]], abs)] }), [[0, 58, 3]]);
});
test.run();
