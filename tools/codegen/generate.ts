// Reads <root>/types/*.yaml and <root>/interfaces/*.yaml and returns every generated file in memory.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadInterfaceFile, loadTypeFile, type InterfaceDefinition, type TypeFile } from '../../src/schema/definitions.js';
import { renderInterface, renderTypeFile } from './render.js';
import { CodegenError, checkInterfaceFile, checkTypeFile } from './strict.js';
import { BASE_RELEASE, BUNDLED_RELEASES } from '../../src/schema/releases.js';

export interface GeneratedFile {
  /** Path relative to the root, with forward slashes: src/generated/types/ocpp.ts */
  path: string;
  content: string;
}

/**
 * The definition folders, relative to the root, and where their generated files go: the base release's
 * interfaces/ and types/, and each other bundled release's releases/<tag>/ (src/schema/releases.ts).
 */
export const DEFINITION_SETS = [
  { from: '', to: 'src/generated/' },
  ...BUNDLED_RELEASES.filter((r) => r !== BASE_RELEASE).map((r) => ({ from: `releases/${r}/`, to: `src/generated/releases/${r}/` })),
] as const;

/** Where the generated files live, relative to the root. */
export const GENERATED_DIRS: readonly string[] = DEFINITION_SETS.flatMap((d) => [`${d.to}types`, `${d.to}interfaces`]);

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
  return DEFINITION_SETS.flatMap((set) => generateSet(root, set.from, set.to));
}

/** The files of one definition set: `<from>types/*.yaml` and `<from>interfaces/*.yaml` into `<to>types/` and `<to>interfaces/`. */
function generateSet(root: string, from: string, to: string): GeneratedFile[] {
  const typeFiles = new Map<string, TypeFile>();
  for (const name of yamlNames(root, `${from}types`)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new CodegenError(`${from}types/${name}.yaml: the file name must be an identifier`);
    const source = `${from}types/${name}.yaml`;
    const file = load(root, source, loadTypeFile);
    checkTypeFile(source, file);
    typeFiles.set(name, file);
  }
  const interfaces = new Map<string, InterfaceDefinition>();
  for (const name of yamlNames(root, `${from}interfaces`)) {
    const source = `${from}interfaces/${name}.yaml`;
    const def = load(root, source, loadInterfaceFile);
    checkInterfaceFile(source, def);
    interfaces.set(name, def);
  }
  const typeNames = new Map([...typeFiles].map(([name, file]) => [name, new Set(Object.keys(file.types))] as const));
  const out: GeneratedFile[] = [];
  for (const [name, file] of typeFiles) {
    out.push({ path: `${to}types/${name}.ts`, content: renderTypeFile(name, `${from}types/${name}.yaml`, file, typeNames, from) });
  }
  for (const [name, def] of interfaces) {
    out.push({ path: `${to}interfaces/${name}.ts`, content: renderInterface(name, `${from}interfaces/${name}.yaml`, def, typeNames, from) });
  }
  return out;
}
