// What the transaction logic needs from one evse_manager session_event: a narrow, already validated input,
// flattened from everest-core 2026.02's types/evse_manager.yaml SessionEvent (field of origin in each comment).
// A normalizer in src/module turns the payloads of each supported release (2023.12 lacks the top-level
// timestamp and carries the token as a plain string) into this; nothing here knows the bus.
import type { IdTokenType } from './ocpp-types.js';

/** evse_manager SessionEventEnum (2026.02; 2023.12's values are a subset). */
export const SESSION_EVENT_KINDS = [
  'Authorized', 'Deauthorized', 'Enabled', 'Disabled', 'SessionStarted', 'AuthRequired', 'TransactionStarted',
  'PrepareCharging', 'ChargingStarted', 'ChargingPausedEV', 'ChargingPausedEVSE', 'StoppingCharging',
  'ChargingFinished', 'TransactionFinished', 'SessionFinished', 'ReservationStart', 'ReservationEnd',
  'PluginTimeout', 'SwitchingPhases', 'SessionResumed',
] as const;
export type SessionEventKind = (typeof SESSION_EVENT_KINDS)[number];

/** evse_manager StartSessionReason. */
export type StartSessionReason = 'EVConnected' | 'Authorized';

/** evse_manager StopTransactionReason. */
export const STOP_TRANSACTION_REASONS = [
  'EmergencyStop', 'EVDisconnected', 'HardReset', 'Local', 'Other', 'PowerLoss', 'Reboot', 'Remote', 'SoftReset',
  'UnlockCommand', 'DeAuthorized', 'EnergyLimitReached', 'GroundFault', 'LocalOutOfCredit', 'MasterPass',
  'OvercurrentFault', 'PowerQuality', 'SOCLimitReached', 'StoppedByEV', 'TimeLimitReached', 'Timeout',
  'ReqEnergyTransferRejected',
] as const;
export type StopTransactionReason = (typeof STOP_TRANSACTION_REASONS)[number];

/** authorization IdToken: value + type (EVerest's IdTokenType names are OCPP 2.0.1's). */
export interface TokenInput {
  value: string;
  type: IdTokenType;
}

/** authorization ProvidedIdToken, the parts a TransactionEvent uses. */
export interface ProvidedTokenInput {
  token: TokenInput;
  /** parent_id_token (the group id token). */
  parent?: TokenInput;
  /** authorization_type: 'OCPP' means the CSMS started it (RequestStartTransaction). */
  authorizationType: string;
  /** request_id: the remoteStartId of a RequestStartTransaction. */
  requestId?: number;
}

/** Per-phase readings of a powermeter field (units Powermeter: total, L1, L2, L3, N). */
export interface PhaseReadings {
  total?: number;
  L1?: number;
  L2?: number;
  L3?: number;
  N?: number;
}

/** powermeter Powermeter, the parts a meterValue uses. */
export interface MeterReading {
  /** timestamp (RFC 3339). */
  timestamp: string;
  /** energy_Wh_import.total: Energy.Active.Import.Register, always sent. */
  energyImportWh: number;
  /** energy_Wh_export.total. */
  energyExportWh?: number;
  /** power_W. */
  powerW?: PhaseReadings;
  /** current_A. */
  currentA?: PhaseReadings;
  /** voltage_V. */
  voltageV?: PhaseReadings;
  /** frequency_Hz.L1. */
  frequencyHz?: number;
}

export interface SessionEventInput {
  /** The EVSE: connection i of the evse_manager requirement is EVSE i+1 (not in the payload). */
  evseId: number;
  /** connector_id, 1 when absent (evse_manager.yaml: "If the connector_id is not specified, its assumed to be 1"). */
  connectorId: number;
  /** event. */
  kind: SessionEventKind;
  /** timestamp (RFC 3339); 2023.12: the timestamp of the event's detail object, or the time of receipt. */
  timestamp: string;
  /** uuid: EVerest's session id (not the OCPP transactionId, which this room makes). */
  sessionId: string;
  /** session_started.reason. */
  startReason?: StartSessionReason;
  /** session_started.id_tag, transaction_started.id_tag or transaction_finished.id_tag. */
  idTag?: ProvidedTokenInput;
  /** transaction_finished.reason. */
  stopReason?: StopTransactionReason;
  /** The meter_value of session_started, transaction_started, transaction_finished, session_finished,
   *  charging_state_changed_event or authorization_event. */
  meter?: MeterReading;
  /** transaction_started.signed_meter_value or session_started.signed_meter_value present (TxStartPoint DataSigned). */
  signedStart?: boolean;
  /** session_started.reservation_id or transaction_started.reservation_id. */
  reservationId?: number;
}
