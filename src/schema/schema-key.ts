// What decides the code ajv compiles for one schema of an interface, as a hash: the schema itself and every
// type it reaches through `$ref` (not the whole type files), each as canonical JSON. Validators generated
// at build time for the bundled definitions are looked up by this key (src/generated/validators.js), so a
// manager's own definitions that differ in a reached type miss and are compiled at start as before.
// Each key comes in two forms: `plain` (JSON.stringify, keys in the order they came, as the bundled data has
// them) and `canonical` (keys sorted, as a manager serializing with sorted keys publishes them, so there
// JSON.stringify gives it too). Codegen records both; a start tries the cheap plain form first.
// Both forms leave out what ajv never reads (withoutAnnotations): the v0.25.0 manager publishes its interfaces
// without `description`s and with a `qos` on each var, and they must still find the bundled ones' validators.
import { createHash } from 'node:crypto';
import type { JsonSchema, TypeFile } from './definitions.js';

/** JSON with the keys of every object sorted: equal content, equal text, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependencies', 'dependentSchemas']);
const SUBSCHEMAS = new Set(['items', 'additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'not', 'if', 'then', 'else',
  'allOf', 'anyOf', 'oneOf', 'prefixItems', 'unevaluatedItems', 'unevaluatedProperties']);
// Annotations ajv does not read with compile.ts's options (useDefaults off, strict off), and EVerest's own
// `qos` of a var: a schema that differs only in them compiles to the same code.
const ANNOTATIONS = new Set(['description', 'title', '$comment', 'examples', 'default', 'qos']);

/**
 * The schema without its annotations, in keyword positions only (never a property name): what decides the
 * compiled code, and what the generated validators are compiled from (descriptions were half their code).
 */
export function withoutAnnotations(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutAnnotations);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema as Record<string, unknown>)) {
    if (ANNOTATIONS.has(k)) continue;
    if (SCHEMA_MAPS.has(k) && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([n, x]) => [n, withoutAnnotations(x)]));
    } else {
      out[k] = SUBSCHEMAS.has(k) ? withoutAnnotations(v) : v;
    }
  }
  return out;
}

/** A `$ref` as `/file#/Name` (or `#/Name` inside a type file): the only form the key follows. */
const REF = /^(\/[^#]*)?#\/([^/~]+)$/;

/**
 * The key of `schema` compiled against `types`, or undefined when its references take a form the key
 * does not follow (a nested `$id`, a relative or deep pointer, a missing target): such a schema is
 * always compiled at start, where ajv reports what is wrong with it.
 */
export function schemaKey(schema: JsonSchema, types: Readonly<Record<string, TypeFile>>, form: KeyForm = 'plain'): string | undefined {
  const reached = new Map<string, unknown>();
  const pending: Array<[unknown, string | undefined]> = [[schema, undefined]];
  let ok = true;
  const walk = (v: unknown, file: string | undefined): void => {
    if (!ok) return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, file);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    const map = v as Record<string, unknown>;
    if ('$id' in map) {
      ok = false;
      return;
    }
    const ref = map.$ref;
    if (ref !== undefined) {
      const m = typeof ref === 'string' ? REF.exec(ref) : null;
      const target = m?.[1] ?? file;
      const name = m?.[2];
      const type = target !== undefined && name !== undefined ? types[target]?.types[name] : undefined;
      if (type === undefined || !Object.hasOwn(types[target!]!.types, name!)) {
        ok = false;
        return;
      }
      const at = `${target}#/${name}`;
      if (!reached.has(at)) {
        reached.set(at, type);
        pending.push([type, target]);
      }
    }
    for (const [k, x] of Object.entries(map)) if (k !== '$ref') walk(x, file);
  };
  while (ok && pending.length > 0) {
    const [v, file] = pending.pop()!;
    walk(v, file);
  }
  if (!ok) return undefined;
  const refs = Object.fromEntries([...reached].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([at, t]) => [at, withoutAnnotations(t)]));
  return sha256(serialize({ refs, schema: withoutAnnotations(schema) }, form)); // keys in sorted order: sorted input gives both forms alike
}

export type KeyForm = 'plain' | 'canonical';

function serialize(value: unknown, form: KeyForm): string {
  return form === 'plain' ? JSON.stringify(value) : canonicalJson(value);
}

/** The key of a whole type file: ajv checks each against the meta-schema when it is added. */
export function typeFileKey(id: string, file: TypeFile, form: KeyForm = 'plain'): string {
  const types = Object.fromEntries(Object.entries(file.types ?? {}).map(([n, t]) => [n, withoutAnnotations(t)]));
  const { description: _description, ...rest } = file;
  return sha256(serialize({ file: { ...rest, types }, id }, form));
}
