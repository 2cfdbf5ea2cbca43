// External charging limits to the CSMS (OCPP 2.0.1 K11/K12 NotifyChargingLimit, K13 ClearedChargingLimit). The bus
// side (src/module/charging-limit-feed.ts) hands over what the energy management enforces on an EVSE, in the
// CSMS's rate unit, with the source the manager names for it; this file decides what the CSMS is told. The rule
// (docs/csms.md, "External charging limits"):
// - the limit is external only when its source is one (limitOrigin): a module's set_external_limits other than
//   TsOcpp's own (an EMS, the API modules, another OCPP module). What the energy tree writes itself (the EVSE's
//   board and power supply capabilities, its local limits, an EnergyNode's fuse) is not an external charging limit
//   in the sense of K12, nor is TsOcpp's own limit; a value without a source (2023.12 bare numbers) cannot be told
//   apart and is never notified;
// - and it is below the CSMS's own composite limit of that EVSE now (by more than LIMIT_TOLERANCE, the manager's
//   rounding): an external limit above it does not hold;
// - NotifyChargingLimit (source EMS, never CSO: K12.FR.04) when an EVSE becomes externally limited, and again only
//   when the limit moved by more than LimitChangeSignificance percent of the last one notified (K11.FR.02,
//   K12.FR.02); with NotifyChargingLimitWithSchedules the energy management's schedule goes with it (K11.FR.03,
//   K12.FR.03);
// - ClearedChargingLimit (K13.FR.02) once an EVSE that was notified is no longer externally limited.
// What was notified is kept in memory: after a restart the first reading notifies again, which the CSMS can take.
import type { Logger } from '../../log.js';
import type { ChargingRateUnit, ChargingSchedule, ChargingSchedulePeriod } from './ocpp-types.js';
import type { SmartChargingSettings } from './settings.js';

/** Relative difference below which an enforced limit counts as the CSMS's own (float rounding of the manager). */
export const LIMIT_TOLERANCE = 0.001;

// Type aliases (not interfaces) so they fit the outbox's Record payloads.
export type NotifyChargingLimitRequest = {
  chargingLimit: { chargingLimitSource: 'EMS' };
  evseId: number;
  chargingSchedule?: ChargingSchedule[];
};

export type ClearedChargingLimitRequest = {
  chargingLimitSource: 'EMS';
  evseId: number;
};

export type ChargingLimitMessage =
  | { action: 'NotifyChargingLimit'; payload: NotifyChargingLimitRequest }
  | { action: 'ClearedChargingLimit'; payload: ClearedChargingLimitRequest };

/** One enforced limit of an EVSE, already in the CSMS's rate unit (undefined: the manager gave none in it). */
export interface EnforcedLimit {
  unit: ChargingRateUnit;
  limit: number | undefined;
  /** Where the value came from, when the release says (2024.9.2 on: NumberWithSource.source); absent in 2023.12. */
  source?: string;
  /** The source TsOcpp gives the limits it sends to the energy management: a value from it is never external. */
  ownSource: string;
  /** The manager's informative schedule, in the same unit: entries without a value in it are left out. */
  schedule: Array<{ timestamp: string; limit: number }>;
}

export interface ChargingLimitOptions {
  settings: () => SmartChargingSettings;
  /** The CSMS's composite limit of the EVSE now, in the unit (smartCharging.compositeOf's first period). */
  compositeLimit(evseId: number, unit: ChargingRateUnit): number | undefined;
  send(m: ChargingLimitMessage): void;
  log: Logger;
}

export class ChargingLimits {
  readonly #o: ChargingLimitOptions;
  /** Per EVSE, the external limit last notified (and its unit). */
  readonly #notified = new Map<number, { unit: ChargingRateUnit; limit: number }>();

  constructor(o: ChargingLimitOptions) {
    this.#o = o;
  }

  /** Is the EVSE externally limited now, as far as the CSMS was told? */
  notified(evseId: number): number | undefined {
    return this.#notified.get(evseId)?.limit;
  }

  /** The enforced limit of an EVSE changed (or was published again). */
  enforced(evseId: number, e: EnforcedLimit): void {
    const external = this.#external(evseId, e);
    const last = this.#notified.get(evseId);
    if (external === undefined) {
      if (last === undefined) return;
      this.#notified.delete(evseId);
      this.#o.log.info({ evse: evseId }, 'external charging limit ended: ClearedChargingLimit (K13.FR.02)');
      this.#o.send({ action: 'ClearedChargingLimit', payload: { chargingLimitSource: 'EMS', evseId } });
      return;
    }
    const s = this.#o.settings();
    if (last !== undefined && last.unit === e.unit) {
      const change = Math.abs(external - last.limit);
      // K11.FR.02 / K12.FR.02: a change of at most LimitChangeSignificance percent is not notified.
      if (last.limit === 0 ? change === 0 : (change / Math.abs(last.limit)) * 100 <= s.limitChangeSignificance) return;
    }
    this.#notified.set(evseId, { unit: e.unit, limit: external });
    const payload: NotifyChargingLimitRequest = { chargingLimit: { chargingLimitSource: 'EMS' }, evseId };
    if (s.notifyWithSchedules) {
      const schedule = toSchedule(evseId, e, external);
      if (schedule) payload.chargingSchedule = [schedule];
    }
    this.#o.log.info({ evse: evseId, limit: external, unit: e.unit }, 'external charging limit: NotifyChargingLimit (K12.FR.02)');
    this.#o.send({ action: 'NotifyChargingLimit', payload });
  }

  /** The external limit, or undefined when the CSMS's own limit holds. */
  #external(evseId: number, e: EnforcedLimit): number | undefined {
    if (e.limit === undefined) return undefined;
    if (limitOrigin(e.source, e.ownSource) !== 'external') return undefined;
    const own = this.#o.compositeLimit(evseId, e.unit);
    if (own === undefined) return e.limit;
    return e.limit < own - Math.abs(own) * LIMIT_TOLERANCE ? e.limit : undefined;
  }
}

/**
 * Who set a limit, from the source everest-core's energy management names for it (2026.02.0, read in
 * modules/EVSE/EvseManager, modules/EnergyManagement/EnergyNode and EnergyManager):
 * - 'tree': written by the energy tree itself: the EvseManager's `<id>/evse_board_support_caps` (also
 *   `_pause`), `<id>/powersupply_dc_caps`, `<id>/clear_import_request_schedule`, `<id>/setup_v2h_mode`, its local
 *   limits `<id> update_max_current_limit`, `<id> update_max_watt_limit`, `<id> set_zero_discharge_limit`, `Idle`
 *   and the empty source of its capability entries; an EnergyNode's `<id>/module_config` (its fuse_limit_A and
 *   phase_count, and the amperes it derives from a watt limit);
 * - 'own': TsOcpp's own `<module id>/OCPP_set_external_limits`;
 * - 'external': anything else, which in 2026.02.0 reaches the tree only through some module's set_external_limits
 *   (`API_module`, `RpcApi_module`, another OCPP module's `<id>/OCPP_set_external_limits`, an EMS's own name);
 * - 'unknown': no source (2023.12 sends bare numbers).
 * Where limits tie, the manager joins their sources with ','; the limit is external only when every part is: a tie
 * with the tree or TsOcpp's own would hold without the external limit.
 */
export function limitOrigin(source: string | undefined, ownSource: string): 'tree' | 'own' | 'external' | 'unknown' {
  if (source === undefined) return 'unknown';
  const parts = source.split(',');
  if (parts.some((p) => p === ownSource)) return 'own';
  if (parts.some(isTreeSource)) return 'tree';
  return 'external';
}

const TREE_SUFFIXES = ['/evse_board_support_caps', '/evse_board_support_caps_pause', '/powersupply_dc_caps', '/clear_import_request_schedule',
  '/setup_v2h_mode', '/module_config', ' update_max_current_limit', ' update_max_watt_limit', ' set_zero_discharge_limit'];

function isTreeSource(part: string): boolean {
  return part === '' || part === 'Idle' || TREE_SUFFIXES.some((x) => part.endsWith(x));
}

/** The manager's schedule as an OCPP ChargingSchedule from its first entry; without one, the limit from now. */
function toSchedule(evseId: number, e: EnforcedLimit, limit: number): ChargingSchedule | undefined {
  const entries = e.schedule.filter((x) => Number.isFinite(Date.parse(x.timestamp)));
  if (entries.length === 0) return { id: evseId, chargingRateUnit: e.unit, chargingSchedulePeriod: [{ startPeriod: 0, limit }] };
  const start = Date.parse(entries[0]!.timestamp);
  const periods: ChargingSchedulePeriod[] = [];
  for (const x of entries) {
    const startPeriod = Math.max(0, Math.round((Date.parse(x.timestamp) - start) / 1000));
    // Equal neighbours say nothing new; periods must rise strictly.
    const prev = periods[periods.length - 1];
    if (prev && (startPeriod <= prev.startPeriod || prev.limit === x.limit)) continue;
    periods.push({ startPeriod, limit: x.limit });
  }
  return { id: evseId, startSchedule: new Date(start).toISOString(), chargingRateUnit: e.unit, chargingSchedulePeriod: periods };
}
