// TsOcpp on the bus: the ocpp and ocpp_data_transfer handlers call the OCPP service, and the
// service's events become vars. The only file that knows both the bus module and the OCPP service.
import type { EverestModule, ModuleHandlers, ModuleSpec } from '../everest/module.js';
import type { OcppService } from '../ocpp/service.js';
import type { Logger } from '../log.js';
import type { OcppCmds, OcppVars } from '../generated/interfaces/ocpp.js';
import type { OcppDataTransferCmds, OcppDataTransferVars } from '../generated/interfaces/ocpp_data_transfer.js';
import type { SecurityEvent, DataTransferRequest, DataTransferResponse, EVSE } from '../generated/types/ocpp.js';
import { CmdError } from '../errors.js';
import { onPublishFailure } from './publish-failure.js';
import { fromProvidedToken, toValidationResult, type BusProvidedIdToken, type BusValidationResult } from './auth-token.js';

/** security_event of everest-core from 2024.10 on: one `event` instead of 2023.12's `type` and `info`. */
export interface EventSecurityEventArgs {
  event: SecurityEvent;
}

/** types/ocpp.yaml OcppTransactionEvent of everest-core 2024.x on (the var ocpp_transaction_event). */
export interface OcppTransactionEvent {
  transaction_event: 'Started' | 'Updated' | 'Ended';
  evse?: EVSE;
  session_id: string;
  transaction_id?: string;
}

/** types/ocpp.yaml OcppTransactionEventResponse of everest-core 2024.x on (the var ocpp_transaction_event_response). */
export interface OcppTransactionEventResponse {
  original_transaction_event: OcppTransactionEvent;
  total_cost?: number;
  charging_priority?: number;
  personal_message?: { format?: string; language?: string; content: string };
}

export interface TsOcppSpec extends ModuleSpec {
  ocpp_generic: {
    cmds: Omit<OcppCmds, 'security_event'> & {
      security_event: { args: OcppCmds['security_event']['args'] | EventSecurityEventArgs; result: null };
    };
    // The transaction vars exist only where the ocpp interface in force declares them (transaction-control.ts).
    vars: OcppVars & { ocpp_transaction_event: OcppTransactionEvent; ocpp_transaction_event_response: OcppTransactionEventResponse };
  };
  data_transfer: { cmds: OcppDataTransferCmds; vars: OcppDataTransferVars };
  /** auth_token_validator: the Auth module asks TsOcpp whether a token may charge (C01-C15). */
  auth_validator: {
    cmds: { validate_token: { args: { provided_token: BusProvidedIdToken }; result: BusValidationResult } };
    vars: object;
  };
  /** auth_token_provider: tokens the CSMS provides (RequestStartTransaction, F01-F02). */
  auth_provider: { cmds: object; vars: { provided_token: BusProvidedIdToken } };
}

/** Both security_event forms become the same SecurityEvent (the definition in force decides which arrives). */
export function toSecurityEvent(args: TsOcppSpec['ocpp_generic']['cmds']['security_event']['args']): SecurityEvent {
  const ev: SecurityEvent = 'event' in args ? args.event : { type: args.type, info: args.info };
  // The schema allows any string; an event without a type is the caller's error, not the handler's.
  if (ev.type.trim() === '') throw new CmdError('SchemaValidationError', `security_event: ${'event' in args ? 'event/type' : 'type'}: must not be empty`);
  return ev;
}

export const TSOCPP_VENDOR_ID = 'org.tsocpp';

/**
 * Where no evse_manager feeds transaction state, this vendor message sets it:
 * data `{"evse_id": 1, "active": true}`. Used by tests and by integrations without an evse_manager.
 */
function registerTransactionHandler(service: OcppService): void {
  service.dataTransfer.register(TSOCPP_VENDOR_ID, 'SetTransactionActive', (req): DataTransferResponse => {
    let data: unknown;
    try {
      data = JSON.parse(req.data ?? '');
    } catch {
      return { status: 'Rejected', data: 'data must be JSON {"evse_id": <int>, "active": <bool>}' };
    }
    const d = data as { evse_id?: unknown; active?: unknown };
    if (!Number.isInteger(d.evse_id) || typeof d.active !== 'boolean') {
      return { status: 'Rejected', data: 'data must be JSON {"evse_id": <int>, "active": <bool>}' };
    }
    service.setTransactionActive(d.evse_id as number, d.active);
    return { status: 'Accepted' };
  });
}

/** With a CSMS link, the bus data_transfer command goes to the CSMS (src/csms/index.ts Csms.dataTransfer). */
export interface CsmsDataTransfer {
  dataTransfer(req: DataTransferRequest): Promise<DataTransferResponse>;
}

/**
 * The handlers of both implementations, made once the service (and the CSMS link, when there is one) is
 * open: the bus module serves no call before they exist.
 */
export function ocppHandlers(service: OcppService, csms: CsmsDataTransfer | undefined): ModuleHandlers<TsOcppSpec> {
  return {
    ocpp_generic: {
      stop: () => service.stop(),
      restart: () => service.restart(),
      get_variables: (args) => service.getVariables(args.requests),
      // Group commit: one fsync for the durable calls of one event-loop turn, each answered after it.
      set_variables: (args) => service.setVariablesBatched(args.requests),
      monitor_variables: (args) => {
        service.monitorVariables(args.component_variables);
        return null;
      },
      change_availability: (args) => service.changeAvailabilityBatched(args.request),
      security_event: async (args) => {
        await service.securityEventBatched(toSecurityEvent(args));
        return null;
      },
    },
    data_transfer: {
      // everest-core OCPP201 data_transfer/ocpp_data_transferImpl.cpp: to the CSMS when there is a link.
      data_transfer: csms ? (args) => csms.dataTransfer(args.request) : (args) => service.dataTransfer.handle(args.request),
    },
    auth_validator: {
      // The answer takes the release of the question: the token arrived checked against the definition in
      // force, and a 2023.12 token (id_token a string) means 2023.12's ValidationResult (no tariff_messages).
      validate_token: async (args) => {
        const t = fromProvidedToken(args.provided_token);
        const v = await service.auth.validate(t.idToken, t.evseIds);
        return toValidationResult(v, typeof args.provided_token.id_token === 'string' ? '2023.12' : '2026.02');
      },
    },
    auth_provider: {},
  };
}

/**
 * A CSMS DataTransfer that TsOcpp's own registry does not know goes to the `data_transfer` requirement when
 * one is connected (everest-core OCPP201.cpp data_transfer_callback); undefined without a connection.
 */
export function dataTransferForwarder(mod: EverestModule<TsOcppSpec>): ((req: DataTransferRequest) => Promise<unknown>) | undefined {
  if (mod.connections('data_transfer').length === 0) return undefined;
  return (req) => mod.call('data_transfer', 0, 'data_transfer', { request: req });
}

/** After the service is open: its events become vars. Vars published before global ready are kept by QoS 2 like any other. */
export function publishServiceEvents(mod: EverestModule<TsOcppSpec>, service: OcppService, log: Logger): void {
  registerTransactionHandler(service);
  const report = (what: string) => onPublishFailure(log, what, what === 'is_connected' ? 'debug' : 'warn');
  service.on('security_event', (ev) => { mod.publish('ocpp_generic', 'security_event', ev).catch(report('security_event')); });
  service.on('event_data', (ev) => { mod.publish('ocpp_generic', 'event_data', ev).catch(report('event_data')); });
  service.on('connection', (up) => { mod.publish('ocpp_generic', 'is_connected', up).catch(report('is_connected')); });
  // The ocpp interface has no availability var: changes go out on the external MQTT prefix, where
  // other modules and tools can read them without an interface change.
  service.on('availability', (change) => {
    mod.publishExternal(`tsocpp/${mod.selfId}/availability`, JSON.stringify(change));
  });
  mod.onReady(() => mod.publish('ocpp_generic', 'is_connected', service.isConnected()).catch(report('is_connected')));
}
