// npm run codegen: regenerates src/generated/ from types/*.yaml, interfaces/*.yaml and the module config
// of manifest.yaml.
// `--check` writes nothing and exits 1 when a checked-in file is stale, missing or left over.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_DIRS, generate, type GeneratedFile } from './generate.js';
import { generateModuleConfig } from './module-config.js';
import { generateKnownYaml } from './known-yaml.js';
import { generateValidators } from './validators.js';
import { CodegenError } from './strict.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Differences between `files` and what is on disk under `root`, one line each. */
export function staleFiles(root: string, files: readonly GeneratedFile[]): string[] {
  const problems: string[] = [];
  const wanted = new Set(files.map((f) => f.path));
  for (const file of files) {
    let current: string | undefined;
    try {
      current = readFileSync(join(root, file.path), 'utf8');
    } catch {
      current = undefined;
    }
    if (current === undefined) problems.push(`${file.path}: missing`);
    else if (current !== file.content) problems.push(`${file.path}: stale (run npm run codegen)`);
  }
  for (const dir of GENERATED_DIRS) {
    let names: string[] = [];
    try {
      names = readdirSync(join(root, dir));
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      if (name.endsWith('.ts') && !wanted.has(`${dir}/${name}`)) problems.push(`${dir}/${name}: not generated from any YAML file`);
    }
  }
  return problems;
}

/** Every generated file: the definitions' types, the module config, the definitions as data, the validators. */
export function generateAll(root: string): GeneratedFile[] {
  return [...generate(root), ...generateModuleConfig(root), ...generateKnownYaml(root), ...generateValidators()];
}

function write(root: string, files: readonly GeneratedFile[]): void {
  const wanted = new Set(files.map((f) => f.path));
  for (const file of files) {
    mkdirSync(dirname(join(root, file.path)), { recursive: true });
    writeFileSync(join(root, file.path), file.content);
  }
  for (const dir of GENERATED_DIRS) {
    let names: string[] = [];
    try {
      names = readdirSync(join(root, dir));
    } catch {
      continue;
    }
    for (const name of names) {
      if (name.endsWith('.ts') && !wanted.has(`${dir}/${name}`)) rmSync(join(root, dir, name));
    }
  }
}

function main(argv: readonly string[]): number {
  try {
    const files = generateAll(ROOT);
    if (argv.includes('--check')) {
      const problems = staleFiles(ROOT, files);
      for (const p of problems) console.error(p);
      return problems.length === 0 ? 0 : 1;
    }
    write(ROOT, files);
    for (const f of files) console.log(`wrote ${f.path}`);
    return 0;
  } catch (err) {
    if (err instanceof CodegenError) {
      console.error(`codegen: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
