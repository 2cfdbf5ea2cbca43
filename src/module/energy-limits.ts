// The charging profiles' limits to EVerest's energy management (issue 18 item 3), as everest-core's OCPP201 hands
// them over (OCPP201.cpp set_external_limits, publish_charging_schedules, charging_schedules_timer):
// - each `evse_energy_sink` connection is the node of the EVSE its mapping names (the connected module's mapping,
//   the implementation's over the module's, as the framework's get_mapping(); evse 0 is the station's node);
//   a connection without a mapping is left out and logged (OCPP201 refuses to start then);
// - its cmd `set_external_limits` gets the composite schedule of that EVSE from now for
//   RequestCompositeScheduleDurationS in RequestCompositeScheduleUnit: one schedule_import entry per period at its
//   absolute time, the limit on limits_to_leaves (A: ac_max_current_A, and ac_max_phase_count from numberPhases;
//   W: total_power_W), in the shape of the types in force: from everest-core 2024.9.2/2025.3 on each value is
//   `{value, source}` and schedule_export / schedule_setpoints are required; 2023.12 has bare numbers;
// - the ocpp var `charging_schedules` gets the composite schedule of the station and of every EVSE, where the ocpp
//   interface in force declares it, in the shape of types/ocpp.yaml ChargingSchedules (2026.02; in 2023.12 the var is
//   a free object, so the same shape fits);
// - when: at global ready, after every change of the installed profiles, at every period boundary of what was
//   sent (the next boundary's timer), and every CompositeScheduleIntervalS (0: not). Timers are injected.
import type { EverestModule } from '../everest/module.js';
import type { Connection } from '../everest/module-config.js';
import type { Logger } from '../log.js';
import type { OcppService } from '../ocpp/service.js';
import type { ChargingRateUnit, CompositeSchedule } from '../ocpp/smart-charging/ocpp-types.js';
import { compileInterface, type Check } from '../schema/compile.js';
import type { InterfaceDefinition } from '../schema/definitions.js';
import { BASE_RELEASE, requirementDefinitions, type BundledRelease } from '../schema/releases.js';
import { isObject } from '../is-object.js';
import { TimerSlot, realTimers, type Timers } from '../csms/timers.js';
import type { TSOCPP_CONFIG } from '../generated/module-config.js';
import type { TsOcppSpec } from './ocpp-module.js';
import { onPublishFailure } from './publish-failure.js';

export const EVSE_ENERGY_SINK = 'evse_energy_sink';

/** The source TsOcpp names in the limits it sends (as OCPP201's); the charging limit feed knows its own by it. */
export function ownLimitSource(selfId: string): string {
  return `${selfId}/OCPP_set_external_limits`;
}

/** A sink connection and the EVSE its mapping names. */
export interface Sink {
  connection: Connection;
  index: number;
  evseId: number;
}

/** The limit of one instant: a bare number (2023.12 types) or `{value, source}` (2024.9.2 / 2025.3 on). */
export type LimitsShape = 'bare' | 'with_source';

/** The evse of a connection's mapping: the implementation's mapping over the module's (everest-framework get_impl_mapping). */
export function mappedEvse(mappings: unknown, c: Connection): number | undefined {
  const m = isObject(mappings) ? mappings[c.moduleId] : undefined;
  if (!isObject(m)) return undefined;
  const impl = isObject(m.implementations) ? m.implementations[c.implementationId] : undefined;
  const mapping = isObject(impl) ? impl : m.module;
  return isObject(mapping) && Number.isInteger(mapping.evse) ? (mapping.evse as number) : undefined;
}

/** From the types in force: does energy's LimitsReq.ac_max_current_A refer to NumberWithSource? */
export function limitsShape(types: Record<string, { types?: Record<string, unknown> } | undefined>): LimitsShape {
  const limitsReq = types['/energy']?.types?.LimitsReq;
  const prop = isObject(limitsReq) && isObject(limitsReq.properties) ? limitsReq.properties.ac_max_current_A : undefined;
  return isObject(prop) && typeof prop.$ref === 'string' ? 'with_source' : 'bare';
}

/** 2023.12 .. 2025.10 declare the var enforced_limits; without a published type file it names the base release. */
function sinkRelease(def: InterfaceDefinition | undefined): BundledRelease | undefined {
  return def?.vars !== undefined && 'enforced_limits' in def.vars ? BASE_RELEASE : undefined;
}

/** The set_external_limits argument for one composite schedule (OCPP201.cpp create_limits_entry). */
export function toExternalLimits(s: CompositeSchedule, shape: LimitsShape, source: string): Record<string, unknown> {
  const start = Date.parse(s.scheduleStart);
  const v = (value: number): unknown => (shape === 'with_source' ? { value, source } : value);
  const schedule_import = s.chargingSchedulePeriod.map((p) => {
    const leaves: Record<string, unknown> = {};
    if (s.chargingRateUnit === 'A') {
      leaves.ac_max_current_A = v(p.limit);
      if (p.numberPhases !== undefined) leaves.ac_max_phase_count = v(p.numberPhases);
    } else {
      leaves.total_power_W = v(p.limit);
    }
    return { timestamp: new Date(start + p.startPeriod * 1000).toISOString(), limits_to_root: {}, limits_to_leaves: leaves };
  });
  return shape === 'with_source' ? { schedule_import, schedule_export: [], schedule_setpoints: [] } : { schedule_import };
}

/** types/ocpp.yaml ChargingSchedule (OCPP201 conversions.cpp to_everest_charging_schedule). */
export function toEverestSchedule(s: CompositeSchedule): Record<string, unknown> {
  return {
    evse: s.evseId,
    charging_rate_unit: s.chargingRateUnit,
    charging_schedule_period: s.chargingSchedulePeriod.map((p) => ({
      start_period: p.startPeriod, limit: p.limit, ...(p.numberPhases !== undefined ? { number_phases: p.numberPhases } : {}),
      ...(p.phaseToUse !== undefined ? { phase_to_use: p.phaseToUse } : {}),
    })),
    duration: s.duration,
    start_schedule: s.scheduleStart,
  };
}

export interface EnergyLimitsOptions {
  timers?: Timers;
}

export class EnergyLimits {
  readonly #mod: EverestModule<TsOcppSpec, typeof TSOCPP_CONFIG>;
  readonly #service: OcppService;
  readonly #log: Logger;
  readonly #timers: Timers;
  readonly #sinks: Sink[];
  readonly #shape: LimitsShape;
  readonly #check: Check | undefined;
  readonly #boundary: TimerSlot;
  readonly #interval: TimerSlot;
  readonly #unsubscribe: () => void;
  #stopped = false;

  constructor(mod: EverestModule<TsOcppSpec, typeof TSOCPP_CONFIG>, service: OcppService, log: Logger, o: EnergyLimitsOptions = {}) {
    this.#mod = mod;
    this.#service = service;
    this.#log = log.child({ unit: 'energy_limits' });
    this.#timers = o.timers ?? realTimers;
    this.#boundary = new TimerSlot(this.#timers);
    this.#interval = new TimerSlot(this.#timers);
    const evseCount = mod.config.module.evse_count;
    this.#sinks = [];
    mod.connections(EVSE_ENERGY_SINK).forEach((connection, index) => {
      const evseId = mappedEvse(mod.config.moduleConfig.mappings, connection);
      if (evseId === undefined) {
        this.#log.error({ module: connection.moduleId }, 'evse_energy_sink connection without an evse mapping: it gets no limits (configure its mapping)');
      } else if (evseId < 0 || evseId > evseCount) {
        this.#log.error({ module: connection.moduleId, evse: evseId }, 'evse_energy_sink mapped to an EVSE the station does not have: it gets no limits');
      } else {
        this.#sinks.push({ connection, index, evseId });
      }
    });
    const defs = requirementDefinitions('external_energy_limits', mod.requirementInterface(EVSE_ENERGY_SINK), mod.managerDefinitions, sinkRelease);
    this.#shape = defs ? limitsShape(defs.types) : 'with_source';
    try {
      this.#check = defs ? compileInterface('external_energy_limits', defs.definition, defs.types).cmds.get('set_external_limits')?.args : undefined;
    } catch (err) {
      this.#log.error({ err }, 'the external_energy_limits definition does not compile: limits are sent unchecked');
    }
    this.#unsubscribe = service.smartCharging.on('changed', () => this.push());
    if (this.#sinks.length > 0) this.#log.info({ sinks: this.#sinks.map((s) => s.evseId), shape: this.#shape }, 'evse_energy_sink connected: composite schedules become external limits');
  }

  get sinks(): readonly Sink[] {
    return this.#sinks;
  }

  /** Sends the composite schedules now and sets the timers of the next boundary and of the interval. */
  push(): void {
    if (this.#stopped) return;
    const m = this.#mod.config.module;
    const now = this.#timers.now();
    const unit: ChargingRateUnit = m.RequestCompositeScheduleUnit === 'W' ? 'W' : 'A';
    const duration = m.RequestCompositeScheduleDurationS;
    const schedules = new Map<number, CompositeSchedule>();
    const scheduleOf = (evseId: number): CompositeSchedule => {
      let s = schedules.get(evseId);
      if (s === undefined) {
        s = this.#service.smartCharging.compositeOf(evseId, duration, unit, now);
        schedules.set(evseId, s);
      }
      return s;
    };
    const source = ownLimitSource(this.#mod.selfId);
    for (const sink of this.#sinks) {
      const value = toExternalLimits(scheduleOf(sink.evseId), this.#shape, source);
      const issue = this.#check?.({ value });
      if (issue) {
        this.#log.error({ evse: sink.evseId, issue: issue.message }, 'external limits do not fit the definition in force; not sent');
        continue;
      }
      this.#mod.call(EVSE_ENERGY_SINK, sink.index, 'set_external_limits', { value })
        .catch((err: unknown) => this.#log.warn({ err, evse: sink.evseId }, 'evse_energy_sink did not take the external limits'));
    }
    if (this.#mod.compiled('ocpp_generic')?.vars.has('charging_schedules') === true) {
      const all = [];
      for (let evseId = 0; evseId <= m.evse_count; evseId++) all.push(toEverestSchedule(scheduleOf(evseId)));
      this.#mod.publish('ocpp_generic', 'charging_schedules', { schedules: all }).catch(onPublishFailure(this.#log, 'charging_schedules'));
    }
    // The next period boundary of what was sent: the limits change there.
    const next = Math.min(...[...schedules.values()].flatMap((s) => s.chargingSchedulePeriod.map((p) => Date.parse(s.scheduleStart) + p.startPeriod * 1000))
      .filter((t) => t > now.getTime()));
    if (Number.isFinite(next)) this.#boundary.set(next - now.getTime(), () => this.push());
    else this.#boundary.clear();
    if (m.CompositeScheduleIntervalS > 0) this.#interval.set(m.CompositeScheduleIntervalS * 1000, () => this.push());
  }

  stop(): void {
    this.#stopped = true;
    this.#unsubscribe();
    this.#boundary.clear();
    this.#interval.clear();
  }
}
