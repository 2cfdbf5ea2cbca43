// Reads <root>/types/*.yaml and <root>/interfaces/*.yaml and returns every generated file in memory.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadInterfaceFile, loadTypeFile, type InterfaceDefinition, type TypeFile } from '../../src/schema/definitions.js';
import { renderInterface, renderTypeFile } from './render.js';
import { CodegenError, checkInterfaceFile, checkTypeFile } from './strict.js';

export interface GeneratedFile {
  /** Path relative to the root, with forward slashes: src/generated/types/ocpp.ts */
  path: string;
  content: string;
}

/** Where the generated files live, relative to the root. */
export const GENERATED_DIRS = ['src/generated/types', 'src/generated/interfaces'] as const;

function yamlNames(root: string, dir: string): string[] {
  let files: string[];
  try {
    files = readdirSync(join(root, dir));
  } catch {
    return [];
  }
  return files.filter((f) => f.endsWith('.yaml')).sort().map((f) => basename(f, '.yaml'));
}

function load<T>(root: string, source: string, read: (path: string) => T): T {
  const path = join(root, source);
  try {
    return read(path);
  } catch (err) {
    // The loaders name the absolute path; messages name the file relative to the root.
    const message = (err as Error).message;
    throw new CodegenError(`${source}: ${message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message}`);
  }
}

/** Every generated file for the definitions under `root`, in a fixed order. Throws CodegenError. */
export function generate(root: string): GeneratedFile[] {
  const typeFiles = new Map<string, TypeFile>();
  for (const name of yamlNames(root, 'types')) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new CodegenError(`types/${name}.yaml: the file name must be an identifier`);
    const source = `types/${name}.yaml`;
    const file = load(root, source, loadTypeFile);
    checkTypeFile(source, file);
    typeFiles.set(name, file);
  }
  const interfaces = new Map<string, InterfaceDefinition>();
  for (const name of yamlNames(root, 'interfaces')) {
    const source = `interfaces/${name}.yaml`;
    const def = load(root, source, loadInterfaceFile);
    checkInterfaceFile(source, def);
    interfaces.set(name, def);
  }
  const typeNames = new Map([...typeFiles].map(([name, file]) => [name, new Set(Object.keys(file.types))] as const));
  const out: GeneratedFile[] = [];
  for (const [name, file] of typeFiles) {
    out.push({ path: `src/generated/types/${name}.ts`, content: renderTypeFile(name, `types/${name}.yaml`, file, typeNames) });
  }
  for (const [name, def] of interfaces) {
    out.push({ path: `src/generated/interfaces/${name}.ts`, content: renderInterface(name, `interfaces/${name}.yaml`, def, typeNames) });
  }
  return out;
}
