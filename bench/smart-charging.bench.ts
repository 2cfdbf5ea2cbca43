// GetCompositeSchedule's computation (issue 18): 20 installed profiles over 3 EVSEs (a station maximum, daily
// recurring and absolute TxDefaultProfiles at several stack levels, TxProfiles of running transactions, 3 to 6
// periods each), the composite of each EVSE and of the station for 24 h in A and in W, time per computation.
//
//   npx tsx bench/smart-charging.bench.ts [--rounds 2000]
//
// In process, the pure core (src/ocpp/smart-charging/composite.ts) alone: no storage, no CSMS link; what a
// GetCompositeSchedule or a limits update costs in CPU above reading the profiles.
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { compositeSchedule } from '../src/ocpp/smart-charging/composite.js';
import type { ChargingProfile, InstalledProfile } from '../src/ocpp/smart-charging/ocpp-types.js';
import { percentile, round } from './lib/stats.js';

const DAY0 = Date.UTC(2026, 10, 30, 0, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

function periods(n: number, stepS: number, base: number): ChargingProfile['chargingSchedule'][number]['chargingSchedulePeriod'] {
  return Array.from({ length: n }, (_, i) => ({ startPeriod: i * stepS, limit: base - i }));
}

/** 20 profiles: 1 station maximum, 6 per EVSE on EVSEs 1-3 (TxDefault daily and absolute, a TxProfile), 1 TxDefault at 0. */
export function benchProfiles(): { profiles: InstalledProfile[]; transactions: Map<number, string> } {
  const profiles: InstalledProfile[] = [];
  let id = 1;
  profiles.push({ evseId: 0, profile: { id: id++, stackLevel: 0, chargingProfilePurpose: 'ChargingStationMaxProfile', chargingProfileKind: 'Absolute',
    chargingSchedule: [{ id: 1, startSchedule: iso(DAY0), chargingRateUnit: 'W', chargingSchedulePeriod: periods(4, 6 * 3600, 22000) }] } });
  profiles.push({ evseId: 0, profile: { id: id++, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Recurring', recurrencyKind: 'Daily',
    chargingSchedule: [{ id: 1, startSchedule: iso(DAY0 + 8 * 3600_000), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }, { startPeriod: 10 * 3600, limit: 10 }] }] } });
  const transactions = new Map<number, string>();
  for (let evse = 1; evse <= 3; evse++) {
    const tx = `tx-${evse}`;
    transactions.set(evse, tx);
    for (let k = 0; k < 6; k++) {
      const tx6 = k === 5;
      const profile: ChargingProfile = tx6
        ? { id: id++, stackLevel: 1, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative', transactionId: tx,
          chargingSchedule: [{ id: 1, chargingRateUnit: 'A', duration: 7200, chargingSchedulePeriod: periods(3, 1200, 20) }] }
        : k % 2 === 0
          ? { id: id++, stackLevel: k + 1, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Recurring', recurrencyKind: 'Daily',
            chargingSchedule: [{ id: 1, startSchedule: iso(DAY0 + (k + 1) * 3600_000), chargingRateUnit: 'A', duration: 4 * 3600, chargingSchedulePeriod: periods(5, 1800, 32) }] }
          : { id: id++, stackLevel: k + 1, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute', validFrom: iso(DAY0), validTo: iso(DAY0 + 2 * 86400_000),
            chargingSchedule: [{ id: 1, startSchedule: iso(DAY0 + k * 7200_000), chargingRateUnit: 'W', chargingSchedulePeriod: periods(6, 900, 11000) }] };
      profiles.push({ evseId: evse, profile });
    }
  }
  return { profiles, transactions };
}

export function runSmartChargingBench(o: { rounds?: number } = {}): { what: string; cases: Array<Record<string, number | string>> } {
  const rounds = o.rounds ?? 2000;
  const { profiles, transactions } = benchProfiles();
  const start = new Date(DAY0 + 6 * 3600_000);
  const txStart = new Date(DAY0 + 5 * 3600_000);
  const evses = [1, 2, 3].map((evseId) => ({ evseId, transaction: { id: transactions.get(evseId)!, startedAt: txStart } }));
  const cases: Array<Record<string, number | string>> = [];
  for (const evseId of [1, 0]) {
    for (const unit of ['A', 'W'] as const) {
      const input = evseId === 0
        ? { evseId, profiles, start, durationS: 86400, unit, evses }
        : { evseId, profiles, start, durationS: 86400, unit, transaction: evses[0]!.transaction };
      for (let i = 0; i < 200; i++) compositeSchedule(input);
      const us: number[] = [];
      let periodsOut = 0;
      for (let i = 0; i < rounds; i++) {
        const t0 = performance.now();
        const r = compositeSchedule(input);
        us.push((performance.now() - t0) * 1000);
        periodsOut = r.chargingSchedulePeriod.length;
      }
      us.sort((a, b) => a - b);
      cases.push({ case: `${evseId === 0 ? 'station (EVSE 0, sums EVSEs 1-3)' : 'EVSE 1'}, ${unit}, 24 h`, profiles: profiles.length, periods: periodsOut,
        p50Us: round(percentile(us, 0.5), 1), p99Us: round(percentile(us, 0.99), 1) });
    }
  }
  return { what: 'compositeSchedule (K08) in process, 20 profiles over 3 EVSEs, per computation', cases };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--rounds');
  process.stdout.write(`${JSON.stringify(runSmartChargingBench(i > 0 ? { rounds: Number(process.argv[i + 1]) } : {}), null, 2)}\n`);
}
