// The inputs of each EVSE: the session_event, powermeter, ready, limits and enforced_limits vars of its evse_manager
// connection (connection i is EVSE i+1, as everest-core's OCPP201 maps r_evse_manager[evse_id - 1]). Each
// payload is checked against the definition in force (src/schema/releases.ts requirementDefinitions: the
// manager's, its install's, else the bundled release) with validators compiled once here; what does not fit
// is dropped and logged once per EVSE and var per minute. What fits reaches the listeners typed, session
// events in one shape for every release (session-event.ts).
import type { EverestModule, ModuleSpec } from '../everest/module.js';
import { DropLog } from '../everest/drop-log.js';
import type { Logger } from '../log.js';
import { errorMessage } from '../errors.js';
import { compileInterface, type Check } from '../schema/compile.js';
import { relaxUnresolvedRefs, type InterfaceDefinition } from '../schema/definitions.js';
import { evseManagerRelease, requirementDefinitions, type RequirementDefinitions } from '../schema/releases.js';
import { normalizeSessionEvent, type BusSessionEvent, type EvseLimits, type EvsePowermeter, type EvseSessionEvent } from './session-event.js';

export const EVSE_MANAGER = 'evse_manager';

/** What each var delivers once it is checked (and, for session_event, normalized). */
export interface EvseInputMap {
  session_event: EvseSessionEvent;
  powermeter: EvsePowermeter;
  ready: boolean;
  limits: EvseLimits;
  /** What the energy management enforces on the EVSE (2023.12 and 2026.02 both declare it; values bare or with source). */
  enforced_limits: EvseEnforcedLimits;
}

/** energy.yaml LimitsRes: a bare number (2023.12) or NumberWithSource (2024.9.2 on). */
export type EnforcedValue = number | { value: number; source: string };
export interface EnforcedLimitsRes {
  total_power_W?: EnforcedValue;
  ac_max_current_A?: EnforcedValue;
  ac_max_phase_count?: EnforcedValue;
}
/** energy.yaml EnforcedLimits, the parts read here (valid_until in 2023.12, valid_for later, are not). */
export interface EvseEnforcedLimits {
  uuid: string;
  limits_root_side?: EnforcedLimitsRes;
  schedule?: Array<{ timestamp: string; limits_to_root: EnforcedLimitsRes }>;
}
export type EvseInputName = keyof EvseInputMap;
export type EvseInputListener<K extends EvseInputName> = (evseId: number, value: EvseInputMap[K]) => void;

const INPUT_VARS: readonly EvseInputName[] = ['session_event', 'powermeter', 'ready', 'limits', 'enforced_limits'];

export interface EvseInputsOptions {
  /** The clock of the once-a-minute drop log and of receipt times (tests move it). */
  now?: () => number;
}

type Listeners = { [K in EvseInputName]: Array<EvseInputListener<K>> };

export class EvseInputs {
  readonly evseCount: number;
  readonly definitions: Pick<RequirementDefinitions, 'source' | 'release'>;
  readonly #listeners: Listeners = { session_event: [], powermeter: [], ready: [], limits: [], enforced_limits: [] };
  readonly #log: Logger;

  constructor(evseCount: number, definitions: Pick<RequirementDefinitions, 'source' | 'release'>, log: Logger) {
    this.evseCount = evseCount;
    this.definitions = definitions;
    this.#log = log;
  }

  /** Listen to one var of every EVSE. Returns the function that stops listening. */
  on<K extends EvseInputName>(name: K, fn: EvseInputListener<K>): () => void {
    const list = this.#listeners[name] as Array<EvseInputListener<K>>;
    list.push(fn);
    return () => {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Hand a checked value to the listeners; a listener that throws is logged, the others still run. */
  emit<K extends EvseInputName>(name: K, evseId: number, value: EvseInputMap[K]): void {
    for (const fn of this.#listeners[name] as Array<EvseInputListener<K>>) {
      try {
        fn(evseId, value);
      } catch (err) {
        this.#log.error({ err, evse: evseId, var: name }, 'an evse input listener threw');
      }
    }
  }
}

/** The var checks of the definition in force; a var whose schema does not compile is left out (and logged). */
function compileVars(defs: RequirementDefinitions, log: Logger): Map<EvseInputName, Check> {
  const vars = defs.definition.vars ?? {};
  const wanted: InterfaceDefinition = { vars: Object.fromEntries(INPUT_VARS.filter((v) => v in vars).map((v) => [v, vars[v]!])) };
  // Install type files may reference files this install lacks: those parts go unchecked (as for ocpp in bootstrap).
  const types = relaxUnresolvedRefs(defs.types, defs.types);
  const relaxed = relaxUnresolvedRefs(wanted, types.def);
  const missing = [...new Set([...types.missing, ...relaxed.missing])];
  if (missing.length > 0) log.warn({ refs: missing }, 'evse_manager types referenced but unknown here; those parts are not checked');
  const out = new Map<EvseInputName, Check>();
  for (const name of INPUT_VARS) {
    const schema = relaxed.def.vars?.[name];
    if (schema === undefined) continue;
    try {
      const check = compileInterface(EVSE_MANAGER, { vars: { [name]: schema } }, types.def).vars.get(name);
      if (check) out.set(name, check);
    } catch (err) {
      log.error({ err, var: name }, `the evse_manager var ${name} does not compile; it is not read`);
    }
  }
  return out;
}

/**
 * Subscribe to the inputs of every connected evse_manager. undefined without a connection. Never throws for
 * what arrives on the bus: an invalid payload is dropped and logged (once per EVSE and var per minute).
 */
export async function bindEvseInputs<S extends ModuleSpec>(mod: EverestModule<S>, log: Logger, o: EvseInputsOptions = {}): Promise<EvseInputs | undefined> {
  const conns = mod.connections(EVSE_MANAGER);
  if (conns.length === 0) return undefined;
  const defs = requirementDefinitions(EVSE_MANAGER, mod.requirementInterface(EVSE_MANAGER), mod.managerDefinitions, evseManagerRelease);
  if (defs === undefined) {
    log.error('no evse_manager interface definition (none published, installed or bundled): its vars are not read');
    return undefined;
  }
  const now = o.now ?? Date.now;
  const checks = compileVars(defs, log);
  const inputs = new EvseInputs(conns.length, { source: defs.source, release: defs.release }, log);
  const drops = new DropLog({ now });
  log.info({ evses: conns.length, definition: defs.source, release: defs.release, vars: [...checks.keys()] },
    `evse_manager inputs checked against the ${defs.source} definition (bundled types of ${defs.release} where the manager has none)`);
  for (let i = 0; i < conns.length; i++) {
    const evseId = i + 1;
    for (const [name, check] of checks) {
      await mod.subscribeVar(EVSE_MANAGER, i, name, (value) => {
        const issue = check(value);
        if (issue !== null) {
          const report = drops.drop(`${evseId}\0${name}`);
          // The issue names a path and a rule, never the value: no id token reaches this line.
          if (report) log.warn({ evse: evseId, var: name, issue: issue.message, suppressed: report.suppressed }, 'dropped an evse_manager var that does not fit its definition (logged once a minute per EVSE and var)');
          return;
        }
        deliver(inputs, log, evseId, name, value, now);
      });
    }
  }
  return inputs;
}

function deliver(inputs: EvseInputs, log: Logger, evseId: number, name: EvseInputName, value: unknown, now: () => number): void {
  try {
    switch (name) {
      case 'session_event': {
        const ev = normalizeSessionEvent(value as BusSessionEvent, new Date(now()));
        // Id tokens are personal data: this line is debug only.
        if (log.isLevelEnabled('debug')) log.debug({ evse: evseId, var: name, session_event: ev }, 'evse input');
        inputs.emit('session_event', evseId, ev);
        return;
      }
      case 'powermeter':
        if (log.isLevelEnabled('debug')) log.debug({ evse: evseId, var: name, powermeter: value }, 'evse input');
        inputs.emit('powermeter', evseId, value as EvsePowermeter);
        return;
      case 'ready':
        if (log.isLevelEnabled('debug')) log.debug({ evse: evseId, var: name, ready: value }, 'evse input');
        inputs.emit('ready', evseId, value as boolean);
        return;
      case 'limits':
        if (log.isLevelEnabled('debug')) log.debug({ evse: evseId, var: name, limits: value }, 'evse input');
        inputs.emit('limits', evseId, value as EvseLimits);
        return;
      case 'enforced_limits':
        if (log.isLevelEnabled('debug')) log.debug({ evse: evseId, var: name, enforced_limits: value }, 'evse input');
        inputs.emit('enforced_limits', evseId, value as EvseEnforcedLimits);
        return;
    }
  } catch (err) {
    // A payload that passed its schema but still trips the normalizer is a bug here, not the sender's: log it.
    log.error({ err, evse: evseId, var: name }, `could not take an evse_manager var: ${errorMessage(err)}`);
  }
}
