// The evse_manager var enforced_limits (what EVerest's energy management enforces on each EVSE) to the smart-charging
// room's external limits (src/ocpp/smart-charging/charging-limit.ts: K12 NotifyChargingLimit, K13
// ClearedChargingLimit). Here only the bus side: the value of the CSMS's rate unit (RequestCompositeScheduleUnit, the
// unit TsOcpp sends its own limits in) is taken from limits_root_side and from the schedule, bare (2023.12: no
// source, so the room never takes it for external) or with the source the manager names (2024.9.2 on). When the installed profiles change, the last enforced limits are judged again: the
// CSMS's own limit moved.
import type { EverestModule } from '../everest/module.js';
import type { Logger } from '../log.js';
import type { OcppService } from '../ocpp/service.js';
import type { ChargingRateUnit } from '../ocpp/smart-charging/ocpp-types.js';
import type { EnforcedLimit } from '../ocpp/smart-charging/charging-limit.js';
import type { TSOCPP_CONFIG } from '../generated/module-config.js';
import { ownLimitSource } from './energy-limits.js';
import type { EnforcedLimitsRes, EnforcedValue, EvseEnforcedLimits, EvseInputs } from './evse-inputs.js';
import type { TsOcppSpec } from './ocpp-module.js';

function valueOf(v: EnforcedValue | undefined): { value: number; source?: string } | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'number' ? { value: v } : { value: v.value, source: v.source };
}

function inUnit(r: EnforcedLimitsRes | undefined, unit: ChargingRateUnit): { value: number; source?: string } | undefined {
  return valueOf(unit === 'A' ? r?.ac_max_current_A : r?.total_power_W);
}

/** The enforced limits of one EVSE in the unit. */
export function toEnforcedLimit(e: EvseEnforcedLimits, unit: ChargingRateUnit, ownSource: string): EnforcedLimit {
  const now = inUnit(e.limits_root_side, unit);
  const schedule = (e.schedule ?? []).flatMap((x) => {
    const v = inUnit(x.limits_to_root, unit);
    return v ? [{ timestamp: x.timestamp, limit: v.value }] : [];
  });
  return { unit, limit: now?.value, ...(now?.source !== undefined ? { source: now.source } : {}), ownSource, schedule };
}

/** Feeds the room from every EVSE's enforced_limits. Returns the function that stops it. */
export function bindChargingLimitFeed(mod: EverestModule<TsOcppSpec, typeof TSOCPP_CONFIG>, inputs: EvseInputs | undefined, service: OcppService,
  log: Logger): () => void {
  if (!inputs) return () => undefined;
  const unit: ChargingRateUnit = mod.config.module.RequestCompositeScheduleUnit === 'W' ? 'W' : 'A';
  const own = ownLimitSource(mod.selfId);
  const last = new Map<number, EvseEnforcedLimits>();
  const judge = (evseId: number, e: EvseEnforcedLimits): void => {
    try {
      service.chargingLimits.enforced(evseId, toEnforcedLimit(e, unit, own));
    } catch (err) {
      log.error({ err, evse: evseId }, 'could not judge the enforced limits of an EVSE');
    }
  };
  const off = inputs.on('enforced_limits', (evseId, e) => {
    last.set(evseId, e);
    judge(evseId, e);
  });
  const offChanged = service.smartCharging.on('changed', () => {
    for (const [evseId, e] of last) judge(evseId, e);
  });
  return () => {
    off();
    offChanged();
  };
}
