// The module manifest (manifest.yaml) and the module configuration it declares. The manager's answer
// carries values; the manifest carries types and defaults. A bad value stops start-up with one line
// naming the key.
import { ConfigError, ManifestError } from '../errors.js';
import { isObject } from '../is-object.js';
import { readYamlFile } from '../schema/yaml-file.js';

export type ConfigType = 'string' | 'integer' | 'number' | 'boolean';

export interface ConfigDeclaration {
  type: ConfigType;
  description?: string;
  default?: string | number | boolean;
  minimum?: number;
  maximum?: number;
  enum?: readonly (string | number)[];
}

export type ConfigDeclarations = Readonly<Record<string, ConfigDeclaration>>;

export interface Manifest<D extends ConfigDeclarations = ConfigDeclarations> {
  description: string;
  config: D;
  provides: Record<string, { interface: string; description?: string; config?: Record<string, ConfigDeclaration> }>;
  requires: Record<string, { interface: string; min_connections?: number; max_connections?: number }>;
  metadata: { license: string; authors: string[] };
}

export function loadManifest(path: string): Manifest {
  let raw: unknown;
  try {
    raw = readYamlFile(path);
  } catch (err) {
    throw new ManifestError(`cannot read manifest ${path}`, { cause: err });
  }
  return checkManifest(raw, path);
}

export function checkManifest(raw: unknown, where: string): Manifest {
  if (!isObject(raw)) throw new ManifestError(`${where}: not a YAML mapping`);
  // The manager rejects a manifest without provides, metadata.license and metadata.authors (everest-bus.md).
  if (!isObject(raw.provides) || Object.keys(raw.provides).length === 0) throw new ManifestError(`${where}: 'provides' needs at least one entry`);
  const md = raw.metadata;
  if (!isObject(md) || typeof md.license !== 'string' || !Array.isArray(md.authors)) {
    throw new ManifestError(`${where}: 'metadata.license' and 'metadata.authors' are required`);
  }
  for (const [impl, p] of Object.entries(raw.provides)) {
    if (!isObject(p) || typeof p.interface !== 'string') throw new ManifestError(`${where}: provides.${impl}.interface missing`);
  }
  const config = isObject(raw.config) ? raw.config : {};
  for (const [key, decl] of Object.entries(config)) {
    if (!isObject(decl) || !['string', 'integer', 'number', 'boolean'].includes(decl.type as string)) {
      throw new ManifestError(`${where}: config.${key}.type must be string, integer, number or boolean`);
    }
  }
  return {
    description: typeof raw.description === 'string' ? raw.description : '',
    config: config as Manifest['config'],
    provides: raw.provides as Manifest['provides'],
    requires: (isObject(raw.requires) ? raw.requires : {}) as Manifest['requires'],
    metadata: md as Manifest['metadata'],
  };
}

export type ConfigValue = string | number | boolean;

type TypeValue<T extends ConfigType> = T extends 'boolean' ? boolean : T extends 'string' ? string : number;
type ValueOf<D extends ConfigDeclaration> = D extends { readonly enum: readonly (infer E)[] } ? E : TypeValue<D['type']>;

/**
 * The values that `resolveConfig` makes of declarations `D`: for declarations known at compile time (the
 * generated src/generated/module-config.ts) one typed field per key, an enum as its union; for a manifest
 * read at run time, `Record<string, ConfigValue>`.
 */
export type ConfigOf<D extends ConfigDeclarations> = { -readonly [K in keyof D]: ValueOf<D[K]> };

/** Check one value against its declaration, converting the string forms the manager may send. */
export function coerceConfigValue(key: string, decl: ConfigDeclaration, value: unknown): ConfigValue {
  let v: unknown = value;
  switch (decl.type) {
    case 'string':
      if (typeof v !== 'string') throw new ConfigError(key, `expected a string, got ${JSON.stringify(v)}`);
      break;
    case 'boolean':
      if (v === 'true' || v === 'false') v = v === 'true';
      if (typeof v !== 'boolean') throw new ConfigError(key, `expected true or false, got ${JSON.stringify(v)}`);
      break;
    case 'integer':
    case 'number':
      if (typeof v === 'string' && v.trim() !== '') v = Number(v);
      if (typeof v !== 'number' || !Number.isFinite(v) || (decl.type === 'integer' && !Number.isInteger(v))) {
        throw new ConfigError(key, `expected ${decl.type === 'integer' ? 'an integer' : 'a number'}, got ${JSON.stringify(value)}`);
      }
      if (decl.minimum !== undefined && v < decl.minimum) throw new ConfigError(key, `${v} is below the minimum ${decl.minimum}`);
      if (decl.maximum !== undefined && v > decl.maximum) throw new ConfigError(key, `${v} is above the maximum ${decl.maximum}`);
      break;
  }
  if (decl.enum && !decl.enum.includes(v as string | number)) {
    throw new ConfigError(key, `${JSON.stringify(v)} is not one of ${decl.enum.join(', ')}`);
  }
  return v;
}

/**
 * Values for every declared key: given ones checked (type, range, enum), missing ones from the default. The
 * one check of a module's config: what it returns is used as it is, typed by `ConfigOf`.
 */
export function resolveConfig<D extends ConfigDeclarations>(decls: D, given: Readonly<Record<string, unknown>>): ConfigOf<D> {
  const out: Record<string, ConfigValue> = {};
  for (const [key, decl] of Object.entries(decls)) {
    if (key in given && given[key] !== null && given[key] !== undefined) {
      out[key] = coerceConfigValue(key, decl, given[key]);
    } else if (decl.default !== undefined) {
      out[key] = coerceConfigValue(key, decl, decl.default);
    } else {
      throw new ConfigError(key, 'required and not given');
    }
  }
  for (const key of Object.keys(given)) {
    if (!(key in decls)) throw new ConfigError(key, 'not declared in manifest.yaml');
  }
  // Each value passed coerceConfigValue against its declaration (type, and enum where there is one).
  return out as ConfigOf<D>;
}
