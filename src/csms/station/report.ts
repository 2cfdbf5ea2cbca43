// GetBaseReport material and its NotifyReport parts. Selection as libocpp device_model.cpp
// get_base_report_data: FullInventory every attribute of every variable; ConfigurationInventory the
// ReadWrite and WriteOnly attributes (a variable without one is left out); SummaryInventory the
// AvailabilityState of ChargingStation, EVSE and Connector, and Problem/Tripped/Overload/Fallback when
// "true" (without characteristics). A WriteOnly attribute is listed without its value.
// GetReport (B08) selects as libocpp device_model.cpp get_custom_report_data: a component passes the
// criteria when any criterion's variable (no instance) is "true" in its Actual attribute, or when the
// component lacks that variable, except Problem; the componentVariable list then picks variables
// (customReportData below). Every attribute of a picked variable is reported, with characteristics.
// Parts: libocpp provisioning.cpp notify_report_req splits the report so that no message exceeds
// InternalCtrlr MaxMessageSize; seqNo counts from 0 and tbc is true on all parts but the last.
import type { OcppService, ReportEntry } from '../../ocpp/service.js';
import { toOcppComponent, toOcppReportData, toOcppVariable } from '../mapping.js';
import type { ComponentCriterion, GetReportRequest, NotifyReportRequest, OcppComponent, OcppVariable, ReportBase, ReportData } from '../ocpp-types.js';

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

function sameComponent(a: OcppComponent, b: OcppComponent): boolean {
  return a.name === b.name && a.instance === b.instance && a.evse?.id === b.evse?.id && a.evse?.connectorId === b.evse?.connectorId;
}

function sameVariable(a: OcppVariable, b: OcppVariable): boolean {
  return a.name === b.name && a.instance === b.instance;
}

type Wanted = NonNullable<GetReportRequest['componentVariable']>[number];

// libocpp component_variables_match: the whole component when no variable is named; the variable, or
// every instance of it when the request names none; and a component named without an EVSE matches that
// component at every EVSE for the variable named (B08.FR.23).
function wanted(list: readonly Wanted[], component: OcppComponent, variable: OcppVariable): boolean {
  return list.some((w) => {
    if (sameComponent(component, w.component)) {
      if (w.variable === undefined) return true;
      if (sameVariable(variable, w.variable)) return true;
      if (w.variable.instance === undefined && variable.name === w.variable.name) return true;
    }
    return w.component.evse === undefined && w.component.name === component.name && w.component.instance === component.instance
      && w.variable !== undefined && sameVariable(variable, w.variable);
  });
}

function componentKey(c: OcppComponent): string {
  return JSON.stringify([c.name, c.instance ?? null, c.evse?.id ?? null, c.evse?.connectorId ?? null]);
}

/** GetReport (B08): what the criteria and the componentVariable list select; both absent: everything. */
export function customReportData(
  service: OcppService, criteria: readonly ComponentCriterion[] | undefined, list: readonly Wanted[] | undefined, maxValue: number,
): ReportData[] {
  const entries = service.allVariables().map((e) => ({ e, component: toOcppComponent(e.component), variable: toOcppVariable(e.variable) }));
  // Per component, the Actual value of each variable without an instance: what a criterion reads.
  const flags = new Map<string, Map<string, string | undefined>>();
  for (const { e, component } of entries) {
    if (e.variable.instance !== undefined) continue;
    const key = componentKey(component);
    let vars = flags.get(key);
    if (!vars) flags.set(key, vars = new Map<string, string | undefined>());
    vars.set(e.variable.name, e.variable_attribute.find((a) => a.type === 'Actual')?.value);
  }
  const passes = (component: OcppComponent): boolean => {
    if (criteria === undefined) return true;
    const vars = flags.get(componentKey(component));
    return criteria.some((c) => {
      const value = vars?.get(c);
      if (value === undefined) return c !== 'Problem';
      return value.toLowerCase() === 'true';
    });
  };
  const out: ReportData[] = [];
  for (const { e, component, variable } of entries) {
    if (!passes(component)) continue;
    if (list !== undefined && !wanted(list, component, variable)) continue;
    if (e.variable_attribute.length === 0) continue;
    out.push(toOcppReportData(e, e.variable_attribute, maxValue, true));
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
