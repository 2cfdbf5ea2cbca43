// `tsocpp simulate-session`: plays one AC charging session on the bus as the evse_manager module TsOcpp is
// connected to (module `evse_manager_<evse>`, implementation `evse`, as config/everest/embedded.yaml connects
// EVSE 1), so a session can be tried without a real EVSE manager: session_event and powermeter vars in the
// shape of the release in force (session-script.ts), each checked against that release's definition before
// it goes out, and one printed line per step. While it runs it answers the evse_manager cmds TsOcpp calls:
// availability (enable_disable, or 2023.12's enable / disable), get_evse, pause / resume and stop_transaction (which
// ends the session with the reason asked for); any other cmd gets a HandlerException saying it is not
// simulated, so no caller waits for a timeout.
import { randomUUID } from 'node:crypto';
import { ConfigError, errorMessage, type CmdErrorType } from '../errors.js';
import type { Dialect } from '../everest/dialect.js';
import { parsePayload } from '../everest/payload.js';
import { parseInteger, type BusSettings, type Flags } from '../everest/settings.js';
import type { Logger } from '../log.js';
import { compileInterface, type CompiledInterface } from '../schema/compile.js';
import { BASE_RELEASE, bundledRelease, evseManagerRelease, NEWEST_RELEASE, type BundledRelease } from '../schema/releases.js';
import { openCliBus, type CliBus } from './bus.js';
import { closingSteps, energyAt, meterAt, openingSteps, type SessionPlan, type Step } from './session-script.js';

const IMPL = 'evse';
const EVSE_MANAGER = 'evse_manager';

export interface SimulateOptions {
  evse: number;
  moduleId: string;
  connector: number;
  energyWh: number;
  seconds: number;
  powerW: number | undefined;
  stepMs: number;
  idToken: string;
  idTokenType: string;
  stopReason: string;
  /** undefined: from the evse_manager definition retained on the bus, else the newest bundled release. */
  release: BundledRelease | undefined;
}

function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

function release(raw: string | undefined): BundledRelease | undefined {
  if (raw === undefined || raw === 'auto') return undefined;
  if (BASE_RELEASE.startsWith(raw) && raw.length >= 7) return BASE_RELEASE;
  if (NEWEST_RELEASE.startsWith(raw) && raw.length >= 7) return NEWEST_RELEASE;
  throw new ConfigError('release', `expected auto, 2023.12 or 2026.02, got '${raw}'`);
}

/** The options of the command from its flags; throws ConfigError naming the flag that does not fit. */
export function simulateOptions(flags: Flags): SimulateOptions {
  const evse = parseInteger('evse', str(flags, 'evse'), 1, 1, 128);
  const power = str(flags, 'power_w');
  const idToken = str(flags, 'id_token') ?? 'SIMULATED01';
  if (idToken.length === 0 || idToken.length > 36) throw new ConfigError('id_token', 'expected 1 to 36 characters');
  return {
    evse,
    moduleId: str(flags, 'evse_module') ?? `evse_manager_${evse}`,
    connector: parseInteger('connector', str(flags, 'connector'), 1, 1, 16),
    energyWh: parseInteger('energy_wh', str(flags, 'energy_wh'), 1500, 0),
    seconds: parseInteger('seconds', str(flags, 'seconds'), 20, 1, 86_400),
    powerW: power === undefined ? undefined : parseInteger('power_w', power, 0, 0),
    stepMs: parseInteger('step_ms', str(flags, 'step_ms'), 1000, 1, 60_000),
    idToken,
    idTokenType: str(flags, 'id_token_type') ?? 'ISO14443',
    stopReason: str(flags, 'stop_reason') ?? 'EVDisconnected',
    release: release(str(flags, 'release')),
  };
}

/** The release a published evse_manager definition belongs to (either dialect's retained form). */
function retainedRelease(bus: CliBus, prefix: string): BundledRelease | undefined {
  const raw = bus.retained.get(`${prefix}interface_definitions/${EVSE_MANAGER}`);
  const def = typeof raw === 'object' && raw !== null && 'msg_type' in raw ? (raw as { data?: unknown }).data : raw;
  return typeof def === 'object' && def !== null ? evseManagerRelease(def) : undefined;
}

function compiled(rel: BundledRelease): CompiledInterface {
  const defs = bundledRelease(rel);
  const def = defs.interfaces[EVSE_MANAGER];
  if (def === undefined) throw new ConfigError('release', `no bundled evse_manager definition of ${rel}`);
  return compileInterface(EVSE_MANAGER, def, defs.types);
}

/** A flag whose value must be one of an enum of the release's type files (evse_manager, authorization). */
function checkEnum(rel: BundledRelease, type: 'StopTransactionReason' | 'IdTokenType', flag: string, value: string): void {
  const file = bundledRelease(rel).types[type === 'IdTokenType' ? '/authorization' : '/evse_manager'];
  const values = (file?.types[type] as { enum?: unknown } | undefined)?.enum;
  if (Array.isArray(values) && !values.includes(value)) {
    throw new ConfigError(flag, `expected one of ${values.join(', ')} (everest-core ${rel}), got '${value}'`);
  }
}

/** Every payload is checked before it goes out: TsOcpp would drop one that does not fit, and say so once a minute. */
function checkStep(iface: CompiledInterface, step: Step): void {
  const issue = iface.vars.get(step.kind)?.(step.payload);
  if (issue) throw new ConfigError(step.kind === 'session_event' ? `${step.event} event` : 'powermeter', `does not fit the evse_manager definition: ${issue.message}`);
}

interface StopRequest {
  reason: string;
  token?: { value: string; type: string };
  why: string;
}

/** The token of a stop_transaction request in either release's shape (2023.12: a string; 2026.02: ProvidedIdToken). */
function stopToken(idTag: unknown): { value: string; type: string } | undefined {
  if (typeof idTag === 'string') return { value: idTag, type: 'Local' };
  if (typeof idTag !== 'object' || idTag === null) return undefined;
  const t = (idTag as { id_token?: unknown; id_token_type?: unknown }).id_token;
  if (typeof t === 'string') {
    const type = (idTag as { id_token_type?: unknown }).id_token_type;
    return { value: t, type: typeof type === 'string' ? type : 'Local' };
  }
  if (typeof t === 'object' && t !== null && typeof (t as { value?: unknown }).value === 'string') {
    const tok = t as { value: string; type?: unknown };
    return { value: tok.value, type: typeof tok.type === 'string' ? tok.type : 'Local' };
  }
  return undefined;
}

/** The plan of the session and the checks of the release, or a ConfigError naming the flag that does not fit. */
function prepare(o: SimulateOptions, rel: BundledRelease): { plan: SessionPlan; iface: CompiledInterface } {
  const plan: SessionPlan = {
    release: rel,
    uuid: randomUUID(),
    connectorId: o.connector,
    energyWh: o.energyWh,
    seconds: o.seconds,
    powerW: o.powerW ?? Math.round((o.energyWh * 3600) / o.seconds),
    idToken: o.idToken,
    idTokenType: o.idTokenType,
    stopReason: o.stopReason,
  };
  const iface = compiled(rel);
  checkEnum(rel, 'StopTransactionReason', 'stop_reason', o.stopReason);
  checkEnum(rel, 'IdTokenType', 'id_token_type', o.idTokenType);
  // A dry run of every kind of step, so a flag that makes a payload invalid stops here, before anything is published.
  const now = new Date();
  const all = { transactionStarted: true, chargingStarted: true };
  for (const s of [...openingSteps(plan, now), meterAt(o.energyWh, plan.powerW, now), ...closingSteps(plan, o.energyWh, o.stopReason, now, all)]) checkStep(iface, s);
  return { plan, iface };
}

export async function runSimulateSession(o: SimulateOptions, settings: BusSettings, log: Logger): Promise<number> {
  const P = settings.everestPrefix;
  const out = (line: string): void => { process.stdout.write(`${line}\n`); };
  // With the release given, a flag that does not fit stops before connecting.
  if (o.release) prepare(o, o.release);
  const bus = await openCliBus(settings, log, 5000, [`${P}interface_definitions/${EVSE_MANAGER}`]);
  const detected = retainedRelease(bus, P);
  const rel = o.release ?? detected ?? NEWEST_RELEASE;
  const relWhy = o.release ? 'given' : detected ? 'from the evse_manager definition on the bus' : 'none retained on the bus: the embedded default\'s';
  let plan: SessionPlan;
  let iface: CompiledInterface;
  try {
    ({ plan, iface } = prepare(o, rel));
  } catch (err) {
    await bus.close();
    throw err;
  }

  const implPrefix = `${P}modules/${o.moduleId}/impl/${IMPL}`;
  const dialects: Dialect[] = bus.callers.map((c) => c.dialect);
  const publish = (step: Step): void => {
    checkStep(iface, step);
    const name = step.kind;
    for (const d of dialects) bus.publisher.publish(d.varTopic(implPrefix, name), d.encodeVar(name, JSON.stringify(step.payload)));
  };

  let stop: StopRequest | undefined;
  let wake: (() => void) | undefined;
  const requestStop = (r: StopRequest): void => {
    stop ??= r;
    wake?.();
  };
  const tick = (): Promise<void> => new Promise((resolve) => {
    const t = setTimeout(() => { wake = undefined; resolve(); }, o.stepMs);
    wake = () => { clearTimeout(t); wake = undefined; resolve(); };
  });
  const started = Date.now();
  const line = (what: string, name: string, note: string): void => {
    const t = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
    out(`${t} s  evse ${o.evse}  ${what.padEnd(13)}  ${name.padEnd(19)} ${note}`.trimEnd());
  };

  // The cmds TsOcpp may call, answered in the dialect of the call.
  const answer = (call: { cmd: string; args: unknown }): { retval: unknown } | { error: { type: CmdErrorType; msg: string } } => {
    const cmd = iface.cmds.get(call.cmd);
    if (cmd === undefined) return { error: { type: 'HandlerException', msg: `${call.cmd} is not a cmd of the ${rel} evse_manager` } };
    const bad = cmd.args(call.args ?? {});
    if (bad) return { error: { type: 'SchemaValidationError', msg: bad.message } };
    const reply = handle(call.cmd, (call.args ?? {}) as Record<string, unknown>);
    // Results are checked too, as a framework provider's are.
    const wrong = 'retval' in reply ? cmd.result(reply.retval) : null;
    return wrong ? { error: { type: 'HandlerException', msg: `the simulated ${call.cmd} result does not fit: ${wrong.message}` } } : reply;
  };
  const handle = (name: string, args: Record<string, unknown>): { retval: unknown } | { error: { type: CmdErrorType; msg: string } } => {
    switch (name) {
      case 'enable_disable': {
        const src = args.cmd_source as { enable_source?: string; enable_state?: string; enable_priority?: number };
        line('cmd', 'enable_disable', `connector ${String(args.connector_id)}: ${src.enable_state ?? '?'} by ${src.enable_source ?? '?'} (priority ${String(src.enable_priority)})`);
        return { retval: true };
      }
      case 'enable':
      case 'disable':
        line('cmd', name, `connector ${String(args.connector_id)}`);
        return { retval: true };
      case 'get_evse':
        return { retval: { id: o.evse, connectors: [{ id: o.connector }] } };
      case 'pause_charging':
      case 'resume_charging':
        line('cmd', name, 'taken (the simulated EV keeps its pace)');
        return { retval: true };
      case 'stop_transaction': {
        const req = args.request as { reason: string; id_tag?: unknown };
        line('cmd', 'stop_transaction', `reason ${req.reason}: finishing the session`);
        const token = stopToken(req.id_tag);
        requestStop({ reason: req.reason, why: 'stop_transaction', ...(token ? { token } : {}) });
        return { retval: true };
      }
      default:
        return { error: { type: 'HandlerException', msg: `tsocpp simulate-session does not simulate ${name}` } };
    }
  };
  const serveTopics = new Map<string, Dialect>();
  for (const d of dialects) for (const t of d.cmdServeTopics(implPrefix, [...iface.cmds.keys()])) serveTopics.set(t, d);
  bus.client.on('message', (topic, payload) => {
    const d = serveTopics.get(topic);
    if (d === undefined) return;
    const parsed = parsePayload(payload);
    if (!parsed.ok) return;
    const call = d.readCall(implPrefix, topic, d.unwrap(parsed.value, 'Cmd'));
    if (call === undefined || call === 'ignore' || typeof call.origin !== 'string') return;
    let body: ReturnType<typeof answer>;
    try {
      body = answer(call);
    } catch (err) {
      body = { error: { type: 'HandlerException', msg: errorMessage(err) } };
    }
    bus.publisher.publish(d.replyTopic(implPrefix, call.cmd, call.origin), d.encodeResult(call.cmd, call.id, o.moduleId, body));
  });
  await bus.client.subscribeAsync([...serveTopics.keys()].map((topic) => ({ topic, qos: 2 as const })).reduce<Record<string, { qos: 2 }>>((acc, s) => {
    acc[s.topic] = { qos: 2 };
    return acc;
  }, {}));

  const onSignal = (): void => {
    if (stop !== undefined) process.exit(130);
    line('signal', 'SIGINT', `finishing the session (${o.stopReason}); again to quit at once`);
    requestStop({ reason: o.stopReason, why: 'interrupted' });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  out(`simulating ${o.moduleId}/${IMPL} (EVSE ${o.evse}, connector ${o.connector}), evse_manager of everest-core ${rel} (${relWhy}), bus dialect ${dialects.map((d) => d.name).join(' and ')}`);
  out(`a session of ${o.energyWh} Wh in ${o.seconds} s at ${plan.powerW} W, one step every ${o.stepMs} ms, ending with ${o.stopReason}`);
  try {
    const show = (s: Step): void => {
      publish(s);
      if (s.kind === 'session_event') line('session_event', s.event, s.note);
      else line('powermeter', '', s.note);
    };
    show(meterAt(0, 0, new Date()));
    const reached = { transactionStarted: false, chargingStarted: false };
    for (const s of openingSteps(plan, new Date())) {
      if (stop) break;
      show(s);
      if (s.kind === 'session_event' && s.event === 'TransactionStarted') reached.transactionStarted = true;
      if (s.kind === 'session_event' && s.event === 'ChargingStarted') reached.chargingStarted = true;
      await tick();
    }
    let energy = 0;
    for (let second = 1; second <= o.seconds && !stop; second++) {
      energy = energyAt(plan, second);
      show(meterAt(energy, plan.powerW, new Date()));
      await tick();
    }
    const reason = stop?.reason ?? o.stopReason;
    const closing = closingSteps(plan, energy, reason, new Date(), reached, stop?.token);
    for (const [i, s] of closing.entries()) {
      show(s);
      if (i < closing.length - 1) await tick();
    }
    show(meterAt(energy, 0, new Date()));
    out(`session ${plan.uuid} finished: ${energy.toFixed(1)} Wh`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await bus.close();
  }
}
