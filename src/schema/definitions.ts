// EVerest interface and type definitions as plain data: YAML files in, objects out.
// Shapes follow everest-framework's interface files (description, cmds, vars, errors) and
// type files (description, types); `$ref: /<type file>#/<Name>` points at `types.<Name>`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage, TsOcppError } from '../errors.js';
import { readYamlFile } from './yaml-file.js';

export type JsonSchema = Record<string, unknown>;
export type VarDefinition = JsonSchema;

export interface CmdDefinition {
  description?: string;
  arguments?: Record<string, JsonSchema>;
  result?: JsonSchema | null;
}

export interface InterfaceDefinition {
  description?: string;
  cmds?: Record<string, CmdDefinition>;
  vars?: Record<string, VarDefinition>;
  errors?: unknown;
}

export interface TypeFile {
  description?: string;
  types: Record<string, JsonSchema>;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readYaml(path: string): unknown {
  try {
    return readYamlFile(path);
  } catch (err) {
    throw new TsOcppError('TSOCPP_ERR_DEFINITIONS', `${path}: cannot read YAML: ${errorMessage(err)}`, { cause: err });
  }
}

function expectMapOfMaps(path: string, where: string, value: unknown): void {
  if (value === undefined) return;
  if (!isMap(value)) throw new TsOcppError('TSOCPP_ERR_DEFINITIONS', `${path}: ${where} must be a map`);
  for (const [key, entry] of Object.entries(value)) {
    if (!isMap(entry)) throw new TsOcppError('TSOCPP_ERR_DEFINITIONS', `${path}: ${where}.${key} must be a map`);
  }
}

/** Reads an interface file. Checks the shape, not the keys (the codegen is the strict reader). */
export function loadInterfaceFile(path: string): InterfaceDefinition {
  const doc = readYaml(path);
  if (!isMap(doc)) throw new TsOcppError('TSOCPP_ERR_DEFINITIONS', `${path}: an interface file must be a map`);
  // `cmds:` or `vars:` with nothing under it parses as null: treat it as absent.
  if (doc.cmds === null) delete doc.cmds;
  if (doc.vars === null) delete doc.vars;
  expectMapOfMaps(path, 'cmds', doc.cmds);
  expectMapOfMaps(path, 'vars', doc.vars);
  for (const [name, cmd] of Object.entries((doc.cmds ?? {}) as Record<string, Record<string, unknown>>)) {
    if (cmd.arguments === null) delete cmd.arguments;
    expectMapOfMaps(path, `cmds.${name}.arguments`, cmd.arguments);
    if (cmd.result !== undefined && cmd.result !== null && !isMap(cmd.result)) {
      throw new TsOcppError('TSOCPP_ERR_DEFINITIONS', `${path}: cmds.${name}.result must be a map`);
    }
  }
  return doc;
}

/** Reads a type file; `types` must be a map of schemas. */
export function loadTypeFile(path: string): TypeFile {
  const doc = readYaml(path);
  if (!isMap(doc)) throw new TsOcppError('TSOCPP_ERR_DEFINITIONS', `${path}: a type file must be a map`);
  if (doc.types === undefined) throw new TsOcppError('TSOCPP_ERR_DEFINITIONS', `${path}: a type file needs a types map`);
  expectMapOfMaps(path, 'types', doc.types);
  return doc as unknown as TypeFile;
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/**
 * The project (or installed module) root: the first directory above this source file that holds
 * manifest.yaml or interfaces/. Works from src/schema under tsx and from dist/src/schema after tsc.
 */
export function projectRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'manifest.yaml')) || isDir(join(dir, 'interfaces'))) return dir;
    if (dirname(dir) === dir) throw new TsOcppError('TSOCPP_ERR_DEFINITIONS', `no directory holding manifest.yaml or interfaces/ above ${start}`);
  }
}

function yamlFiles(dir: string): string[] {
  if (!isDir(dir)) throw new TsOcppError('TSOCPP_ERR_DEFINITIONS', `${dir}: directory not found`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Every interface of <dir>/interfaces/*.yaml (dir: the project root, the base release), keyed by file basename
 * (`ocpp`, `ocpp_data_transfer`).
 */
export function bundledInterfaces(dir = projectRoot()): Record<string, InterfaceDefinition> {
  const out: Record<string, InterfaceDefinition> = {};
  for (const file of yamlFiles(join(dir, 'interfaces'))) {
    out[basename(file, '.yaml')] = loadInterfaceFile(file);
  }
  return out;
}

/** Every type file of <dir>/types/*.yaml, keyed by its ref path (`/ocpp` for types/ocpp.yaml). */
export function bundledTypes(dir = projectRoot()): Record<string, TypeFile> {
  const out: Record<string, TypeFile> = {};
  for (const file of yamlFiles(join(dir, 'types'))) {
    out[`/${basename(file, '.yaml')}`] = loadTypeFile(file);
  }
  return out;
}

/** An interface file of an EVerest install's interfaces folder (`<data_dir>/interfaces/<name>.yaml`); undefined when absent. */
export function installedInterface(interfacesDir: string, name: string): InterfaceDefinition | undefined {
  const file = join(interfacesDir, `${name}.yaml`);
  return existsSync(file) ? loadInterfaceFile(file) : undefined;
}

/** Every type file of an EVerest install's types folder (`<data_dir>/types`), keyed by ref path; {} when absent. */
export function installedTypes(typesDir: string): Record<string, TypeFile> {
  const out: Record<string, TypeFile> = {};
  if (!isDir(typesDir)) return out;
  for (const file of yamlFiles(typesDir)) out[`/${basename(file, '.yaml')}`] = loadTypeFile(file);
  return out;
}

/**
 * Replace every `$ref` whose type file or type is not in `types` by an open schema, and name them.
 * A newer everest-core interface may reference types that neither the manager (it published
 * `types: []`) nor this module's bundle carry; those parts are then left unchecked rather than
 * stopping the module.
 */
export function relaxUnresolvedRefs<T>(def: T, types: Record<string, TypeFile>): { def: T; missing: string[] } {
  const missing = new Set<string>();
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isMap(v)) return v;
    const ref = v.$ref;
    if (typeof ref === 'string') {
      const [file, pointer] = ref.split('#');
      const name = (pointer ?? '').replace(/^\//, '');
      if (!file || !types[file]?.types[name]) {
        missing.add(ref);
        const { $ref: _dropped, ...rest } = v;
        void _dropped;
        return walk(rest);
      }
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return { def: walk(def) as T, missing: [...missing].sort() };
}
