// External charging limits to the CSMS (OCPP 2.0.1 K12 NotifyChargingLimit, K13 ClearedChargingLimit). The bus
// side (src/module/charging-limit-feed.ts) hands over what the energy management enforces on an EVSE, in the
// CSMS's rate unit; this file decides what the CSMS is told. The rule (docs/csms.md, "External charging limits"):
// - the limit is external when it is below the CSMS's own composite limit of that EVSE now (by more than
//   LIMIT_TOLERANCE, as the energy management rounds) and it does not name TsOcpp's own set_external_limits as its
//   source (2026.02 types carry one); the CSMS's own limit is then not the one that holds, something else is;
// - NotifyChargingLimit (source EMS: EVerest's energy management) when an EVSE becomes externally limited, and
//   again only when the limit moved by more than LimitChangeSignificance percent of the last one notified
//   (K12.FR.02); with NotifyChargingLimitWithSchedules the energy management's schedule goes with it (K12.FR.04);
// - ClearedChargingLimit (K13.FR.01) once an EVSE that was notified is no longer externally limited.
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
  /** Where the value came from, when the release says (2026.02 NumberWithSource.source). */
  source?: string;
  /** The source TsOcpp gives the limits it sends to the energy management: a value from it is never external. */
  ownSource?: string;
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
      this.#o.log.info({ evse: evseId }, 'external charging limit ended: ClearedChargingLimit (K13)');
      this.#o.send({ action: 'ClearedChargingLimit', payload: { chargingLimitSource: 'EMS', evseId } });
      return;
    }
    const s = this.#o.settings();
    if (last !== undefined && last.unit === e.unit) {
      const change = Math.abs(external - last.limit);
      // K12.FR.02: a change of at most LimitChangeSignificance percent is not notified.
      if (last.limit === 0 ? change === 0 : (change / Math.abs(last.limit)) * 100 <= s.limitChangeSignificance) return;
    }
    this.#notified.set(evseId, { unit: e.unit, limit: external });
    const payload: NotifyChargingLimitRequest = { chargingLimit: { chargingLimitSource: 'EMS' }, evseId };
    if (s.notifyWithSchedules) {
      const schedule = toSchedule(evseId, e, external);
      if (schedule) payload.chargingSchedule = [schedule];
    }
    this.#o.log.info({ evse: evseId, limit: external, unit: e.unit }, 'external charging limit: NotifyChargingLimit (K12)');
    this.#o.send({ action: 'NotifyChargingLimit', payload });
  }

  /** The external limit, or undefined when the CSMS's own limit holds. */
  #external(evseId: number, e: EnforcedLimit): number | undefined {
    if (e.limit === undefined) return undefined;
    if (e.ownSource !== undefined && e.source === e.ownSource) return undefined;
    const own = this.#o.compositeLimit(evseId, e.unit);
    if (own === undefined) return e.limit;
    return e.limit < own - Math.abs(own) * LIMIT_TOLERANCE ? e.limit : undefined;
  }
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
