// The OCPP 2.0.1 smart-charging shapes TsOcpp uses (K01-K17), in OCPP's camelCase; the authority is the
// official schema set, which checks every message both ways in strict mode (src/csms/validator.ts).

export type ChargingRateUnit = 'A' | 'W';
export type ChargingProfilePurpose = 'ChargingStationExternalConstraints' | 'ChargingStationMaxProfile' | 'TxDefaultProfile' | 'TxProfile';
export type ChargingProfileKind = 'Absolute' | 'Recurring' | 'Relative';
export type RecurrencyKind = 'Daily' | 'Weekly';

export interface ChargingSchedulePeriod {
  /** Seconds from the start of the schedule. */
  startPeriod: number;
  /** In the schedule's chargingRateUnit, per phase for A, total for W. */
  limit: number;
  numberPhases?: number;
  phaseToUse?: number;
}

export interface ChargingSchedule {
  id: number;
  startSchedule?: string;
  /** Seconds. */
  duration?: number;
  chargingRateUnit: ChargingRateUnit;
  chargingSchedulePeriod: ChargingSchedulePeriod[];
  minChargingRate?: number;
}

export interface ChargingProfile {
  id: number;
  stackLevel: number;
  chargingProfilePurpose: ChargingProfilePurpose;
  chargingProfileKind: ChargingProfileKind;
  recurrencyKind?: RecurrencyKind;
  validFrom?: string;
  validTo?: string;
  transactionId?: string;
  chargingSchedule: ChargingSchedule[];
}

/** A profile as installed: where it applies (0: the whole station). */
export interface InstalledProfile {
  evseId: number;
  profile: ChargingProfile;
}

export interface CompositeSchedule {
  evseId: number;
  /** Seconds. */
  duration: number;
  scheduleStart: string;
  chargingRateUnit: ChargingRateUnit;
  chargingSchedulePeriod: ChargingSchedulePeriod[];
}

export interface StatusInfo {
  reasonCode: string;
  additionalInfo?: string;
}
