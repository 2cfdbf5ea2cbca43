// Firmware update (L01, L02) and log upload (N01) as the station reports them, after libocpp 2026.02.0
// functional_blocks/firmware_update.cpp and charge_point.cpp on_log_status_notification: every status the system
// module reports becomes a FirmwareStatusNotification / LogStatusNotification with its requestId (L01.FR.20),
// queued in the durable outbox in the order it came, in the same transaction as the room's record of it, so a
// SIGKILL loses neither. The security events the spec asks for go through the service's security event path in
// that transaction too: FirmwareUpdated on Installed (L01.FR.31), InvalidFirmwareSignature on InvalidSignature
// (L01.FR.03); both are critical, so they are queued for the CSMS as well.
//
// A restart in the middle of an update (TsOcpp is not libocpp: its process may die while the system module goes
// on, or the station may reboot): the last status is read back at open. InstallRebooting means the station was
// about to reboot into the new firmware, and this is the reboot: Installed (and FirmwareUpdated), as the system
// module of everest-core reports it. Installing means an installation was cut short by the restart:
// InstallationFailed. Any other state is left to the system module, which reports on (or not) by itself.
//
// From the status before installing until an end state the connectors are held Inoperative (libocpp
// change_all_connectors_to_unavailable_for_firmware_update / restore_all_connector_states), in memory only, as
// libocpp does (persist false): after a restart they follow their stored state. A restart in the middle of an
// installation ends the update here anyway (Installed or InstallationFailed above), and one before it makes
// TsOcpp forget the status it was waiting for, so no install would follow that a stored hold could guard.
import type { Logger } from '../../log.js';
import type { OutboxKind, StatusNotificationOutboxPayload } from '../../device-model/types.js';
import type {
  FirmwareStatus, FirmwareStatusNotificationRequest, LogStatusNotificationRequest, UploadLogStatus,
} from './ocpp-types.js';
import type { Activity, ActivityStore } from './store.js';

/** libocpp firmware_status_end_states: the update is over; the connectors held for it follow their stored state again. */
const END_STATES: ReadonlySet<FirmwareStatus> = new Set<FirmwareStatus>([
  'DownloadFailed', 'InstallationFailed', 'Installed', 'InstallVerificationFailed', 'InvalidSignature',
]);

/** everest-core's system interface says -1 where a status belongs to no request (OCPP 1.6's unsigned update). */
const NO_REQUEST = -1;

export interface StationActivityOptions {
  store: ActivityStore;
  /** Runs `fn` in one device model transaction. */
  transaction<T>(fn: () => T): T;
  /** Appends one entry to the durable outbox (inside the transaction); absent without a CSMS link. */
  queue?: (kind: Extract<OutboxKind, 'FirmwareStatusNotification' | 'LogStatusNotification'>, payload: StatusNotificationOutboxPayload) => void;
  /** Records a security event through the service (security log, and the outbox when critical). */
  securityEvent(type: string, info: string): void;
  /** Tells the CSMS sender that entries were committed. */
  queued(): void;
  /** Whether any EVSE has a running transaction (L01.FR.06: install after the transactions end). */
  transactionActive(): boolean;
  /**
   * Holds the connectors Inoperative while the firmware installs (on) or lets them follow their stored state again
   * (off): the availability's non-persisted 'firmware' hold (src/ocpp/change-availability.ts).
   */
  holdConnectors(on: boolean): void;
  now(): Date;
  log: Logger;
}

export class StationActivity {
  readonly #o: StationActivityOptions;
  /**
   * The status after which the installation would start: SignatureVerified for a signed update, Downloaded for an
   * unsigned one (libocpp firmware_status_before_installing); set by the last UpdateFirmware.
   */
  #beforeInstalling: FirmwareStatus | undefined;
  #readyToInstall: (() => void) | undefined;
  /** UpdateFirmware / GetLog handlers waiting for the system's answer; queued entries are announced after it. */
  #holds = 0;
  #heldQueued = false;

  constructor(o: StationActivityOptions) {
    this.#o = o;
  }

  /**
   * The bus side: told when the firmware is ready to install (system.allow_firmware_installation, OCPP201's
   * all_connectors_unavailable_callback, once no transaction runs).
   */
  onReadyToInstall(fn: () => void): void {
    this.#readyToInstall = fn;
  }

  /**
   * While an UpdateFirmware or GetLog waits for the system's answer, what the system reports meanwhile is
   * recorded and queued at once (durable) but announced to the CSMS sender only at release(), after the
   * CALLRESULT (answer first, src/csms/answer-first.ts).
   */
  hold(): void {
    this.#holds++;
  }

  release(): void {
    if (this.#holds === 0) return;
    this.#holds--;
    if (this.#holds === 0 && this.#heldQueued) {
      this.#heldQueued = false;
      this.#o.queued();
    }
  }

  /** The last firmware status reported, if any. */
  firmware(): Activity<FirmwareStatus> | undefined {
    return this.#o.store.firmware();
  }

  /** The last log upload status reported, if any. */
  log(): Activity<UploadLogStatus> | undefined {
    return this.#o.store.log();
  }

  /** An UpdateFirmware was handed to the system module (L01 signed when it carries a certificate or a signature). */
  updateRequested(signed: boolean): void {
    this.#beforeInstalling = signed ? 'SignatureVerified' : 'Downloaded';
  }

  /** The system module's firmware_update_status. */
  firmwareStatus(requestId: number, status: FirmwareStatus): void {
    const last = this.#o.store.firmware();
    const id = requestId === NO_REQUEST ? undefined : requestId;
    // libocpp: the same status again (for the same request, or for none) was already sent.
    if (last?.status === status && (id === undefined || last.requestId === id)) return;
    const scheduled = status === this.#beforeInstalling && this.#o.transactionActive();
    this.#o.transaction(() => {
      this.#record('firmware', 'FirmwareStatusNotification', status, id);
      if (status === 'Installed') {
        this.#o.securityEvent('FirmwareUpdated', `New firmware installed${id !== undefined ? ` (requestId ${id})` : ''}`);
      } else if (status === 'InvalidSignature') {
        this.#o.securityEvent('InvalidFirmwareSignature', `Signature of the provided firmware is not valid${id !== undefined ? ` (requestId ${id})` : ''}`);
      }
      // libocpp (OCTT TC_L_15_CS): a transaction still runs when the firmware is ready to install: InstallScheduled,
      // and the installation waits for the transactions to end.
      if (scheduled) this.#record('firmware', 'FirmwareStatusNotification', 'InstallScheduled', id);
    });
    this.#announce();
    // libocpp: an end state restores the connectors; the status before installing makes the idle ones Unavailable
    // and the others as their transactions end (L01.FR.06/07), then the installation may begin.
    if (END_STATES.has(status)) this.#o.holdConnectors(false);
    if (status === this.#beforeInstalling) {
      this.#beforeInstalling = undefined;
      this.#o.holdConnectors(true);
      this.#readyToInstall?.();
    }
  }

  /** The system module's log_status (N01). */
  logStatus(requestId: number, status: UploadLogStatus): void {
    const id = requestId === NO_REQUEST ? undefined : requestId;
    this.#o.transaction(() => this.#record('log', 'LogStatusNotification', status, id));
    this.#announce();
  }

  /** F06 TriggerMessage FirmwareStatusNotification: Idle when nothing goes on or the last update was Installed (L01.FR.25/26). */
  triggeredFirmwareStatus(): FirmwareStatusNotificationRequest {
    const last = this.#o.store.firmware();
    if (!last || last.status === 'Idle' || last.status === 'Installed') return { status: 'Idle' };
    return { status: last.status, ...(last.requestId !== undefined ? { requestId: last.requestId } : {}) };
  }

  /** F06 TriggerMessage LogStatusNotification: Uploading with its requestId while an upload goes on, else Idle (N01.FR.03, libocpp). */
  triggeredLogStatus(): LogStatusNotificationRequest {
    const last = this.#o.store.log();
    if (last?.status !== 'Uploading') return { status: 'Idle' };
    return { status: 'Uploading', ...(last.requestId !== undefined ? { requestId: last.requestId } : {}) };
  }

  /** At open: the outcome of an update a restart cut through (see the top of this file). */
  recover(): void {
    const last = this.#o.store.firmware();
    if (!last) return;
    const id = last.requestId ?? NO_REQUEST;
    if (last.status === 'InstallRebooting') {
      this.#o.log.info({ requestId: last.requestId }, 'restarted after InstallRebooting: firmware update Installed');
      this.firmwareStatus(id, 'Installed');
    } else if (last.status === 'Installing') {
      this.#o.log.warn({ requestId: last.requestId }, 'restarted while the firmware was Installing: InstallationFailed');
      this.firmwareStatus(id, 'InstallationFailed');
    }
  }

  #announce(): void {
    if (this.#holds > 0) this.#heldQueued = true;
    else this.#o.queued();
  }

  #record(kind: 'firmware' | 'log', outboxKind: 'FirmwareStatusNotification' | 'LogStatusNotification', status: string, requestId: number | undefined): void {
    const payload: StatusNotificationOutboxPayload = { status, ...(requestId !== undefined ? { requestId } : {}) };
    this.#o.store.put(kind, { ...payload, updatedAt: this.#o.now().toISOString() });
    this.#o.queue?.(outboxKind, payload);
  }
}
