// The manager's answer to a config request, in either dialect's shape, reduced to one form.
// v0.22+: module_config.configuration_parameters = {"!module": [{name, value, characteristics}], "<impl>": [...]}
// v0.19-v0.21: module_config.config_maps = {"!module": {key: {type, value}}, "<impl>": {...}}
// (everest-bus.md; everest-framework lib/config.cpp at v0.20.3 and v0.25.0)
import { isObject } from '../is-object.js';

export interface Connection {
  moduleId: string;
  implementationId: string;
}

export interface ModuleConfig {
  moduleName: string | undefined;
  standalone: boolean;
  /** Raw values of module-level config ("!module"). */
  module: Record<string, unknown>;
  /** Raw values per implementation id. */
  impls: Record<string, Record<string, unknown>>;
  /** Requirement id -> the implementations it is connected to, in order. */
  connections: Record<string, Connection[]>;
  mappings: unknown;
}

function readParameterList(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (Array.isArray(list)) {
    for (const p of list) {
      if (isObject(p) && typeof p.name === 'string') out[p.name] = p.value;
    }
  } else if (isObject(list)) {
    // v0.19-v0.21: {key: {"type": "<manifest type>", "value": v}} (lib/config.cpp parse_config_map).
    for (const [k, v] of Object.entries(list)) out[k] = isObject(v) && 'value' in v && 'type' in v ? v.value : v;
  }
  return out;
}

function readConnections(raw: unknown): Record<string, Connection[]> {
  const out: Record<string, Connection[]> = {};
  if (!isObject(raw)) return out;
  for (const [req, list] of Object.entries(raw)) {
    const conns: Connection[] = [];
    for (const c of Array.isArray(list) ? list : []) {
      if (isObject(c) && typeof c.module_id === 'string' && typeof c.implementation_id === 'string') {
        conns.push({ moduleId: c.module_id, implementationId: c.implementation_id });
      }
    }
    out[req] = conns;
  }
  return out;
}

export function normalizeModuleConfig(answer: { module_config: unknown; mappings: unknown }): ModuleConfig {
  const mc = isObject(answer.module_config) ? answer.module_config : {};
  const maps = isObject(mc.configuration_parameters) ? mc.configuration_parameters : isObject(mc.config_maps) ? mc.config_maps : {};
  const impls: Record<string, Record<string, unknown>> = {};
  let module: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(maps)) {
    if (k === '!module') module = readParameterList(v);
    else impls[k] = readParameterList(v);
  }
  const moduleName = typeof mc.module_name === 'string' ? mc.module_name : typeof mc.module === 'string' ? mc.module : undefined;
  return {
    moduleName,
    standalone: mc.standalone === true,
    module,
    impls,
    connections: readConnections(mc.connections),
    mappings: answer.mappings,
  };
}

/** A config for running without any manager answer (only defaults from the manifest apply). */
export function emptyModuleConfig(): ModuleConfig {
  return { moduleName: undefined, standalone: true, module: {}, impls: {}, connections: {}, mappings: null };
}
