// StatusNotification for every connector after an Accepted boot, on every change of a connector's status,
// and when the CSMS triggers one (OCPP 2.0.1 G01, G03, G04, F06). The status comes from the OCPP service
// (src/ocpp/connector-status.ts: libocpp's component state manager rules: Faulted, Unavailable, Occupied,
// Reserved, Available). Only changes are sent, except after a boot and on a trigger. While the station is
// not Accepted nothing is sent and nothing counts as reported: the next Accepted boot sends every connector's
// current status (libocpp: the send callback fails offline, so the last reported status stays).
import type { Logger } from '../../log.js';
import type { OcppService } from '../../ocpp/service.js';
import type { ConnectorStatus, StatusNotificationRequest } from '../ocpp-types.js';
import { classifyFailure, type Sender } from '../sender.js';

export interface ConnectorState {
  evseId: number;
  connectorId: number;
  status: ConnectorStatus;
}

const key = (evseId: number, connectorId: number) => `${evseId}:${connectorId}`;

export function connectorStates(service: OcppService): ConnectorState[] {
  const out: ConnectorState[] = [];
  for (const evse of service.availability().evses) {
    for (const c of evse.connectors) out.push({ evseId: evse.id, connectorId: c.id, status: service.connectorStatus(evse.id, c.id) });
  }
  return out;
}

export class StatusReporter {
  readonly #service: OcppService;
  readonly #sender: Sender;
  readonly #now: () => Date;
  readonly #log: Logger;
  readonly #sent = new Map<string, ConnectorStatus>();

  constructor(service: OcppService, sender: Sender, now: () => Date, log: Logger) {
    this.#service = service;
    this.#sender = sender;
    this.#now = now;
    this.#log = log;
  }

  /** After an Accepted BootNotification: every connector. */
  sendAll(): void {
    this.#sent.clear();
    for (const s of connectorStates(this.#service)) this.#send(s, false);
  }

  /** On an availability or connector status change: the connectors whose status differs from what the CSMS last got. */
  sendChanged(): void {
    if (!this.#sender.accepted) return;
    for (const s of connectorStates(this.#service)) {
      if (this.#sent.get(key(s.evseId, s.connectorId)) !== s.status) this.#send(s, false);
    }
  }

  /** TriggerMessage StatusNotification for one connector (F06.FR.12 asks for EVSE and connector). */
  sendOne(evseId: number, connectorId: number): void {
    const s = connectorStates(this.#service).find((x) => x.evseId === evseId && x.connectorId === connectorId);
    if (s) this.#send(s, true);
  }

  exists(evseId: number, connectorId: number): boolean {
    return this.#service.availability().evses.some((e) => e.id === evseId && e.connectors.some((c) => c.id === connectorId));
  }

  /** A new connection: the CSMS gets everything again after the next Accepted boot. */
  reset(): void {
    this.#sent.clear();
  }

  #send(s: ConnectorState, triggered: boolean): void {
    const k = key(s.evseId, s.connectorId);
    this.#sent.set(k, s.status);
    const req: StatusNotificationRequest = {
      timestamp: this.#now().toISOString(), connectorStatus: s.status, evseId: s.evseId, connectorId: s.connectorId,
    };
    this.#sender.call('StatusNotification', req, { triggered }).catch((err: unknown) => {
      // Not delivered: forget it, so the next change or boot sends the current status.
      if (this.#sent.get(k) === s.status) this.#sent.delete(k);
      this.#log.warn({ evse: s.evseId, connector: s.connectorId, failure: classifyFailure(err), err }, 'StatusNotification not delivered');
    });
  }
}
