// The device model variables the CSMS link reads, read through the same get_variables path as the bus
// (a variable that is missing or unreadable gives the fallback). Names as in libocpp
// ctrlr_component_variables.cpp (OCPPCommCtrlr, DeviceDataCtrlr, InternalCtrlr, SecurityCtrlr).
import type { ComponentVariable } from '../generated/types/ocpp.js';
import type { OcppService } from '../ocpp/service.js';

export const cvOf = (component: string, variable: string, variableInstance?: string, evse?: { id: number; connector_id?: number }): ComponentVariable => {
  const cv: ComponentVariable = { component: { name: component }, variable: { name: variable } };
  if (variableInstance !== undefined) cv.variable.instance = variableInstance;
  if (evse !== undefined) cv.component.evse = evse;
  return cv;
};

export const HEARTBEAT_INTERVAL = cvOf('OCPPCommCtrlr', 'HeartbeatInterval');
export const BASIC_AUTH_PASSWORD = cvOf('SecurityCtrlr', 'BasicAuthPassword');
export const SECURITY_PROFILE = cvOf('SecurityCtrlr', 'SecurityProfile');
export const IDENTITY = cvOf('SecurityCtrlr', 'Identity');
const REPORTING_VALUE_SIZE = cvOf('DeviceDataCtrlr', 'ReportingValueSize');

export function readString(service: OcppService, cv: ComponentVariable): string | undefined {
  const [r] = service.getVariables([{ component_variable: cv }]);
  return r?.status === 'Accepted' ? r.value : undefined;
}

export function readInt(service: OcppService, cv: ComponentVariable, fallback: number): number {
  const v = readString(service, cv);
  const n = v === undefined || v.trim() === '' ? NaN : Number(v);
  return Number.isInteger(n) ? n : fallback;
}

/** Several integers in one get_variables batch. */
export function readInts(service: OcppService, cvs: Array<[ComponentVariable, number]>): number[] {
  const results = service.getVariables(cvs.map(([cv]) => ({ component_variable: cv })));
  return cvs.map(([, fallback], i) => {
    const r = results[i];
    const n = r?.status === 'Accepted' && r.value !== undefined && r.value.trim() !== '' ? Number(r.value) : NaN;
    return Number.isInteger(n) ? n : fallback;
  });
}

export function readBool(service: OcppService, cv: ComponentVariable, fallback: boolean): boolean {
  const v = readString(service, cv)?.toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : fallback;
}

/** What the link needs per connection; read at every connect, so a change applies at the next one. */
export interface CommSettings {
  messageTimeoutS: number;
  pingIntervalS: number;
  retryBackOffWaitMinimumS: number;
  retryBackOffRandomRangeS: number;
  retryBackOffRepeatTimes: number;
  /** Failed attempts on one network profile before the next one is tried (B09/B10). */
  networkProfileConnectionAttempts: number;
}

export function readCommSettings(service: OcppService): CommSettings {
  return {
    messageTimeoutS: readInt(service, cvOf('OCPPCommCtrlr', 'MessageTimeout', 'Default'), 30),
    pingIntervalS: readInt(service, cvOf('OCPPCommCtrlr', 'WebSocketPingInterval'), 30),
    retryBackOffWaitMinimumS: readInt(service, cvOf('OCPPCommCtrlr', 'RetryBackOffWaitMinimum'), 1),
    retryBackOffRandomRangeS: readInt(service, cvOf('OCPPCommCtrlr', 'RetryBackOffRandomRange'), 2),
    retryBackOffRepeatTimes: readInt(service, cvOf('OCPPCommCtrlr', 'RetryBackOffRepeatTimes'), 2),
    networkProfileConnectionAttempts: readInt(service, cvOf('OCPPCommCtrlr', 'NetworkProfileConnectionAttempts'), 3),
  };
}

/** DeviceDataCtrlr limits of one message kind (B06.FR.16/17 for GetVariables, B05 for SetVariables). */
export function readMessageLimits(service: OcppService, instance: 'GetVariables' | 'SetVariables' | 'GetReport'): { items: number; bytes: number; reportingValueSize: number } {
  const [items, bytes, valueSize] = readInts(service, [
    [cvOf('DeviceDataCtrlr', 'ItemsPerMessage', instance), Number.MAX_SAFE_INTEGER],
    [cvOf('DeviceDataCtrlr', 'BytesPerMessage', instance), Number.MAX_SAFE_INTEGER],
    [REPORTING_VALUE_SIZE, 0],
  ]);
  return { items: items!, bytes: bytes!, reportingValueSize: valueSize! };
}


/** DeviceDataCtrlr ReportingValueSize, capped at the schema's 2500. */
export function readReportingValueSize(service: OcppService, schemaMax: number): number {
  return capValueSize(readInt(service, REPORTING_VALUE_SIZE, schemaMax), schemaMax);
}

export function capValueSize(n: number, schemaMax: number): number {
  return n > 0 ? Math.min(n, schemaMax) : schemaMax;
}

/** InternalCtrlr MaxMessageSize: the bound libocpp's NotifyReport splitter uses. */
export function readMaxMessageSize(service: OcppService): number {
  return readInt(service, cvOf('InternalCtrlr', 'MaxMessageSize'), 65000);
}
