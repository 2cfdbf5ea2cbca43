// The OCPP 2.0.1 shapes this room produces (TransactionEventRequest and what it holds), written from the
// official JSON schema (ocpp-rpc's lib/schemas/ocpp2_0_1.json, urn:TransactionEvent.req). src/ocpp knows no
// CSMS code, so they live here rather than in src/csms/ocpp-types.ts.

export type TransactionEventType = 'Started' | 'Updated' | 'Ended';

export const TRIGGER_REASONS = [
  'Authorized', 'CablePluggedIn', 'ChargingRateChanged', 'ChargingStateChanged', 'Deauthorized',
  'EnergyLimitReached', 'EVCommunicationLost', 'EVConnectTimeout', 'MeterValueClock', 'MeterValuePeriodic',
  'TimeLimitReached', 'Trigger', 'UnlockCommand', 'StopAuthorized', 'EVDeparted', 'EVDetected', 'RemoteStop',
  'RemoteStart', 'AbnormalCondition', 'SignedDataReceived', 'ResetCommand',
] as const;
export type TriggerReason = (typeof TRIGGER_REASONS)[number];

export const CHARGING_STATES = ['Charging', 'EVConnected', 'SuspendedEV', 'SuspendedEVSE', 'Idle'] as const;
export type ChargingState = (typeof CHARGING_STATES)[number];

/** ReasonEnumType of 2.0.1 (2.1's ReqEnergyTransferRejected is not in it). */
export const STOPPED_REASONS = [
  'DeAuthorized', 'EmergencyStop', 'EnergyLimitReached', 'EVDisconnected', 'GroundFault', 'ImmediateReset',
  'Local', 'LocalOutOfCredit', 'MasterPass', 'Other', 'OvercurrentFault', 'PowerLoss', 'PowerQuality', 'Reboot',
  'Remote', 'SOCLimitReached', 'StoppedByEV', 'TimeLimitReached', 'Timeout',
] as const;
export type StoppedReason = (typeof STOPPED_REASONS)[number];

export const ID_TOKEN_TYPES = [
  'Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization',
] as const;
export type IdTokenType = (typeof ID_TOKEN_TYPES)[number];

export interface OcppIdToken {
  idToken: string;
  type: IdTokenType;
}

export type ReadingContext =
  | 'Interruption.Begin' | 'Interruption.End' | 'Other' | 'Sample.Clock' | 'Sample.Periodic'
  | 'Transaction.Begin' | 'Transaction.End' | 'Trigger';

export const MEASURANDS = [
  'Current.Export', 'Current.Import', 'Current.Offered', 'Energy.Active.Export.Register',
  'Energy.Active.Import.Register', 'Energy.Reactive.Export.Register', 'Energy.Reactive.Import.Register',
  'Energy.Active.Export.Interval', 'Energy.Active.Import.Interval', 'Energy.Active.Net',
  'Energy.Reactive.Export.Interval', 'Energy.Reactive.Import.Interval', 'Energy.Reactive.Net',
  'Energy.Apparent.Net', 'Energy.Apparent.Import', 'Energy.Apparent.Export', 'Frequency',
  'Power.Active.Export', 'Power.Active.Import', 'Power.Factor', 'Power.Offered', 'Power.Reactive.Export',
  'Power.Reactive.Import', 'SoC', 'Voltage',
] as const;
export type Measurand = (typeof MEASURANDS)[number];

export type Phase = 'L1' | 'L2' | 'L3' | 'N' | 'L1-N' | 'L2-N' | 'L3-N' | 'L1-L2' | 'L2-L3' | 'L3-L1';

export interface SampledValue {
  value: number;
  context?: ReadingContext;
  measurand?: Measurand;
  phase?: Phase;
  unitOfMeasure?: { unit?: string; multiplier?: number };
}

export interface MeterValue {
  timestamp: string;
  sampledValue: SampledValue[];
}

export interface TransactionInfo {
  transactionId: string;
  chargingState?: ChargingState;
  stoppedReason?: StoppedReason;
  remoteStartId?: number;
}

export interface TransactionEventRequest {
  eventType: TransactionEventType;
  timestamp: string;
  triggerReason: TriggerReason;
  seqNo: number;
  offline?: boolean;
  reservationId?: number;
  transactionInfo: TransactionInfo;
  idToken?: OcppIdToken;
  evse?: { id: number; connectorId?: number };
  meterValue?: MeterValue[];
}
