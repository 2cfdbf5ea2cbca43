// Puts a component config read by component-config.ts into the device model, in one SQLite transaction:
// variables the device model lacks are added with their characteristics and attributes; values of variables
// it has are set by libocpp's rule (repository importValue: never over a value a CSMS or TsOcpp has set).
// Existing variables keep TsOcpp's characteristics and mutability (they say what TsOcpp does). Not imported,
// each logged: a value outside TsOcpp's characteristics of its variable (libocpp's stock ValueSize 2500 where
// TsOcpp handles 1000; the file itself is fine, so this is no error), controllers TsOcpp does not have (capabilities.ts
// ABSENT_CONTROLLERS, so nothing is claimed that is not there), the Available/Enabled flags of features it
// lacks (lackingFlags), and EVSEs or connectors beyond evse_count / connectors_per_evse.
// Monitors in the files are not imported (TsOcpp's monitors are set by the bus's monitor_variables).
import type { Logger } from '../log.js';
import { ABSENT_CONTROLLERS, lackingFlags } from './capabilities.js';
import type { Topology } from './config.js';
import type { ImportedComponent, ImportedVariable } from './component-config.js';
import { describeComponent, type DeviceModelRepository } from './repository.js';
import type { ComponentKey, VariableDefinition } from './types.js';
import { validateValue } from './validate.js';

export interface ImportSummary {
  componentsAdded: number;
  variablesAdded: number;
  attributesAdded: number;
  valuesSet: number;
  /** Variables ("Component.Variable") whose value stayed because a CSMS or TsOcpp had set it. */
  valuesKept: string[];
  /** What was left out, with why. */
  skipped: string[];
}

function isStationWide(k: ComponentKey): boolean {
  return k.instance === undefined && k.evse_id === undefined && k.connector_id === undefined;
}

function toDefinition(v: ImportedVariable): VariableDefinition {
  return {
    name: v.name,
    instance: v.instance,
    reboot_required: false,
    characteristics: v.characteristics,
    attributes: v.attributes.map((a) => ({
      type: a.type, mutability: a.mutability, value: a.value, persistent: a.persistent, constant: a.constant,
    })),
  };
}

/** One transaction: an error (a failing write) rolls back all of it. */
export function importComponentConfig(
  repo: DeviceModelRepository, components: ImportedComponent[], topology: Topology, log: Logger,
): ImportSummary {
  const summary: ImportSummary = {
    componentsAdded: 0, variablesAdded: 0, attributesAdded: 0, valuesSet: 0, valuesKept: [], skipped: [],
  };
  const lacking = new Set(lackingFlags().map((f) => `${f.component}.${f.variable}`));
  repo.transaction(() => {
    for (const c of components) {
      const k = c.component;
      const name = describeComponent(k);
      if (ABSENT_CONTROLLERS.includes(k.name)) {
        summary.skipped.push(`${name} (${c.source}): TsOcpp does not have this controller`);
        continue;
      }
      if ((k.evse_id ?? 0) > topology.evseCount || (k.connector_id ?? 0) > topology.connectorsPerEvse) {
        summary.skipped.push(`${name} (${c.source}): beyond evse_count ${topology.evseCount} x connectors_per_evse ${topology.connectorsPerEvse}`);
        continue;
      }
      for (const v of c.variables) {
        const vname = `${name}.${v.name}${v.instance ? `/${v.instance}` : ''}`;
        if (isStationWide(k) && v.instance === undefined && lacking.has(`${k.name}.${v.name}`)) {
          summary.skipped.push(`${vname}: TsOcpp lacks the feature, the flag stays false`);
          continue;
        }
        const component = repo.findComponent(k);
        const existing = component && repo.findVariable(component.id, v.name, v.instance);
        if (!existing) {
          const added = repo.addVariable(k, toDefinition(v));
          if (added.componentAdded) summary.componentsAdded++;
          summary.variablesAdded++;
          continue;
        }
        for (const a of v.attributes) {
          const stored = repo.attribute(existing.id, a.type);
          // The file is fine (its own characteristics were checked); TsOcpp's bound what it can do.
          const why = a.value === null || a.value === '' ? undefined : validateValue(existing.characteristics, a.value);
          if (why) {
            summary.skipped.push(`${a.where}: ${vname} ${a.type} does not fit TsOcpp's characteristics of it (${why}), kept as it is`);
            continue;
          }
          if (!stored) {
            repo.addAttribute(existing.id, a);
            summary.attributesAdded++;
            continue;
          }
          if (a.value === null) continue;
          const r = repo.importValue(stored.id, a.value);
          if (r === 'set') summary.valuesSet++;
          else if (r === 'kept') summary.valuesKept.push(a.type === 'Actual' ? vname : `${vname} (${a.type})`);
        }
      }
    }
  });
  // Names only: values may be secrets (BasicAuthPassword).
  for (const s of summary.skipped) log.info({ skipped: s }, 'component config: not imported');
  if (summary.valuesKept.length > 0) log.debug({ variables: summary.valuesKept }, 'component config: values set by a CSMS or TsOcpp kept');
  return summary;
}
