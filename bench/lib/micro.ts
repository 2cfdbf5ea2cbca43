// In-process micro benchmarks: the compiled validators alone, and the device model alone on SQLite.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileInterface, type Check } from '../../src/schema/compile.js';
import { bundledInterfaces, bundledTypes } from '../../src/schema/definitions.js';
import { OcppService } from '../../src/ocpp/service.js';
import type { GetVariableRequest, SetVariableRequest } from '../../src/generated/types/ocpp.js';
import { getRequests, setVariants, type Payloads } from './payloads.js';
import { round } from './stats.js';

/** ns per call of fn, over at least `ms` after a warm-up. */
function nsPerOp(fn: () => unknown, ms = 300): number {
  for (let i = 0; i < 20_000; i++) fn();
  let iterations = 0;
  let batch = 1000;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) fn();
    iterations += batch;
    elapsed = performance.now() - t0;
    if (elapsed < ms / 10) batch *= 2;
  }
  return (elapsed * 1e6) / iterations;
}

export interface ValidationRow {
  name: string;
  /** ns per validated args payload. */
  argsNs: number;
  /** ns per validated result (where the bench has a result at hand). */
  resultNs?: number;
  /** ns to JSON.parse the call as it arrives (envelope included), for scale. */
  parseNs: number;
  bytes: number;
}

export function validationBench(p: Payloads, ms = 300): ValidationRow[] {
  const types = bundledTypes();
  const ifaces = bundledInterfaces();
  const ocpp = compileInterface('ocpp', ifaces.ocpp!, types);
  const dt = compileInterface('ocpp_data_transfer', ifaces.ocpp_data_transfer!, types);
  const checkOf = (cmd: string): { args: Check; result: Check } => {
    const c = ocpp.cmds.get(cmd) ?? dt.cmds.get(cmd);
    if (!c) throw new Error(`no compiled cmd ${cmd}`);
    return c;
  };
  const rows: Array<{ name: string; cmd: string; args: unknown; result?: unknown }> = [
    ...p.cases.filter((c) => !c.name.includes('toggle')).map((c) => ({ name: c.name, cmd: c.cmd, args: c.variants[0] })),
    { name: 'monitor_variables(10)', cmd: 'monitor_variables', args: { component_variables: p.readable.slice(0, 10) } },
    { name: 'stop', cmd: 'stop', args: {} },
  ];
  // Results of the get_variables rows, as the service would answer them.
  const getResult = (n: number) => (getRequests(p.readable, n).requests as GetVariableRequest[]).map((r) => ({
    status: 'Accepted', attribute_type: 'Actual', component_variable: r.component_variable, value: '60',
  }));
  for (const r of rows) {
    const m = /^get_variables\((\d+)\)$/.exec(r.name);
    if (m) r.result = getResult(Number(m[1]));
  }
  return rows.map((r) => {
    const check = checkOf(r.cmd);
    const issue = check.args(r.args);
    if (issue) throw new Error(`${r.name}: bench payload does not validate: ${issue.message}`);
    const text = `{"data":{"args":${JSON.stringify(r.args)},"id":"6f1c1c3e-7c1b-4f59-9a55-3c0d6e0e8d1a","origin":"bench"},"msg_type":"Cmd"}`;
    const row: ValidationRow = {
      name: r.name,
      argsNs: round(nsPerOp(() => check.args(r.args), ms), 0),
      parseNs: round(nsPerOp(() => JSON.parse(text), ms / 2), 0),
      bytes: Buffer.byteLength(text),
    };
    if (r.result !== undefined) {
      if (check.result(r.result)) throw new Error(`${r.name}: bench result does not validate`);
      row.resultNs = round(nsPerOp(() => check.result(r.result), ms), 0);
    }
    return row;
  });
}

export interface DeviceModelRow {
  name: string;
  /** Calls per second (each call one service method call). */
  opsPerS: number;
  /** Variables read or written per second. */
  variablesPerS: number;
  usPerOp: number;
}

function rate(fn: (i: number) => void, ms: number): { opsPerS: number; usPerOp: number } {
  for (let i = 0; i < 50; i++) fn(i);
  let n = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    fn(n++);
    if ((n & 15) === 0) elapsed = performance.now() - t0;
  }
  elapsed = performance.now() - t0;
  return { opsPerS: round((n * 1000) / elapsed, 0), usPerOp: round((elapsed * 1000) / n, 1) };
}

/** The OCPP service on a real SQLite file in `dir` (WAL, synchronous=FULL, as the module opens it). */
export function deviceModelBench(dir: string, p: Payloads, ms = 1000): DeviceModelRow[] {
  const scratch = mkdtempSync(join(dir, 'dm-'));
  const svc = OcppService.open({ dbPath: join(scratch, 'device_model.db'), evseCount: 1, connectorsPerEvse: 1 });
  try {
    const rows: DeviceModelRow[] = [];
    const add = (name: string, per: number, fn: (i: number) => void, time = ms) => {
      const r = rate(fn, time);
      rows.push({ name, opsPerS: r.opsPerS, variablesPerS: round(r.opsPerS * per, 0), usPerOp: r.usPerOp });
    };
    const g1 = getRequests(p.readable, 1).requests as GetVariableRequest[];
    const g10 = getRequests(p.readable, 10).requests as GetVariableRequest[];
    const g100 = getRequests(p.readable, 100).requests as GetVariableRequest[];
    add('get(1)', 1, () => svc.getVariables(g1), ms / 2);
    add('get(10)', 10, () => svc.getVariables(g10), ms / 2);
    add('get(100)', 100, () => svc.getVariables(g100), ms / 2);
    const s1 = setVariants(p.writable, 1).map((v) => v.requests as SetVariableRequest[]);
    const s10 = setVariants(p.writable, 10).map((v) => v.requests as SetVariableRequest[]);
    add('set(1) durable', 1, (i) => svc.setVariables(s1[i & 1]!));
    add('set(10) durable', 10, (i) => svc.setVariables(s10[i & 1]!));
    add('security_event durable', 1, () => svc.securityEvent({ type: 'TsOcppBenchEvent', info: 'bench' }));
    rows.push(...outboxBench(scratch, ms));
    return rows;
  } finally {
    svc.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * A critical security event (security log plus outbox) far below the outbox bound, and at it (inserts trim).
 * With device_model_sync normal: with an fsync per event that fsync is all one sees.
 */
function outboxBench(dir: string, ms: number): DeviceModelRow[] {
  const row = (name: string, file: string, max: number): DeviceModelRow => {
    const open = (sync: 'full' | 'normal') =>
      OcppService.open({ dbPath: join(dir, file), evseCount: 1, connectorsPerEvse: 1, outboxMaxEntries: max, sync });
    const event = { type: 'TamperDetectionActivated', info: 'bench' };
    if (max < 1e6) {
      const fill = open('normal');
      while (fill.outbox.size() < max) fill.securityEvent(event);
      fill.close();
    }
    const svc = open('normal');
    try {
      const r = rate(() => svc.securityEvent(event), ms);
      return { name, opsPerS: r.opsPerS, variablesPerS: r.opsPerS, usPerOp: r.usPerOp };
    } finally {
      svc.close();
    }
  };
  return [
    row('critical security_event (sync normal), outbox below its bound', 'outbox-below.db', 1e6),
    row('critical security_event (sync normal), outbox at its bound (10000)', 'outbox-at.db', 10000),
  ];
}
