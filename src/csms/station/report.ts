// GetBaseReport material and its NotifyReport parts. Selection as libocpp device_model.cpp
// get_base_report_data: FullInventory every attribute of every variable; ConfigurationInventory the
// ReadWrite and WriteOnly attributes (a variable without one is left out); SummaryInventory the
// AvailabilityState of ChargingStation, EVSE and Connector, and Problem/Tripped/Overload/Fallback when
// "true" (without characteristics). A WriteOnly attribute is listed without its value.
// Parts: libocpp provisioning.cpp notify_report_req splits the report so that no message exceeds
// InternalCtrlr MaxMessageSize; seqNo counts from 0 and tbc is true on all parts but the last.
import type { OcppService, ReportEntry } from '../../ocpp/service.js';
import { toOcppReportData } from '../mapping.js';
import type { NotifyReportRequest, ReportBase, ReportData } from '../ocpp-types.js';

const SUMMARY_FLAGS: ReadonlySet<string> = new Set(['Problem', 'Tripped', 'Overload', 'Fallback']);
const AVAILABILITY_COMPONENTS: ReadonlySet<string> = new Set(['ChargingStation', 'EVSE', 'Connector']);

function summaryAttributes(e: ReportEntry): ReportEntry['variable_attribute'] {
  if (e.variable.instance !== undefined) return [];
  if (e.variable.name === 'AvailabilityState' && AVAILABILITY_COMPONENTS.has(e.component.name)) return e.variable_attribute;
  if (SUMMARY_FLAGS.has(e.variable.name)) return e.variable_attribute.filter((a) => a.value === 'true');
  return [];
}

export function reportData(service: OcppService, base: ReportBase, maxValue: number): ReportData[] {
  const out: ReportData[] = [];
  for (const e of service.allVariables()) {
    let attributes: ReportEntry['variable_attribute'];
    if (base === 'FullInventory') attributes = e.variable_attribute;
    else if (base === 'ConfigurationInventory') attributes = e.variable_attribute.filter((a) => a.mutability !== 'ReadOnly');
    else attributes = summaryAttributes(e);
    // ReportDataType.variableAttribute has minItems 1.
    if (attributes.length === 0) continue;
    out.push(toOcppReportData(e, attributes, maxValue, base !== 'SummaryInventory'));
  }
  return out;
}

// The CALL around the payload: [2,"<36-char uuid>","NotifyReport",<payload>].
const ENVELOPE_BYTES = 64;

export function splitReport(requestId: number, data: ReportData[], maxMessageBytes: number, generatedAt: string): NotifyReportRequest[] {
  const parts: ReportData[][] = [];
  const head = Buffer.byteLength(JSON.stringify({ requestId, generatedAt, tbc: false, seqNo: 0, reportData: [] })) + ENVELOPE_BYTES + 16;
  let current: ReportData[] = [];
  let size = head;
  for (const d of data) {
    const bytes = Buffer.byteLength(JSON.stringify(d)) + 1;
    // Always at least one entry per part, even if that one alone is larger than the bound.
    if (current.length > 0 && size + bytes > maxMessageBytes) {
      parts.push(current);
      current = [];
      size = head;
    }
    current.push(d);
    size += bytes;
  }
  if (current.length > 0) parts.push(current);
  return parts.map((reportData, seqNo) => ({ requestId, generatedAt, reportData, seqNo, tbc: seqNo < parts.length - 1 }));
}
