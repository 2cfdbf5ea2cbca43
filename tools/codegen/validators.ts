// Interface validators compiled at build time: ajv's standalone code for every schema TsOcpp compiles from
// the bundled definitions (each cmd's arguments and result, each var, of every bundled interface, against
// the type files of every bundled release), keyed by src/schema/schema-key.ts's hash of the schema and the
// types it reaches. A start then looks its schemas up instead of compiling them (ajv compiling was 30-35%
// of the CPU time to ready); a schema whose key is not here (a manager's own definitions) is compiled as before.
// The staleness test compares this output with the checked-in file.
import { transformSync } from 'esbuild';
import { _ } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { AJV_OPTIONS, newAjv } from '../../src/schema/compile.js';
import { relaxUnresolvedRefs, type InterfaceDefinition, type JsonSchema, type TypeFile } from '../../src/schema/definitions.js';
import { BUNDLED_RELEASES, bundledRelease, managerDefinitions } from '../../src/schema/releases.js';
import { canonicalJson, schemaKey, typeFileKey, withoutAnnotations } from '../../src/schema/schema-key.js';
import type { GeneratedFile } from './generate.js';

// JavaScript with a declaration file: tools/build.mjs copies it into dist/ as it is (tsc would reprint it).
export const VALIDATORS_FILE = 'src/generated/validators.js';
export const VALIDATORS_TYPES_FILE = 'src/generated/validators.d.ts';

/**
 * What a start compiles, by interface: the interfaces TsOcpp provides (manifest.yaml; src/everest/bootstrap.ts),
 * external_energy_limits (src/module/energy-limits.ts) and evse_manager's vars (src/module/evse-inputs.ts).
 * Others (evse_manager's cmds for `tsocpp simulate-session`) compile on use, as before.
 */
export const PRECOMPILED_PARTS: Readonly<Record<string, 'all' | 'vars'>> = {
  ocpp: 'all', ocpp_data_transfer: 'all', auth_token_validator: 'all', auth_token_provider: 'all',
  external_energy_limits: 'all', evse_manager: 'vars',
};

/** The schemas compileInterface compiles for `def`, in the same shapes (arguments as one object). */
export function interfaceSchemas(def: InterfaceDefinition, parts: 'all' | 'vars' = 'all'): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const cmd of parts === 'all' ? Object.values(def.cmds ?? {}) : []) {
    const argDefs = cmd.arguments ?? {};
    const argNames = Object.keys(argDefs);
    if (argNames.length > 0) out.push({ additionalProperties: false, properties: argDefs, required: [...argNames], type: 'object' });
    if (cmd.result !== undefined && cmd.result !== null) out.push(cmd.result);
  }
  for (const schema of Object.values(def.vars ?? {})) out.push(schema);
  return out;
}

/**
 * The interfaces as a manager publishes them (seen from v0.25.0): keys sorted (so a cmd's `required` lists its
 * arguments in that order, which ajv's first error follows) and a cmd without a result given `{type: null}`.
 */
function asPublished(interfaces: Record<string, InterfaceDefinition>): Record<string, InterfaceDefinition> {
  const sorted = JSON.parse(canonicalJson(interfaces)) as Record<string, InterfaceDefinition>;
  for (const def of Object.values(sorted)) {
    for (const cmd of Object.values(def.cmds ?? {})) cmd.result ??= { type: 'null' };
  }
  return sorted;
}

// ajv's runtime helpers, which standalone code requires by package path, imported once at the top instead
// (CommonJS modules whose function is their `default` property: a default import gives that function under a
// loader that honours __esModule, and the module object under node's own ESM loader).
const RUNTIME = /require\("ajv\/dist\/runtime\/([a-z0-9]+)"\)\.default/g;

export function generateValidators(): GeneratedFile[] {
  // The type sets a start meets with bundled definitions: each release alone, and each laid over the base.
  const typeSets: Array<Record<string, TypeFile>> = [];
  const interfaceSets: Array<Record<string, InterfaceDefinition>> = [];
  for (const release of BUNDLED_RELEASES) {
    typeSets.push(bundledRelease(release).types, managerDefinitions(release).types);
    interfaceSets.push(bundledRelease(release).interfaces, managerDefinitions(release).interfaces);
  }
  interfaceSets.push(...interfaceSets.map(asPublished));
  const typeFiles = new Set<string>();
  const keys = new Map<string, string>(); // key (both forms) -> export name
  const names = new Set<string>();
  const chunks: string[] = [];
  for (const rawTypes of typeSets) {
    const types = relaxUnresolvedRefs(rawTypes, rawTypes).def;
    for (const set of [rawTypes, types]) {
      for (const [id, file] of Object.entries(set)) typeFiles.add(typeFileKey(id, file)).add(typeFileKey(id, file, 'canonical'));
    }
    const stripped = Object.fromEntries(Object.entries(types).map(([id, file]) => [id, {
      ...file, types: Object.fromEntries(Object.entries(file.types).map(([n, t]) => [n, withoutAnnotations(t) as JsonSchema])),
    }]));
    const ajv = newAjv(stripped, { code: { source: true, esm: true, formats: _`formats` } });
    const refs: Record<string, string> = {};
    for (const interfaces of interfaceSets) {
      for (const [name, def] of Object.entries(interfaces)) {
        const parts = PRECOMPILED_PARTS[name];
        if (parts === undefined) continue;
        for (const schema of interfaceSchemas(relaxUnresolvedRefs(def, types).def, parts)) {
          const key = schemaKey(schema, types);
          if (key === undefined || keys.has(key)) continue;
          const name = `v${names.size}`;
          names.add(name);
          keys.set(key, name).set(schemaKey(schema, types, 'canonical')!, name);
          ajv.addSchema(withoutAnnotations(schema) as JsonSchema, key);
          refs[name] = key;
        }
      }
    }
    if (Object.keys(refs).length === 0) continue;
    // Each type set's code in a block of its own: ajv names its functions per instance.
    const code = standalone.default(ajv, refs).replace(/^"use strict";/, '').replace(/export const (v\d+) = /g, '$1 = ');
    chunks.push(`{\n${code}\n}`);
  }
  const runtime = new Set<string>();
  // Minified: the source of a module stays in the heap as long as the process runs, and tsc's printer would
  // indent ajv's output to twice its size (1.4 MB of dist/ for 0.7 MB here).
  const body = transformSync(chunks.join('\n').replace(RUNTIME, (_m, name: string) => {
    runtime.add(name);
    return `runtime_${name}`;
  }), { minify: true, charset: 'ascii', target: 'es2022' }).code.trimEnd();
  // No import of TsOcpp's own modules: under the tests' CommonJS loader (uvu -r tsx) a .js file's relative
  // import is not mapped to its .ts source, so the string formats come in as the argument.
  const content = [
    '// Generated by `npm run codegen` from the bundled interfaces and types (tools/codegen/validators.ts): ajv standalone',
    `// validators, ajv options of src/schema/compile.ts (${JSON.stringify(AJV_OPTIONS)}), minified.`,
    '// Do not edit: a test regenerates it and fails on any difference.',
    ...[...runtime].sort().flatMap((n) => [
      `import runtime_${n}_module from 'ajv/dist/runtime/${n}.js';`,
      `const runtime_${n} = typeof runtime_${n}_module === 'function' ? runtime_${n}_module : runtime_${n}_module.default;`,
    ]),
    '',
    '/** Validators by schema key (src/schema/schema-key.ts), made with the string formats of src/schema/formats.ts. */',
    'export function precompiledValidators(formats) {',
    `let ${[...names].join(', ')};`,
    body,
    `return new Map([\n${[...keys].map(([k, n]) => `  [${JSON.stringify(k)}, ${n}],`).join('\n')}\n]);`,
    '}',
    '',
    '/** Keys of the type files these were compiled against (each passed ajv\'s meta-schema check). */',
    `export const PRECOMPILED_TYPE_FILES = new Set([\n${[...typeFiles].sort().map((k) => `  ${JSON.stringify(k)},`).join('\n')}\n]);`,
    '',
  ].join('\n');
  const types = [
    '// Generated by `npm run codegen` (tools/codegen/validators.ts): the types of validators.js beside it.',
    "import type { Validate } from '../schema/compile.js';",
    "import type { FORMATS } from '../schema/formats.js';",
    '',
    '/** Validators by schema key (src/schema/schema-key.ts), made with the string formats of src/schema/formats.ts. */',
    'export declare function precompiledValidators(formats: typeof FORMATS): ReadonlyMap<string, Validate>;',
    '',
    "/** Keys of the type files these were compiled against (each passed ajv's meta-schema check). */",
    'export declare const PRECOMPILED_TYPE_FILES: ReadonlySet<string>;',
    '',
  ].join('\n');
  return [{ path: VALIDATORS_FILE, content }, { path: VALIDATORS_TYPES_FILE, content: types }];
}
