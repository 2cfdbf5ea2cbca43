// Reads libocpp's component config folder (everest-core's OCPP201 module, DeviceModelConfigPath): JSON files
// in `standardized/` and `custom/`, one component each, its variables under `properties`. The format is
// libocpp's (lib/everest/ocpp init_device_model_db.cpp from_json and get_all_component_configs, 2026.02.0):
//   { "name", "instance"?, "evse_id"?, "connector_id"?, "properties": { <key>: { "variable_name", "instance"?,
//     "characteristics": { "dataType", "unit"?, "minLimit"?, "maxLimit"?, "valuesList"?, "supportsMonitoring" },
//     "attributes": [ { "type", "mutability"?, "value"?, "persistent"?, "constant"? } ], "default"? } } }
// JSON-schema annotations beside them ($schema, description, type, required, minimum ...) are ignored, as
// libocpp ignores them. Everything is read and checked before anything is imported; a bad file is one
// DeviceModelError naming the file and the JSON pointer of what is wrong. Values are never echoed in errors:
// a file may hold a WriteOnly secret (SecurityCtrlr BasicAuthPassword).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { errorMessage } from '../errors.js';
import { isObject } from '../is-object.js';
import { DeviceModelError } from './errors.js';
import {
  ATTRIBUTE_TYPES, DATA_TYPES, MUTABILITIES,
  type AttributeType, type Characteristics, type ComponentKey, type DataType, type Mutability,
} from './types.js';
import { validateValue } from './validate.js';

/** libocpp's two sub-folders; a component in `custom` replaces the same component in `standardized`. */
export const COMPONENT_CONFIG_SUBDIRS = ['standardized', 'custom'] as const;

export interface ImportedAttribute {
  type: AttributeType;
  mutability: Mutability;
  /** null: the file gives no value (the attribute exists without one). */
  value: string | null;
  persistent: boolean;
  constant: boolean;
  /** Where the value came from, for messages: "custom/EVSE_1.json#/properties/EVSEPower/attributes/0/value". */
  where: string;
}

export interface ImportedVariable {
  name: string;
  instance?: string | undefined;
  characteristics: Characteristics;
  attributes: ImportedAttribute[];
  where: string;
}

export interface ImportedComponent {
  component: ComponentKey;
  variables: ImportedVariable[];
  /** The file, relative to the folder ("standardized/SecurityCtrlr.json"). */
  source: string;
}

type Json = Record<string, unknown>;

/** RFC 6901: "~" and "/" escaped inside a reference token. */
export function pointerToken(s: string | number): string {
  return String(s).replace(/~/g, '~0').replace(/\//g, '~1');
}

function fail(source: string, pointer: string, what: string, cause?: unknown): never {
  throw new DeviceModelError(
    'TSOCPP_ERR_DEVICE_MODEL_CONFIG', `${source}#${pointer}: ${what}`, cause === undefined ? undefined : { cause },
  );
}

function optString(obj: Json, key: string, source: string, ptr: string): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail(source, `${ptr}/${pointerToken(key)}`, 'must be a string');
  return v;
}

function optNumber(obj: Json, key: string, source: string, ptr: string): number | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(source, `${ptr}/${pointerToken(key)}`, 'must be a number');
  return v;
}

function optBool(obj: Json, key: string, source: string, ptr: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') fail(source, `${ptr}/${pointerToken(key)}`, 'must be true or false');
  return v;
}

function optId(obj: Json, key: string, source: string): number | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(source, `/${key}`, 'must be an integer >= 1 (OCPP numbers EVSEs and connectors from 1)');
  return v;
}

/**
 * libocpp stores every value as a string: booleans as "true"/"false", numbers as JSON writes them; an array or
 * object is stored as its JSON text (libocpp warns and does the same).
 */
function valueString(v: unknown, source: string, ptr: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) fail(source, ptr, 'must be a finite number');
    return String(v);
  }
  return JSON.stringify(v);
}

function parseCharacteristics(raw: unknown, source: string, ptr: string): Characteristics {
  if (!isObject(raw)) fail(source, ptr, 'must be an object');
  const dataType = raw.dataType;
  if (typeof dataType !== 'string' || !(DATA_TYPES as readonly string[]).includes(dataType)) {
    fail(source, `${ptr}/dataType`, `must be one of ${DATA_TYPES.join(', ')}`);
  }
  return {
    data_type: dataType as DataType,
    unit: optString(raw, 'unit', source, ptr),
    min_limit: optNumber(raw, 'minLimit', source, ptr),
    max_limit: optNumber(raw, 'maxLimit', source, ptr),
    values_list: optString(raw, 'valuesList', source, ptr),
    supports_monitoring: optBool(raw, 'supportsMonitoring', source, ptr) ?? true,
  };
}

/** A value must fit the characteristics it is stored under; an empty one is "no value yet" (libocpp). */
export function checkImportedValue(ch: Characteristics, value: string, source: string, ptr: string): void {
  if (value === '') return;
  const why = validateValue(ch, value);
  if (why) fail(source, ptr, `value does not fit the characteristics (${why})`);
}


function parseVariable(key: string, raw: unknown, source: string): ImportedVariable {
  const ptr = `/properties/${pointerToken(key)}`;
  if (!isObject(raw)) fail(source, ptr, 'must be an object');
  const name = optString(raw, 'variable_name', source, ptr);
  if (!name) fail(source, `${ptr}/variable_name`, 'is required');
  const instance = optString(raw, 'instance', source, ptr);
  const characteristics = parseCharacteristics(raw.characteristics, source, `${ptr}/characteristics`);
  // libocpp: "default" is the Actual value when the Actual attribute gives none.
  const fallback = valueString(raw.default, source, `${ptr}/default`);
  if (fallback !== null) checkImportedValue(characteristics, fallback, source, `${ptr}/default`);
  if (!Array.isArray(raw.attributes) || raw.attributes.length === 0) fail(source, `${ptr}/attributes`, 'must be a non-empty array');
  const attributes: ImportedAttribute[] = [];
  raw.attributes.forEach((a: unknown, i) => {
    const ap = `${ptr}/attributes/${i}`;
    if (!isObject(a)) fail(source, ap, 'must be an object');
    const type = a.type;
    if (typeof type !== 'string' || !(ATTRIBUTE_TYPES as readonly string[]).includes(type)) {
      fail(source, `${ap}/type`, `must be one of ${ATTRIBUTE_TYPES.join(', ')}`);
    }
    if (attributes.some((x) => x.type === type)) fail(source, `${ap}/type`, `attribute ${type} given twice`);
    // OCPP 2.0.1 VariableAttributeType: mutability defaults to ReadWrite.
    const mutability = a.mutability ?? 'ReadWrite';
    if (typeof mutability !== 'string' || !(MUTABILITIES as readonly string[]).includes(mutability)) {
      fail(source, `${ap}/mutability`, `must be one of ${MUTABILITIES.join(', ')}`);
    }
    let value = valueString(a.value, source, `${ap}/value`);
    let where = `${source}#${ap}/value`;
    if (value !== null) checkImportedValue(characteristics, value, source, `${ap}/value`);
    if (value === null && type === 'Actual' && fallback !== null) {
      value = fallback;
      where = `${source}#${ptr}/default`;
    }
    attributes.push({
      type: type as AttributeType,
      mutability: mutability as Mutability,
      value,
      persistent: optBool(a, 'persistent', source, ap) ?? true,
      constant: optBool(a, 'constant', source, ap) ?? false,
      where,
    });
  });
  return { name, instance, characteristics, attributes, where: `${source}#${ptr}` };
}

/** One file's text; `source` names it in errors. A file without `properties` is skipped by libocpp: undefined. */
export function parseComponentConfigFile(text: string, source: string): ImportedComponent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    fail(source, '', `not JSON: ${errorMessage(err)}`, err);
  }
  if (!isObject(raw)) fail(source, '', 'must be a JSON object');
  const name = optString(raw, 'name', source, '');
  if (!name) fail(source, '/name', 'is required');
  const component: ComponentKey = {
    name,
    instance: optString(raw, 'instance', source, '') || undefined,
    evse_id: optId(raw, 'evse_id', source),
    connector_id: optId(raw, 'connector_id', source),
  };
  if (component.connector_id !== undefined && component.evse_id === undefined) fail(source, '/connector_id', 'needs an evse_id');
  if (raw.properties === undefined) return undefined;
  if (!isObject(raw.properties)) fail(source, '/properties', 'must be an object');
  const variables: ImportedVariable[] = [];
  const seen = new Map<string, string>();
  for (const [key, v] of Object.entries(raw.properties)) {
    const variable = parseVariable(key, v, source);
    const id = `${variable.name}\u0000${variable.instance ?? ''}`;
    const first = seen.get(id);
    if (first !== undefined) {
      fail(source, `/properties/${pointerToken(key)}`, `variable ${variable.name}${variable.instance ? `/${variable.instance}` : ''} is also /properties/${pointerToken(first)}`);
    }
    seen.set(id, key);
    variables.push(variable);
  }
  return { component, variables, source };
}

function describe(k: ComponentKey): string {
  return `${k.name}${k.instance ? `/${k.instance}` : ''}${k.evse_id !== undefined ? `@${k.evse_id}` : ''}${k.connector_id !== undefined ? `:${k.connector_id}` : ''}`;
}

/**
 * Reads every `<dir>/standardized/*.json` and `<dir>/custom/*.json` (sorted by name). A component in both is
 * taken from `custom` (libocpp merges the two maps with custom first); twice in the same sub-folder is an error.
 */
export function readComponentConfig(dir: string): ImportedComponent[] {
  const present = COMPONENT_CONFIG_SUBDIRS.filter((s) => isDirectory(join(dir, s)));
  if (present.length === 0) {
    throw new DeviceModelError('TSOCPP_ERR_DEVICE_MODEL_CONFIG', `${dir}: not a component config folder (it has neither standardized/ nor custom/)`);
  }
  const bySub = new Map<string, Map<string, ImportedComponent>>();
  for (const sub of present) {
    const found = new Map<string, ImportedComponent>();
    for (const file of readdirSync(join(dir, sub)).filter((f) => f.endsWith('.json')).sort()) {
      const source = `${sub}/${file}`;
      let text: string;
      try {
        text = readFileSync(join(dir, sub, file), 'utf8');
      } catch (err) {
        fail(source, '', `cannot read: ${errorMessage(err)}`, err);
      }
      const c = parseComponentConfigFile(text, source);
      if (!c) continue;
      const key = describe(c.component);
      const other = found.get(key);
      if (other) fail(source, '/name', `component ${key} is also defined in ${other.source}`);
      found.set(key, c);
    }
    bySub.set(sub, found);
  }
  const merged = new Map(bySub.get('standardized') ?? []);
  for (const [key, c] of bySub.get('custom') ?? []) merged.set(key, c);
  return [...merged.values()];
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export interface ComponentConfigLocation {
  /** TsOcpp's key component_config_dir: when not empty, it wins (relative to the working directory). */
  componentConfigDir: string;
  /** OCPP201's key DeviceModelConfigPath (default "component_config"). */
  deviceModelConfigPath: string;
  /** The EVerest install prefix (EV_PREFIX) when a manager spawned TsOcpp. */
  installPrefix?: string | undefined;
  /** The module name TsOcpp runs as (its share folder). */
  moduleName: string;
}

/**
 * The component config folder to import, or undefined when there is none. component_config_dir, when set,
 * must exist. DeviceModelConfigPath is resolved as OCPP201 resolves it (OCPP201.cpp: relative to the module's
 * share folder, `<prefix>/share/everest/modules/<module>/`); since a station moving from OCPP201 has its files
 * in OCPP201's share folder, that one is tried after TsOcpp's own. Without an install prefix a relative path
 * is taken from the working directory. A DeviceModelConfigPath that is not there imports nothing (its default
 * is set in every config, so its absence is the normal case for a station that never ran OCPP201).
 */
export function resolveComponentConfigDir(loc: ComponentConfigLocation): string | undefined {
  const own = loc.componentConfigDir.trim();
  if (own !== '') {
    const dir = resolve(own);
    if (!isDirectory(dir)) {
      throw new DeviceModelError('TSOCPP_ERR_DEVICE_MODEL_CONFIG', `component_config_dir ${own}: no such folder`);
    }
    return dir;
  }
  const p = loc.deviceModelConfigPath.trim();
  if (p === '') return undefined;
  const candidates = isAbsolute(p) || !loc.installPrefix
    ? [resolve(p)]
    : [loc.moduleName, 'OCPP201'].map((m) => join(loc.installPrefix!, 'share', 'everest', 'modules', m, p));
  return candidates.find((c) => existsSync(c) && isDirectory(c));
}
