// EVerest's config file format (active_modules with config_module / config_implementation /
// connections), read for the embedded config service, and turned into the manager's answer shapes.
import type { Manifest, ConfigDeclaration } from '../everest/manifest.js';
import { ConfigError } from '../errors.js';
import { isObject } from '../is-object.js';
import { readYamlFile } from '../schema/yaml-file.js';

export interface ActiveModule {
  module: string;
  standalone?: boolean;
  config_module?: Record<string, unknown>;
  config_implementation?: Record<string, Record<string, unknown>>;
  connections?: Record<string, Array<{ module_id: string; implementation_id: string }>>;
  /** The EVSE (and connector) this module serves: `{module: {evse: 1}}`, per implementation under `implementations`. */
  mapping?: Record<string, unknown>;
}

export interface EverestConfig {
  settings?: Record<string, unknown>;
  active_modules: Record<string, ActiveModule>;
}

export function loadEverestConfig(path: string): EverestConfig {
  const raw: unknown = readYamlFile(path);
  if (!isObject(raw) || !isObject(raw.active_modules)) throw new ConfigError('active_modules', `${path} has no active_modules mapping`);
  for (const [id, m] of Object.entries(raw.active_modules)) {
    if (!isObject(m) || typeof m.module !== 'string') throw new ConfigError(`active_modules.${id}.module`, `missing in ${path}`);
  }
  return raw as unknown as EverestConfig;
}

const DATATYPE: Record<ConfigDeclaration['type'], string> = { string: 'string', integer: 'integer', number: 'decimal', boolean: 'bool' };

function parameters(decls: Record<string, ConfigDeclaration>, given: Record<string, unknown>): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const [name, decl] of Object.entries(decls)) {
    const value = name in given ? given[name] : decl.default;
    if (value === undefined) continue;
    out.push({ characteristics: { datatype: DATATYPE[decl.type], mutability: 'ReadOnly' }, name, value });
  }
  // Keys the manifest does not declare are passed on, so that the module names them in its error.
  for (const [name, value] of Object.entries(given)) {
    if (!(name in decls)) out.push({ characteristics: { datatype: 'string', mutability: 'ReadOnly' }, name, value });
  }
  return out;
}

/** module_config as a v0.22+ manager answers it (configuration_parameters). */
export function moduleConfigV22(id: string, m: ActiveModule, manifest: Manifest | undefined): Record<string, unknown> {
  const cp: Record<string, unknown> = { '!module': parameters(manifest?.config ?? {}, m.config_module ?? {}) };
  for (const [impl, p] of Object.entries(manifest?.provides ?? {})) {
    cp[impl] = parameters(p.config ?? {}, m.config_implementation?.[impl] ?? {});
  }
  return {
    access: null,
    configuration_parameters: cp,
    connections: m.connections ?? {},
    mapping: m.mapping ?? null,
    module_id: id,
    module_name: m.module,
    standalone: m.standalone ?? false,
    telemetry_enabled: false,
  };
}

/** module_config entry as a v0.19-v0.21 manager answers `get_config` (config_maps of plain values). */
export function moduleConfigV19(m: ActiveModule, manifest: Manifest | undefined): Record<string, unknown> {
  // Each entry is {"type", "value"} as v0.20's parse_config_map writes it.
  const values = (decls: Record<string, ConfigDeclaration>, given: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [name, decl] of Object.entries(decls)) {
      const value = name in given ? given[name] : decl.default;
      if (value !== undefined) out[name] = { type: decl.type, value };
    }
    for (const [name, value] of Object.entries(given)) if (!(name in decls)) out[name] = { type: 'string', value };
    return out;
  };
  const maps: Record<string, unknown> = { '!module': values(manifest?.config ?? {}, m.config_module ?? {}) };
  for (const [impl, p] of Object.entries(manifest?.provides ?? {})) maps[impl] = values(p.config ?? {}, m.config_implementation?.[impl] ?? {});
  return {
    config_implementation: m.config_implementation ?? {},
    config_maps: maps,
    config_module: m.config_module ?? {},
    connections: m.connections ?? {},
    mapping: {},
    module: m.module,
    standalone: m.standalone ?? false,
  };
}
