// The composite schedule core (src/ocpp/smart-charging/composite.ts) against the cases of everest-core 2026.02.0's own
// libocpp tests (lib/everest/ocpp/tests/lib/ocpp/v2/test_composite_schedule.cpp and its JSON profiles): the inputs
// (profiles, window, unit, phases) and the expected periods are restated here in our own terms; the code is ours.
// Their fixture sets CompositeScheduleDefaultLimitAmps 57 and ...Watts 55612, so these cases do too. Where ours
// differs from theirs, the test says which is right by OCPP 2.0.1 and why.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compositeSchedule, type CompositeInput } from '../src/ocpp/smart-charging/composite.js';
import type { ChargingProfile, ChargingProfilePurpose, ChargingSchedulePeriod, InstalledProfile } from '../src/ocpp/smart-charging/ocpp-types.js';

type Extra = Partial<Omit<ChargingProfile, 'chargingSchedule'>> & { startSchedule?: string; duration?: number };
type P = [number, number, number?];

function profile(evseId: number, id: number, stackLevel: number, purpose: ChargingProfilePurpose, unit: 'A' | 'W', periods: P[], extra: Extra = {}): InstalledProfile {
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

const TX = 'f1522902-1170-416f-8e43-9e3bce28fde7';
const DEFAULTS = { defaultLimitA: 57, defaultLimitW: 55612 };

/** Seconds between two ISO instants (the window). */
const span = (from: string, to: string): number => (Date.parse(to) - Date.parse(from)) / 1000;

function periodsOf(input: Omit<CompositeInput, 'defaultLimitA' | 'defaultLimitW'>): P[] {
  return compositeSchedule({ ...DEFAULTS, ...input }).chargingSchedulePeriod.map((p: ChargingSchedulePeriod) => {
    const limit = Math.round(p.limit * 100) / 100;
    return p.numberPhases === undefined ? [p.startPeriod, limit] : [p.startPeriod, limit, p.numberPhases];
  });
}

/** A window [from, to) of EVSE 1 with the transaction TX running since `txStart` (default: from). */
function evse1(profiles: InstalledProfile[], from: string, to: string, unit: 'A' | 'W', txStart = from): P[] {
  return periodsOf({ evseId: 1, profiles, start: new Date(from), durationS: span(from, to), unit, transaction: { id: TX, startedAt: new Date(txStart) } });
}

// Their "grid hourly" TxProfile: Recurring Daily from 2024-01-17 00:00 UTC, stack 0, in W on one phase, limit h+1
// in hour h of the day (1 W at 00:00 ... 24 W at 23:00).
const gridHourly = profile(1, 24, 0, 'TxProfile', 'W', Array.from({ length: 24 }, (_, h): P => [h * 3600, h + 1, 1]),
  { chargingProfileKind: 'Recurring', recurrencyKind: 'Daily', startSchedule: '2024-01-17T00:00:00.000Z', duration: 86400, transactionId: TX });
// A TxProfile of stack 1 over it: 2000 W on one phase from 2024-01-17 18:04 for 1080 s (to 18:22).
const single = (kind: 'Absolute' | 'Recurring'): InstalledProfile => profile(1, 2000, 1, 'TxProfile', 'W', [[0, 2000, 1]], {
  chargingProfileKind: kind, ...(kind === 'Recurring' ? { recurrencyKind: 'Daily' as const } : {}),
  startSchedule: '2024-01-17T18:04:00.000Z', duration: 1080, transactionId: TX,
});

test('K08 stack levels (libocpp LayeredTest_SameStartTime): an Absolute stack 1 over a Daily stack 0 shows only on its own day and for its duration', () => {
  const profiles = [gridHourly, single('Absolute')];
  // The next day: only the recurring profile, 19 W in the 18:00 hour.
  assert.equal(evse1(profiles, '2024-01-18T18:04:00Z', '2024-01-18T18:22:00Z', 'W'), [[0, 19, 1]]);
  // Its day: 2000 W until 18:22 (1080 s), then the 18:00 hour's 19 W.
  assert.equal(evse1(profiles, '2024-01-17T18:04:00Z', '2024-01-17T18:33:00Z', 'W'), [[0, 2000, 1], [1080, 19, 1]]);
  // And past 19:00 the next hour's 20 W (3360 s after 18:04).
  assert.equal(evse1(profiles, '2024-01-17T18:04:00Z', '2024-01-17T19:04:00Z', 'W'), [[0, 2000, 1], [1080, 19, 1], [3360, 20, 1]]);
});

test('K08 recurring (libocpp LayeredRecurringTest_FutureStartTime / _PreviousStartTime): a Daily stack 1 repeats at 18:04 every day, a month later too', () => {
  const profiles = [gridHourly, single('Recurring')];
  assert.equal(evse1(profiles, '2024-02-17T18:04:00Z', '2024-02-17T18:05:00Z', 'W'), [[0, 2000, 1]]);
  // From 18:00: 19 W, at 18:04 (240 s) 2000 W for 1080 s, back to 19 W at 1320 s, 20 W from 19:00 (3600 s).
  assert.equal(evse1(profiles, '2024-02-19T18:00:00Z', '2024-02-19T19:04:00Z', 'W'), [[0, 19, 1], [240, 2000, 1], [1320, 19, 1], [3600, 20, 1]]);
});

test('K08 validity (libocpp LayeredTest_PreviousStartTime): before an Absolute profile starts nothing limits: the default limit, without numberPhases', () => {
  assert.equal(evse1([single('Absolute')], '2024-01-17T18:00:00Z', '2024-01-17T18:05:00Z', 'W'), [[0, 55612], [240, 2000, 1]]);
});

test('K08 relative (libocpp RelativeProfile_e2e): a Relative TxProfile runs from the transaction start for its duration, then the Daily one shows', () => {
  const relative = profile(1, 66, 1, 'TxProfile', 'W', [[0, 2000, 1]], { chargingProfileKind: 'Relative', duration: 3601, transactionId: TX });
  // Transaction from 05:00: 2000 W for 3601 s, then at 06:00:01 the 06:00 hour's 7 W.
  assert.equal(evse1([gridHourly, relative], '2024-05-17T05:00:00Z', '2024-05-17T06:01:00Z', 'W'), [[0, 2000, 1], [3601, 7, 1]]);
  assert.equal(evse1([gridHourly, relative], '2024-05-17T05:00:00Z', '2024-05-17T06:00:00Z', 'W'), [[0, 2000, 1]]);
});

// Their station maximum: Recurring Daily from 2024-01-17 00:00, W on one phase, 10 W x (h+1) in hour h.
const stationMaxHourly = profile(0, 24, 0, 'ChargingStationMaxProfile', 'W', Array.from({ length: 24 }, (_, h): P => [h * 3600, (h + 1) * 10, 1]),
  { chargingProfileKind: 'Recurring', recurrencyKind: 'Daily', startSchedule: '2024-01-17T00:00:00.000Z', duration: 86400 });
const tx2000 = profile(1, 2000, 0, 'TxProfile', 'W', [[0, 2000, 1]], { startSchedule: '2024-01-17T00:00:00.000Z', duration: 3600, transactionId: TX });
const tx2001 = profile(1, 2001, 1, 'TxProfile', 'W', [[0, 10, 1]], { startSchedule: '2024-01-17T23:00:00.000Z', duration: 3600, transactionId: TX });

test('K08 station maximum (libocpp MaxOverridesHigherLimits / MaxOverridenByLowerLimits): the ChargingStationMaxProfile caps the TxProfile; a lower TxProfile stays', () => {
  const profiles = [stationMaxHourly, tx2000, tx2001];
  // 00:00-01:00 the TxProfile's 2000 W capped at 10 W; 01:00-02:00 no TxProfile, the station maximum's 20 W.
  assert.equal(evse1(profiles, '2024-01-17T00:00:00Z', '2024-01-17T02:00:00Z', 'W'), [[0, 10, 1], [3600, 20, 1]]);
  // 22:00-23:00 the station maximum's 230 W; 23:00-24:00 the TxProfile's 10 W is below its 240 W.
  assert.equal(evse1(profiles, '2024-01-17T22:00:00Z', '2024-01-18T00:00:00Z', 'W'), [[0, 230, 1], [3600, 10, 1]]);
});

test('K08 at EVSE 0 (libocpp SingleStationMaxForEvse0): only a station maximum, read with its phases', () => {
  const max401 = profile(0, 24, 0, 'ChargingStationMaxProfile', 'A', [[0, 24, 1], [900, 28, 1], [1800, 30, 1], [2700, 32, 1]],
    { chargingProfileKind: 'Recurring', recurrencyKind: 'Daily', startSchedule: '2024-01-17T08:00:00.000Z', duration: 86400 });
  assert.equal(periodsOf({ evseId: 0, profiles: [max401], start: new Date('2024-08-21T08:00:00Z'), durationS: 3600, unit: 'A' }),
    [[0, 24, 1], [900, 28, 1], [1800, 30, 1], [2700, 32, 1]]);
});

// Their mixed-unit pair: a station maximum in A (Daily from 2024-01-17 00:00: 16 A on 1 phase, 16 A on 3, 10 A on 1,
// 10 A on 3, an hour each) and a Relative TxDefaultProfile in W without numberPhases (12420, 8280, 6210, 4140, 2070 W,
// 300 s each, duration 3600 s). No transaction: the TxDefaultProfile starts at the window start.
const max24A = profile(0, 24, 0, 'ChargingStationMaxProfile', 'A', [[0, 16, 1], [3600, 16, 3], [7200, 10, 1], [10800, 10, 3]],
  { chargingProfileKind: 'Recurring', recurrencyKind: 'Daily', startSchedule: '2024-01-17T00:00:00.000Z', duration: 86400 });
const txDefault25W = profile(1, 25, 0, 'TxDefaultProfile', 'W', [[0, 12420], [300, 8280], [600, 6210], [900, 4140], [1200, 2070]], { duration: 3600 });
const mixed = (from: string): P[] => periodsOf({ evseId: 1, profiles: [max24A, txDefault25W], start: new Date(from), durationS: 3600, unit: 'A' });

test('K08 A/W conversion (libocpp MixingCurrentAndPower_*): watts become amperes with the phases in force, 230 V', () => {
  // 3 phases (01:00): 12420 W / (230 V x 3) = 18 A, capped at 16 A; then 12, 9, 6, 3 A.
  assert.equal(mixed('2024-01-02T01:00:00Z'), [[0, 16, 3], [300, 12, 3], [600, 9, 3], [900, 6, 3], [1200, 3, 3]]);
  // 1 phase (00:00): every W limit over 230 V is above 16 A until 2070 W = 9 A at 1200 s.
  assert.equal(mixed('2024-01-02T00:00:00Z'), [[0, 16, 1], [1200, 9, 1]]);
  // 1 phase, 10 A (02:00): 10 A, then 9 A.
  assert.equal(mixed('2024-01-02T02:00:00Z'), [[0, 10, 1], [1200, 9, 1]]);
});

test('K08 Tx over TxDefault under the station maximum (libocpp OCTT_TC_K_41_CS): per period the TxProfile where it runs, else the TxDefaultProfile, else the default, each capped', () => {
  // All from 12:24:36, the window from 12:24:40 (so 4 s in): station maximum 10 A on 3 phases for a day; TxProfile
  // 8, 11, 16, 6, 12 A at 0, 50, 140, 200, 240 s for 264 s; TxDefaultProfile 6, 10, 8, 15, 8 A at 0, 60, 120, 180, 260 s
  // for 304 s (validFrom 12:24:36, validTo 12:31:25).
  const t0 = '2024-08-21T12:24:36Z';
  const profiles = [
    profile(0, 1, 0, 'ChargingStationMaxProfile', 'A', [[0, 10, 3]], { startSchedule: t0, duration: 86404 }),
    profile(1, 2, 0, 'TxDefaultProfile', 'A', [[0, 6, 3], [60, 10, 3], [120, 8, 3], [180, 15, 3], [260, 8, 3]],
      { startSchedule: t0, duration: 304, validFrom: t0, validTo: '2024-08-21T12:31:25Z' }),
    profile(1, 3, 0, 'TxProfile', 'A', [[0, 8, 3], [50, 11, 3], [140, 16, 3], [200, 6, 3], [240, 12, 3]], { startSchedule: t0, duration: 264, transactionId: TX }),
  ];
  // TxProfile 8 A, 11 and 16 A capped at 10 A (46 s), 6 A (196 s), 12 A capped (236 s); after it ends (260 s) the
  // TxDefaultProfile's 8 A; after that ends (300 s) the default 57 A capped at 10 A.
  assert.equal(evse1(profiles, '2024-08-21T12:24:40Z', '2024-08-21T12:31:20Z', 'A'), [[0, 8, 3], [46, 10, 3], [196, 6, 3], [236, 10, 3], [260, 8, 3], [300, 10, 3]]);
});

// Their Relative TxDefaultProfile: 16, 15, 14 A at 0, 1800, 2700 s, duration 3600 s, no numberPhases, stack 5.
const relative303 = (evseId: number): InstalledProfile => profile(evseId, 301, 5, 'TxDefaultProfile', 'A', [[0, 16], [1800, 15], [2700, 14]],
  { chargingProfileKind: 'Relative', duration: 3600, validFrom: '2024-01-01T12:00:00Z', validTo: '2025-01-01T14:00:00Z' });
const evse0 = (profiles: InstalledProfile[]): P[] => periodsOf({ evseId: 0, profiles, start: new Date('2024-01-02T08:01:00Z'), durationS: 3600, unit: 'A',
  evses: [{ evseId: 1 }, { evseId: 2 }] });

test('K08 at EVSE 0 (libocpp TxProfilePerEvseWithMultipleEvses): the EVSEs\' limits add up, an EVSE whose profile ended counts the default', () => {
  // EVSE 1: the same periods Recurring Daily from 08:00; EVSE 2: Relative from the window start (08:01, no transaction).
  const daily301 = profile(1, 301, 5, 'TxDefaultProfile', 'A', [[0, 16], [1800, 15], [2700, 14]],
    { chargingProfileKind: 'Recurring', recurrencyKind: 'Daily', startSchedule: '2024-01-01T08:00:00Z', duration: 3600, validFrom: '2024-01-01T12:00:00Z', validTo: '2024-02-01T12:00:00Z' });
  // 32 A, 31 (EVSE 1 at 08:30), 30, 29 (EVSE 1 at 08:45), 28, and at 09:00 EVSE 1 ends: 57 + 14 A.
  assert.equal(evse0([daily301, relative303(2)]), [[0, 32, 3], [1740, 31, 3], [1800, 30, 3], [2640, 29, 3], [2700, 28, 3], [3540, 71, 3]]);
});

test('K08 at EVSE 0 (libocpp SingleTxDefaultProfileWithStationMaxForEvse0WithMultipleEvses): the sum of the EVSEs capped by the station maximum', () => {
  const max401 = profile(0, 24, 0, 'ChargingStationMaxProfile', 'A', [[0, 24, 1], [900, 28, 1], [1800, 30, 1], [2700, 32, 1]],
    { chargingProfileKind: 'Recurring', recurrencyKind: 'Daily', startSchedule: '2024-01-17T08:00:00.000Z', duration: 86400 });
  // Sum 32, 30 (1800 s), 28 A (2700 s); maximum 24, 28 (840 s), 30 (1740 s), 32 A (2640 s): the lower of both.
  assert.equal(evse0([max401, relative303(1), relative303(2)]), [[0, 24, 1], [840, 28, 1], [1740, 30, 1], [2700, 28, 1]]);
});

test.run();
