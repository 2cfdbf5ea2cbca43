// Reads config/device_model/*.json (one component per file, TsOcpp's own format) and expands EVSE and
// Connector components per EVSE / per connector. Unknown keys are rejected, like the rest of TsOcpp's inputs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../errors.js';
import { DeviceModelError } from './errors.js';
import {
  ATTRIBUTE_TYPES, DATA_TYPES, MUTABILITIES,
  type AttributeType, type Characteristics, type ComponentDefinition, type DataType, type Mutability,
  type VariableDefinition,
} from './types.js';
import { validateValue } from './validate.js';
import { isObject } from '../is-object.js';

/** The directory shipped with TsOcpp, found relative to this file (never an absolute path). */
export const DEFAULT_DEVICE_MODEL_DIR = fileURLToPath(new URL('../../config/device_model/', import.meta.url));

export type Scope = 'station' | 'evse' | 'connector';

export interface Topology {
  evseCount: number;
  connectorsPerEvse: number;
}

type Json = Record<string, unknown>;

function fail(source: string, what: string, cause?: unknown): never {
  throw new DeviceModelError('TSOCPP_ERR_DEVICE_MODEL_CONFIG', `${source}: ${what}`, cause === undefined ? undefined : { cause });
}

function onlyKeys(obj: Json, allowed: readonly string[], source: string, where: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) fail(source, `unknown key "${k}" in ${where}`);
  }
}

function optString(obj: Json, key: string, source: string, where: string): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail(source, `${where}.${key} must be a string`);
  return v;
}

function optNumber(obj: Json, key: string, source: string, where: string): number | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(source, `${where}.${key} must be a number`);
  return v;
}

function optBool(obj: Json, key: string, source: string, where: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') fail(source, `${where}.${key} must be a boolean`);
  return v;
}

interface ParsedFile {
  name: string;
  instance?: string | undefined;
  scope: Scope;
  variables: VariableDefinition[];
  source: string;
}

function parseCharacteristics(raw: unknown, source: string, where: string): Characteristics {
  if (!isObject(raw)) fail(source, `${where}.characteristics must be an object`);
  onlyKeys(raw, ['dataType', 'unit', 'minLimit', 'maxLimit', 'valuesList', 'supportsMonitoring'], source, where);
  const dataType = raw.dataType;
  if (typeof dataType !== 'string' || !(DATA_TYPES as readonly string[]).includes(dataType)) {
    fail(source, `${where}.characteristics.dataType must be one of ${DATA_TYPES.join(', ')}`);
  }
  return {
    data_type: dataType as DataType,
    unit: optString(raw, 'unit', source, where),
    min_limit: optNumber(raw, 'minLimit', source, where),
    max_limit: optNumber(raw, 'maxLimit', source, where),
    values_list: optString(raw, 'valuesList', source, where),
    supports_monitoring: optBool(raw, 'supportsMonitoring', source, where) ?? true,
  };
}

function parseVariable(raw: unknown, source: string, index: number): VariableDefinition {
  const where = `variables[${index}]`;
  if (!isObject(raw)) fail(source, `${where} must be an object`);
  onlyKeys(raw, ['name', 'instance', 'description', 'rebootRequired', 'characteristics', 'attributes'], source, where);
  const name = optString(raw, 'name', source, where);
  if (!name) fail(source, `${where}.name is required`);
  optString(raw, 'description', source, where);
  const characteristics = parseCharacteristics(raw.characteristics, source, `${where} (${name})`);
  const attrs = raw.attributes;
  if (!isObject(attrs) || Object.keys(attrs).length === 0) fail(source, `${where}.attributes must be a non-empty object`);
  const attributes: VariableDefinition['attributes'] = [];
  for (const [type, spec] of Object.entries(attrs)) {
    const aw = `${where}.attributes.${type}`;
    if (!(ATTRIBUTE_TYPES as readonly string[]).includes(type)) fail(source, `${aw}: unknown attribute type`);
    if (!isObject(spec)) fail(source, `${aw} must be an object`);
    onlyKeys(spec, ['mutability', 'value', 'persistent', 'constant'], source, aw);
    const mutability = spec.mutability ?? 'ReadWrite';
    if (typeof mutability !== 'string' || !(MUTABILITIES as readonly string[]).includes(mutability)) {
      fail(source, `${aw}.mutability must be one of ${MUTABILITIES.join(', ')}`);
    }
    const value = spec.value;
    if (value !== undefined && value !== null && typeof value !== 'string') {
      fail(source, `${aw}.value must be a string (OCPP values are strings)`);
    }
    if (typeof value === 'string') {
      const why = validateValue(characteristics, value);
      // Never echo the value: it may be a WriteOnly secret.
      if (why) fail(source, `${aw}: default value fails its characteristics (${why})`);
    }
    attributes.push({
      type: type as AttributeType,
      mutability: mutability as Mutability,
      value: typeof value === 'string' ? value : null,
      persistent: optBool(spec, 'persistent', source, aw) ?? true,
      constant: optBool(spec, 'constant', source, aw) ?? false,
    });
  }
  return {
    name,
    instance: optString(raw, 'instance', source, where),
    reboot_required: optBool(raw, 'rebootRequired', source, where) ?? false,
    characteristics,
    attributes,
  };
}

export function parseComponentFile(text: string, source: string): ParsedFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    fail(source, `not JSON: ${errorMessage(err)}`, err);
  }
  if (!isObject(raw)) fail(source, 'must be a JSON object');
  onlyKeys(raw, ['$comment', 'name', 'instance', 'scope', 'description', 'variables'], source, 'the file');
  const name = optString(raw, 'name', source, 'the file');
  if (!name) fail(source, 'name is required');
  const scope = raw.scope ?? 'station';
  if (scope !== 'station' && scope !== 'evse' && scope !== 'connector') {
    fail(source, 'scope must be station, evse or connector');
  }
  if (!Array.isArray(raw.variables)) fail(source, 'variables must be an array');
  const variables = raw.variables.map((v, i) => parseVariable(v, source, i));
  const seen = new Set<string>();
  for (const v of variables) {
    const key = `${v.name}\u0000${v.instance ?? ''}`;
    if (seen.has(key)) fail(source, `variable ${v.name}${v.instance ? `/${v.instance}` : ''} defined twice`);
    seen.add(key);
  }
  return { name, instance: optString(raw, 'instance', source, 'the file'), scope, variables, source };
}

/** Loads every *.json file of `dir` (sorted by name) and expands it for the topology. */
export function loadComponentDefinitions(dir: string, topology: Topology): ComponentDefinition[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const out: ComponentDefinition[] = [];
  for (const file of files) {
    const parsed = parseComponentFile(readFileSync(join(dir, file), 'utf8'), file);
    out.push(...expand(parsed, topology));
  }
  return out;
}

function expand(p: ParsedFile, t: Topology): ComponentDefinition[] {
  const base = { name: p.name, instance: p.instance };
  if (p.scope === 'station') return [{ component: base, variables: p.variables, source: p.source }];
  const out: ComponentDefinition[] = [];
  for (let evse = 1; evse <= t.evseCount; evse++) {
    if (p.scope === 'evse') {
      out.push({ component: { ...base, evse_id: evse }, variables: p.variables, source: p.source });
      continue;
    }
    for (let connector = 1; connector <= t.connectorsPerEvse; connector++) {
      out.push({ component: { ...base, evse_id: evse, connector_id: connector }, variables: p.variables, source: p.source });
    }
  }
  return out;
}
