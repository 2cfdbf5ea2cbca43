// What a handler of a CSMS CALL gets: the OCPP service (the same code paths the bus commands use), the
// station side of the link, and `after`, which runs once the CALLRESULT is on the socket (F06.FR.04: answer
// first, then send what was asked for). Any CALL a handler causes, directly or through the service's events,
// is held the same way (answer-first.ts).
import type { Logger } from '../../log.js';
import type { DataTransferRequest } from '../../generated/types/ocpp.js';
import type { OcppService } from '../../ocpp/service.js';
import type { AuthControl } from '../auth-control.js';
import type { EvseControl } from '../evse-control.js';
import type { SystemControl } from '../system-control.js';
import type { SecurityControl } from '../security-control.js';
import type { CertificateSigningUse } from '../certificate-types.js';
import type { BootReason, NotifyReportRequest, ReportChargingProfilesRequest } from '../ocpp-types.js';
import type { Registration } from '../sender.js';
import { createRPCError } from '../rpc.js';
import { readMessageLimits } from '../variables.js';

/** Hands a CSMS DataTransfer to the bus requirement `data_transfer` (everest-core OCPP201.cpp data_transfer_callback). */
export type DataTransferForwarder = (req: DataTransferRequest) => Promise<unknown>;

export interface StationControl {
  readonly registration: Registration;
  boot(reason: BootReason): void;
  heartbeat(): void;
  status(evseId: number, connectorId: number): void;
  connectorExists(evseId: number, connectorId: number): boolean;
  heartbeatIntervalChanged(): void;
  /** The NetworkConfigurationPriority slot the module config's csms_url holds, if any. */
  readonly heldSlot: number | undefined;
  /** The security profile of csms_url (the held slot's profile). */
  readonly heldSecurityProfile: number | undefined;
  /** SecurityCtrlr BasicAuthPassword was set by the CSMS: reconnect with it (A01). */
  passwordChanged(): void;
  report(parts: NotifyReportRequest[]): void;
  /** K09: the ReportChargingProfiles of one GetChargingProfiles, sent one after another. */
  reportChargingProfiles(reports: ReportChargingProfilesRequest[]): void;
  /**
   * Reset of the station after its answer: through the system requirement when connected (stop: the EVSEs
   * whose transactions an Immediate reset stops first), else a communication reset. onIdle: wait for the
   * transactions to end.
   */
  reset(how: { onIdle: boolean; stop: number[] }): void;
  /** F06: a triggered FirmwareStatusNotification or LogStatusNotification, sent at once (not through the outbox). */
  triggered(action: 'FirmwareStatusNotification' | 'LogStatusNotification', payload: object): void;
  /** A02/A03: a SignCertificate (CSR from evse_security) after the answer; triggered by TriggerMessage. */
  signCertificate(use: CertificateSigningUse, triggered: boolean): void;
  /** A CertificateSigned arrived: no SignCertificate is awaited any more. */
  certificateSigned(): void;
  /** A02.FR.09: a new charging station certificate under profile 3: connect again with it. */
  clientCertificateChanged(): void;
}

export interface CallContext {
  readonly service: OcppService;
  readonly log: Logger;
  readonly station: StationControl;
  readonly forwardDataTransfer: DataTransferForwarder | undefined;
  /** The EVSEs' evse_manager cmds (RequestStopTransaction); undefined without the bus side. */
  readonly evseControl: EvseControl | undefined;
  /** auth_provider's provided_token and the auth requirement (RequestStartTransaction); undefined without the bus side. */
  readonly authControl: AuthControl | undefined;
  /** The system requirement (Reset, UpdateFirmware, GetLog); undefined without a system connection. */
  readonly systemControl: SystemControl | undefined;
  /** The security (evse_security) requirement (certificates); undefined without a security connection. */
  readonly securityControl: SecurityControl | undefined;
  now(): Date;
  /** Bytes of the CALL's payload as JSON (the DeviceDataCtrlr BytesPerMessage limits). */
  readonly payloadBytes: number;
  after(fn: () => void): void;
}

export type CallHandler<Req, Res> = (req: Req, ctx: CallContext) => Res | Promise<Res>;

/**
 * DeviceDataCtrlr ItemsPerMessage / BytesPerMessage of GetVariables or SetVariables, checked before the
 * request is served (OCPP 2.0.1 B06.FR.06/B05.FR.07: OccurrenceConstraintViolation / FormatViolation).
 */
export function checkMessageLimits(ctx: CallContext, action: 'GetVariables' | 'SetVariables', items: number): ReturnType<typeof readMessageLimits> {
  const limits = readMessageLimits(ctx.service, action);
  if (items > limits.items) {
    throw createRPCError('OccurrenceConstraintViolation', `at most ${limits.items} items per ${action} (DeviceDataCtrlr ItemsPerMessage)`);
  }
  if (ctx.payloadBytes > limits.bytes) {
    throw createRPCError('FormatViolation', `at most ${limits.bytes} bytes per ${action} (DeviceDataCtrlr BytesPerMessage)`);
  }
  return limits;
}
