// The calls the bench makes: each case names a cmd and its argument variants (one variant per call,
// in turn: set_variables alternates two values so that every call really writes). Variables come from
// the device model TsOcpp seeds from config/device_model/, read once through the OCPP service.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OcppService, type ReportEntry } from '../../src/ocpp/service.js';
import type { ComponentVariable } from '../../src/generated/types/ocpp.js';

export interface BenchCase {
  /** Row name in the table. */
  name: string;
  impl: 'ocpp_generic' | 'data_transfer';
  cmd: string;
  variants: Array<Record<string, unknown>>;
  /** A target row: round trip within 1.3x of the floor at p50, throughput at least half of the floor's. */
  target?: boolean;
  note?: string;
}

function cvOf(e: ReportEntry): ComponentVariable {
  return { component: e.component, variable: e.variable };
}

export interface Payloads {
  cases: BenchCase[];
  /** Readable variables (for get requests) and writable integer ones with two valid values each. */
  readable: ComponentVariable[];
  writable: Array<{ cv: ComponentVariable; a: string; b: string }>;
}

const HEARTBEAT: ComponentVariable = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } };

export function getRequests(readable: ComponentVariable[], n: number): Record<string, unknown> {
  return { requests: Array.from({ length: n }, (_, i) => ({ component_variable: readable[i % readable.length]! })) };
}

export function setVariants(writable: Payloads['writable'], n: number): Array<Record<string, unknown>> {
  const pick = writable.slice(0, n);
  if (pick.length < n) throw new Error(`only ${pick.length} writable integer variables in the device model, need ${n}`);
  return [
    { requests: pick.map((w) => ({ component_variable: w.cv, value: w.b })) },
    { requests: pick.map((w) => ({ component_variable: w.cv, value: w.a })) },
  ];
}

/** Reads the seeded device model (in a scratch database under `dir`) and builds the cases. */
export function benchPayloads(dir: string): Payloads {
  const scratch = mkdtempSync(join(dir, 'payloads-'));
  const svc = OcppService.open({ dbPath: join(scratch, 'dm.db'), evseCount: 1, connectorsPerEvse: 1 });
  let all: ReportEntry[];
  try {
    all = svc.allVariables();
  } finally {
    svc.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  const readable = all.filter((e) => e.variable_attribute.some((a) => a.type === 'Actual' && a.value !== undefined)).map(cvOf);
  const writable = all
    .filter((e) => e.variable_characteristics.data_type === 'integer')
    .flatMap((e) => {
      const actual = e.variable_attribute.find((a) => a.type === 'Actual' && a.mutability === 'ReadWrite' && !a.constant);
      if (!actual || actual.value === undefined) return [];
      const a = Number(actual.value);
      const max = e.variable_characteristics.max_limit ?? Number.MAX_SAFE_INTEGER;
      const b = a + 1 <= max ? a + 1 : a - 1;
      return [{ cv: cvOf(e), a: String(a), b: String(b) }];
    });
  // HeartbeatInterval first: the single-request cases use it.
  const hb = (cv: ComponentVariable) => cv.component.name === HEARTBEAT.component.name && cv.variable.name === HEARTBEAT.variable.name && cv.variable.instance === undefined;
  readable.sort((x, y) => Number(hb(y)) - Number(hb(x)));
  writable.sort((x, y) => Number(hb(y.cv)) - Number(hb(x.cv)));

  const cases: BenchCase[] = [
    { name: 'get_variables(1)', impl: 'ocpp_generic', cmd: 'get_variables', variants: [getRequests(readable, 1)], target: true },
    { name: 'get_variables(10)', impl: 'ocpp_generic', cmd: 'get_variables', variants: [getRequests(readable, 10)] },
    { name: 'get_variables(100)', impl: 'ocpp_generic', cmd: 'get_variables', variants: [getRequests(readable, 100)] },
    { name: 'set_variables(1)', impl: 'ocpp_generic', cmd: 'set_variables', variants: setVariants(writable, 1), note: 'durable: each call changes the value' },
    { name: 'set_variables(10)', impl: 'ocpp_generic', cmd: 'set_variables', variants: setVariants(writable, 10), note: 'durable: one transaction of 10 writes' },
    {
      name: 'change_availability', impl: 'ocpp_generic', cmd: 'change_availability', target: true,
      variants: [{ request: { operational_status: 'Operative', evse: { id: 1 } } }], note: 'no state change',
    },
    {
      name: 'change_availability(toggle)', impl: 'ocpp_generic', cmd: 'change_availability',
      variants: [
        { request: { operational_status: 'Inoperative', evse: { id: 1 } } },
        { request: { operational_status: 'Operative', evse: { id: 1 } } },
      ],
      note: 'durable: each call changes the state',
    },
    {
      name: 'security_event', impl: 'ocpp_generic', cmd: 'security_event',
      variants: [{ type: 'TsOcppBenchEvent', info: 'bench' }], note: 'durable log entry + var publish',
    },
    {
      name: 'data_transfer', impl: 'data_transfer', cmd: 'data_transfer', target: true,
      variants: [{ request: { vendor_id: 'org.tsocpp', message_id: 'GetVariable', data: JSON.stringify(HEARTBEAT) } }],
      note: 'built-in GetVariable',
    },
  ];
  return { cases, readable, writable };
}
