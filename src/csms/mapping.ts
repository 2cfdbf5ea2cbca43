// The one mapping between OCPP's camelCase JSON (src/csms/ocpp-types.ts) and EVerest's snake_case types
// (src/generated/types/ocpp.ts). Every CSMS message reaches the OCPP service through these functions, so a
// CSMS GetVariables and a bus get_variables run the same code with the same data.
// everest-core modules/EVSE/OCPP201/conversions.cpp does the same job for libocpp's types.
import type {
  ChangeAvailabilityRequest, ChangeAvailabilityResponse, Component, ComponentVariable, DataTransferRequest,
  DataTransferResponse, DataTransferStatus, EventData, EVSE, GetVariableRequest, GetVariableResult,
  SetVariableRequest, SetVariableResult, StatusInfoType, Variable,
} from '../generated/types/ocpp.js';
import type { OutboxPayload, ReportEntry } from '../ocpp/service.js';
import type {
  ChangeAvailabilityRequest as OcppChangeAvailabilityRequest,
  ChangeAvailabilityResponse as OcppChangeAvailabilityResponse,
  GetVariableData, OcppComponent, OcppDataTransferRequest, OcppDataTransferResponse, OcppEventData, OcppEvse,
  OcppGetVariableResult, OcppSetVariableResult, OcppStatusInfo, OcppVariable, ReportData,
  SecurityEventNotificationRequest, SetVariableData,
} from './ocpp-types.js';

// OCPP 2.0.1 schema lengths (ocpp-rpc lib/schemas/ocpp2_0_1.json).
export const MAX_ATTRIBUTE_VALUE = 2500; // GetVariableResult.attributeValue, VariableAttribute.value, EventData.actualValue
const MAX_VALUES_LIST = 1000;
const MAX_UNIT = 16;
const MAX_REASON_CODE = 20;
const MAX_ADDITIONAL_INFO = 512;
const MAX_TECH_INFO_SECURITY = 255;
const MAX_EVENT_TECH_CODE = 50;
const MAX_EVENT_TECH_INFO = 500;
const MAX_TRANSACTION_ID = 36;

export function truncate(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

// ---- identifiers ----

export function toEverestEvse(e: OcppEvse): EVSE {
  const out: EVSE = { id: e.id };
  if (e.connectorId !== undefined) out.connector_id = e.connectorId;
  return out;
}

export function toOcppEvse(e: EVSE): OcppEvse {
  const out: OcppEvse = { id: e.id };
  if (e.connector_id !== undefined) out.connectorId = e.connector_id;
  return out;
}

export function toEverestComponentVariable(component: OcppComponent, variable: OcppVariable): ComponentVariable {
  const c: Component = { name: component.name };
  if (component.instance !== undefined) c.instance = component.instance;
  if (component.evse !== undefined) c.evse = toEverestEvse(component.evse);
  const v: Variable = { name: variable.name };
  if (variable.instance !== undefined) v.instance = variable.instance;
  return { component: c, variable: v };
}

export function toOcppComponent(c: Component): OcppComponent {
  const out: OcppComponent = { name: c.name };
  if (c.instance !== undefined) out.instance = c.instance;
  if (c.evse !== undefined) out.evse = toOcppEvse(c.evse);
  return out;
}

export function toOcppVariable(v: Variable): OcppVariable {
  const out: OcppVariable = { name: v.name };
  if (v.instance !== undefined) out.instance = v.instance;
  return out;
}

export function toOcppStatusInfo(s: StatusInfoType): OcppStatusInfo {
  const out: OcppStatusInfo = { reasonCode: truncate(s.reason_code, MAX_REASON_CODE) };
  if (s.additional_info !== undefined) out.additionalInfo = truncate(s.additional_info, MAX_ADDITIONAL_INFO);
  return out;
}

// ---- GetVariables / SetVariables ----

export function toEverestGetVariableRequests(data: GetVariableData[]): GetVariableRequest[] {
  return data.map((d) => {
    const r: GetVariableRequest = { component_variable: toEverestComponentVariable(d.component, d.variable) };
    if (d.attributeType !== undefined) r.attribute_type = d.attributeType;
    return r;
  });
}

/** OCPP 2.0.1 DeviceDataCtrlr ReportingValueSize: longer values are truncated to `maxValue`. */
export function toOcppGetVariableResults(results: GetVariableResult[], maxValue: number): OcppGetVariableResult[] {
  return results.map((r) => {
    const out: OcppGetVariableResult = {
      attributeStatus: r.status,
      component: toOcppComponent(r.component_variable.component),
      variable: toOcppVariable(r.component_variable.variable),
    };
    if (r.attribute_type !== undefined) out.attributeType = r.attribute_type;
    if (r.value !== undefined) out.attributeValue = truncate(r.value, maxValue);
    return out;
  });
}

export function toEverestSetVariableRequests(data: SetVariableData[]): SetVariableRequest[] {
  return data.map((d) => {
    const r: SetVariableRequest = { component_variable: toEverestComponentVariable(d.component, d.variable), value: d.attributeValue };
    if (d.attributeType !== undefined) r.attribute_type = d.attributeType;
    return r;
  });
}

export function toOcppSetVariableResults(results: SetVariableResult[]): OcppSetVariableResult[] {
  return results.map((r) => {
    const out: OcppSetVariableResult = {
      attributeStatus: r.status,
      component: toOcppComponent(r.component_variable.component),
      variable: toOcppVariable(r.component_variable.variable),
    };
    if (r.attribute_type !== undefined) out.attributeType = r.attribute_type;
    return out;
  });
}

// ---- reports and events ----

/**
 * One device model entry as NotifyReport ReportData. `withCharacteristics` is false for SummaryInventory,
 * which libocpp device_model.cpp get_base_report_data sends without them. A WriteOnly value never gets here
 * (src/ocpp/report.ts drops it).
 */
export function toOcppReportData(
  entry: ReportEntry, attributes: ReportEntry['variable_attribute'], maxValue: number, withCharacteristics: boolean,
): ReportData {
  const out: ReportData = {
    component: toOcppComponent(entry.component),
    variable: toOcppVariable(entry.variable),
    variableAttribute: attributes.map((a) => {
      const attr: ReportData['variableAttribute'][number] = {
        type: a.type, mutability: a.mutability, persistent: a.persistent, constant: a.constant,
      };
      if (a.value !== undefined) attr.value = truncate(a.value, maxValue);
      return attr;
    }),
  };
  if (withCharacteristics) {
    const ch = entry.variable_characteristics;
    const c: NonNullable<ReportData['variableCharacteristics']> = { dataType: ch.data_type, supportsMonitoring: ch.supports_monitoring };
    if (ch.unit !== undefined) c.unit = truncate(ch.unit, MAX_UNIT);
    if (ch.min_limit !== undefined) c.minLimit = ch.min_limit;
    if (ch.max_limit !== undefined) c.maxLimit = ch.max_limit;
    if (ch.values_list !== undefined) c.valuesList = truncate(ch.values_list, Math.min(maxValue, MAX_VALUES_LIST));
    out.variableCharacteristics = c;
  }
  return out;
}

export function toOcppEventData(e: EventData, maxValue: number): OcppEventData {
  const out: OcppEventData = {
    eventId: e.event_id,
    timestamp: e.timestamp,
    trigger: e.trigger,
    actualValue: truncate(e.actual_value, maxValue),
    eventNotificationType: e.event_notification_type,
    component: toOcppComponent(e.component_variable.component),
    variable: toOcppVariable(e.component_variable.variable),
  };
  if (e.cause !== undefined) out.cause = e.cause;
  if (e.tech_code !== undefined) out.techCode = truncate(e.tech_code, MAX_EVENT_TECH_CODE);
  if (e.tech_info !== undefined) out.techInfo = truncate(e.tech_info, MAX_EVENT_TECH_INFO);
  if (e.cleared !== undefined) out.cleared = e.cleared;
  if (e.transaction_id !== undefined) out.transactionId = truncate(e.transaction_id, MAX_TRANSACTION_ID);
  if (e.variable_monitoring_id !== undefined) out.variableMonitoringId = e.variable_monitoring_id;
  return out;
}

export function toOcppSecurityEvent(p: OutboxPayload<'SecurityEventNotification'>): SecurityEventNotificationRequest {
  const out: SecurityEventNotificationRequest = { type: p.type, timestamp: p.timestamp };
  if (p.tech_info !== undefined) out.techInfo = truncate(p.tech_info, MAX_TECH_INFO_SECURITY);
  return out;
}

// ---- ChangeAvailability ----

export function toEverestChangeAvailability(req: OcppChangeAvailabilityRequest): ChangeAvailabilityRequest {
  const out: ChangeAvailabilityRequest = { operational_status: req.operationalStatus };
  if (req.evse !== undefined) out.evse = toEverestEvse(req.evse);
  return out;
}

export function toOcppChangeAvailabilityResponse(res: ChangeAvailabilityResponse): OcppChangeAvailabilityResponse {
  const out: OcppChangeAvailabilityResponse = { status: res.status };
  if (res.status_info !== undefined) out.statusInfo = toOcppStatusInfo(res.status_info);
  return out;
}

// ---- DataTransfer ----
// EVerest carries data as a string, OCPP as any JSON value. Towards EVerest the JSON is serialized
// (conversions.cpp to_everest_data_transfer_request: data.dump()); towards OCPP a string that is JSON is
// sent as that JSON (to_ocpp_data_transfer_request: json::parse), and one that is not is sent as a JSON
// string (conversions.cpp drops it with an error instead).

function dataToOcpp(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

const DATA_TRANSFER_STATUSES: ReadonlySet<string> = new Set<DataTransferStatus>(['Accepted', 'Rejected', 'UnknownMessageId', 'UnknownVendorId']);

export function toEverestDataTransferRequest(req: OcppDataTransferRequest): DataTransferRequest {
  const out: DataTransferRequest = { vendor_id: req.vendorId };
  if (req.messageId !== undefined) out.message_id = req.messageId;
  if (req.data !== undefined) out.data = JSON.stringify(req.data);
  return out;
}

export function toOcppDataTransferRequest(req: DataTransferRequest): OcppDataTransferRequest {
  const out: OcppDataTransferRequest = { vendorId: req.vendor_id };
  if (req.message_id !== undefined) out.messageId = req.message_id;
  if (req.data !== undefined) out.data = dataToOcpp(req.data);
  return out;
}

export function toOcppDataTransferResponse(res: DataTransferResponse): OcppDataTransferResponse {
  const out: OcppDataTransferResponse = { status: res.status };
  if (res.data !== undefined) out.data = dataToOcpp(res.data);
  return out;
}

export function toEverestDataTransferResponse(res: OcppDataTransferResponse): DataTransferResponse {
  const out: DataTransferResponse = { status: res.status };
  if (res.data !== undefined) out.data = JSON.stringify(res.data);
  return out;
}

/** A result that came from another module over the bus, checked before it goes to the CSMS. */
export function asDataTransferResponse(v: unknown): DataTransferResponse | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as { status?: unknown; data?: unknown };
  if (typeof r.status !== 'string' || !DATA_TRANSFER_STATUSES.has(r.status)) return undefined;
  if (r.data !== undefined && typeof r.data !== 'string') return undefined;
  const out: DataTransferResponse = { status: r.status as DataTransferStatus };
  if (typeof r.data === 'string') out.data = r.data;
  return out;
}
