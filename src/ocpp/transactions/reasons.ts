// EVerest's StopTransactionReason (transaction_finished.reason) to OCPP 2.0.1: the stoppedReason, the
// triggerReason of the message that carries it, and what the finish does to the TxStopPoint conditions.
// Same choices as everest-core's OCPP201 module (conversions.cpp to_ocpp_reason, OCPP201.cpp
// stop_reason_to_trigger_reason_enum and get_tx_event); docs/csms.md has the table for operators.
//
//   EVerest reason             stoppedReason       triggerReason        condition
//   DeAuthorized               DeAuthorized        Deauthorized         authorization withdrawn
//   EmergencyStop              EmergencyStop       AbnormalCondition    -
//   EnergyLimitReached         EnergyLimitReached  EnergyLimitReached   -
//   EVDisconnected             EVDisconnected      EVCommunicationLost  EV disconnected
//   GroundFault                GroundFault         AbnormalCondition    -
//   HardReset                  ImmediateReset      ResetCommand         ends whatever the stop points
//   Local                      Local               StopAuthorized       authorization withdrawn
//   LocalOutOfCredit           LocalOutOfCredit    ChargingStateChanged -
//   MasterPass                 MasterPass          StopAuthorized       authorization withdrawn
//   Other                      Other               AbnormalCondition    -
//   OvercurrentFault           OvercurrentFault    AbnormalCondition    -
//   PowerLoss                  PowerLoss           AbnormalCondition    ends whatever the stop points (*)
//   PowerQuality               PowerQuality        AbnormalCondition    -
//   Reboot                     Reboot              ResetCommand         -
//   Remote                     Remote              RemoteStop           authorization withdrawn
//   SoftReset, UnlockCommand   Other               AbnormalCondition    -
//   SOCLimitReached            SOCLimitReached     EnergyLimitReached   -
//   StoppedByEV                StoppedByEV         StopAuthorized       authorization withdrawn
//   TimeLimitReached           TimeLimitReached    TimeLimitReached     -
//   Timeout                    Timeout             EVConnectTimeout     -
//   ReqEnergyTransferRejected  Other (2.1 only)    AbnormalCondition    authorization withdrawn
//   (no reason)                Other               AbnormalCondition    -
//
// (*) everest-core finishes a session it remembers after a power loss at boot; the EVSE has no session
// any more, so the transaction ends even if a stop point (EVConnected) would keep it open (libocpp: none).
// "-": the finish withdraws the authorization afterwards anyway (an EVSE that finished a transaction no
// longer charges on that token), so the Authorized stop point still ends it.
import type { StoppedReason, TriggerReason } from './ocpp-types.js';
import type { StopTransactionReason } from './session-event.js';

export type FinishEffect = 'deauthorize' | 'disconnect' | 'reset' | 'none';

const STOPPED: Record<StopTransactionReason, StoppedReason> = {
  DeAuthorized: 'DeAuthorized',
  EmergencyStop: 'EmergencyStop',
  EnergyLimitReached: 'EnergyLimitReached',
  EVDisconnected: 'EVDisconnected',
  GroundFault: 'GroundFault',
  HardReset: 'ImmediateReset',
  Local: 'Local',
  LocalOutOfCredit: 'LocalOutOfCredit',
  MasterPass: 'MasterPass',
  Other: 'Other',
  OvercurrentFault: 'OvercurrentFault',
  PowerLoss: 'PowerLoss',
  PowerQuality: 'PowerQuality',
  Reboot: 'Reboot',
  Remote: 'Remote',
  SoftReset: 'Other',
  UnlockCommand: 'Other',
  SOCLimitReached: 'SOCLimitReached',
  StoppedByEV: 'StoppedByEV',
  TimeLimitReached: 'TimeLimitReached',
  Timeout: 'Timeout',
  ReqEnergyTransferRejected: 'Other',
};

const TRIGGER: Record<StoppedReason, TriggerReason> = {
  DeAuthorized: 'Deauthorized',
  EmergencyStop: 'AbnormalCondition',
  EnergyLimitReached: 'EnergyLimitReached',
  EVDisconnected: 'EVCommunicationLost',
  GroundFault: 'AbnormalCondition',
  ImmediateReset: 'ResetCommand',
  Local: 'StopAuthorized',
  LocalOutOfCredit: 'ChargingStateChanged',
  MasterPass: 'StopAuthorized',
  Other: 'AbnormalCondition',
  OvercurrentFault: 'AbnormalCondition',
  PowerLoss: 'AbnormalCondition',
  PowerQuality: 'AbnormalCondition',
  Reboot: 'ResetCommand',
  Remote: 'RemoteStop',
  SOCLimitReached: 'EnergyLimitReached',
  StoppedByEV: 'StopAuthorized',
  TimeLimitReached: 'TimeLimitReached',
  Timeout: 'EVConnectTimeout',
};

export function toStoppedReason(reason: StopTransactionReason | undefined): StoppedReason {
  return reason === undefined ? 'Other' : STOPPED[reason];
}

export function triggerForStop(reason: StoppedReason): TriggerReason {
  return TRIGGER[reason];
}

export function finishEffect(reason: StopTransactionReason | undefined): FinishEffect {
  switch (reason) {
    case 'DeAuthorized': case 'Remote': case 'Local': case 'MasterPass': case 'StoppedByEV':
    case 'ReqEnergyTransferRejected':
      return 'deauthorize';
    case 'EVDisconnected':
      return 'disconnect';
    case 'HardReset': case 'PowerLoss':
      return 'reset';
    default:
      return 'none';
  }
}
