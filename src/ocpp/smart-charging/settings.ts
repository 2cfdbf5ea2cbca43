// The SmartChargingCtrlr values the room reads, at each use, so a SetVariables applies to the next profile.
// Absent variables read as libocpp's value_or defaults (a device model from a custom directory may lack them).
import type { DeviceModelRepository } from '../../device-model/repository.js';
import type { ChargingRateUnit } from './ocpp-types.js';

export interface SmartChargingSettings {
  /** SmartChargingCtrlr.Available: false -> SetChargingProfile is answered NotSupported (K01.FR.29). */
  available: boolean;
  enabled: boolean;
  /** ProfileStackLevel: the highest stackLevel accepted (K01.FR.31 ...). */
  profileStackLevel: number;
  /** ChargingProfileMaxStackLevel where a device model has it (libocpp's older name). */
  maxStackLevel: number | undefined;
  periodsPerSchedule: number;
  /** RateUnit, in its order (the first is GetCompositeSchedule's default, as libocpp). */
  rateUnits: ChargingRateUnit[];
  /** The maxLimit of Entries: how many profiles may be installed; undefined: no limit. */
  maxEntries: number | undefined;
  /** SupplyVoltage (V), for A <-> W. */
  supplyVoltage: number;
  /** ACPhaseSwitchingSupported: phaseToUse is accepted only with it (K01.FR.20). */
  acPhaseSwitching: boolean;
  /** LimitChangeSignificance (percent): a smaller change of an external limit is not notified (K11.FR.02, K12.FR.02). */
  limitChangeSignificance: number;
  /** NotifyChargingLimitWithSchedules: NotifyChargingLimit carries the external schedule (K11.FR.03, K12.FR.03). */
  notifyWithSchedules: boolean;
}

const actual = (repo: DeviceModelRepository, name: string): string | undefined => repo.actualValue('SmartChargingCtrlr', name);

function int(repo: DeviceModelRepository, name: string): number | undefined {
  const s = actual(repo, name);
  const n = s === undefined ? NaN : Number(s);
  return Number.isInteger(n) ? n : undefined;
}

function decimal(repo: DeviceModelRepository, name: string): number | undefined {
  const s = actual(repo, name);
  const n = s === undefined ? NaN : Number(s);
  return Number.isFinite(n) ? n : undefined;
}

export function readSmartChargingSettings(repo: DeviceModelRepository): SmartChargingSettings {
  const c = repo.findComponent({ name: 'SmartChargingCtrlr' });
  const entries = c && repo.findVariable(c.id, 'Entries');
  const units = (actual(repo, 'RateUnit') ?? '').split(',').map((u) => u.trim()).filter((u): u is ChargingRateUnit => u === 'A' || u === 'W');
  return {
    available: (actual(repo, 'Available') ?? 'false').toLowerCase() === 'true',
    enabled: (actual(repo, 'Enabled') ?? 'false').toLowerCase() === 'true',
    profileStackLevel: int(repo, 'ProfileStackLevel') ?? 0,
    maxStackLevel: int(repo, 'ChargingProfileMaxStackLevel'),
    periodsPerSchedule: int(repo, 'PeriodsPerSchedule') ?? 1,
    rateUnits: units,
    maxEntries: entries?.characteristics.max_limit,
    supplyVoltage: int(repo, 'SupplyVoltage') ?? 230,
    acPhaseSwitching: (actual(repo, 'ACPhaseSwitchingSupported') ?? 'false').toLowerCase() === 'true',
    limitChangeSignificance: decimal(repo, 'LimitChangeSignificance') ?? 0,
    notifyWithSchedules: (actual(repo, 'NotifyChargingLimitWithSchedules') ?? 'false').toLowerCase() === 'true',
  };
}
