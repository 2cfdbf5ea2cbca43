// Interface validators generated at build time (src/generated/validators.js): the checked-in file is what the
// generator makes now, every schema a start compiles from the bundled definitions has one, and each accepts
// and rejects what ajv compiling the same schema at start does, with the same first error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { generateAll, ROOT, staleFiles } from '../tools/codegen/index.js';
import { generateValidators, interfaceSchemas, PRECOMPILED_PARTS } from '../tools/codegen/validators.js';
import { PRECOMPILED_TYPE_FILES } from '../src/generated/validators.js';
import { compileInterface, newAjv, PRECOMPILED, SchemaCompileError } from '../src/schema/compile.js';
import { relaxUnresolvedRefs, type JsonSchema, type TypeFile } from '../src/schema/definitions.js';
import { BUNDLED_RELEASES, managerDefinitions } from '../src/schema/releases.js';
import { canonicalJson, schemaKey, typeFileKey } from '../src/schema/schema-key.js';

test('checked-in src/generated/validators.js (and .d.ts) is what the generator makes now (run npm run codegen when this fails)', () => {
  const file = generateValidators()[0]!;
  assert.ok(generateAll(ROOT).some((f) => f.path === file.path), 'npm run codegen writes it');
  const problems = staleFiles(ROOT, generateAll(ROOT)).filter((p) => p.startsWith('src/generated/validators.'));
  assert.equal(problems, [], problems.join('\n'));
});

/** Values that reach below the top of a schema: objects with its property names, and anything at all. */
function samples(schema: JsonSchema, types: Record<string, TypeFile>, seed: number): unknown[] {
  const names = new Set<string>();
  const collect = (s: unknown, depth: number): void => {
    if (depth > 6 || s === null || typeof s !== 'object') return;
    const m = s as Record<string, unknown>;
    if (typeof m.$ref === 'string') {
      const [file, name] = m.$ref.split('#/');
      collect(types[file!]?.types[name!], depth + 1);
    }
    if (m.properties && typeof m.properties === 'object') {
      for (const [k, v] of Object.entries(m.properties)) {
        names.add(k);
        collect(v, depth + 1);
      }
    }
    if (m.items) collect(m.items, depth + 1);
  };
  collect(schema, 0);
  const keys = [...names];
  const leaf = fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom('2024-05-01T12:00:00Z', 'not-a-date', 'Accepted', 'RFID', 'Local'));
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof({ depthSize: 'small' }, leaf, tie('obj'), fc.array(tie('tree'), { maxLength: 2 })),
    obj: keys.length === 0 ? fc.dictionary(fc.string(), leaf) : fc.dictionary(fc.constantFrom(...keys), tie('tree'), { maxKeys: 6 }),
  }));
  return fc.sample(tree, { numRuns: 60, seed });
}

test('every schema a start compiles from the bundled definitions has a generated validator that judges as ajv compiling it does', () => {
  let compared = 0;
  for (const release of BUNDLED_RELEASES) {
    const defs = managerDefinitions(release);
    const types = relaxUnresolvedRefs(defs.types, defs.types).def;
    for (const [id, file] of Object.entries(types)) assert.ok(PRECOMPILED_TYPE_FILES.has(typeFileKey(id, file)), `${release} ${id}`);
    const ajv = newAjv(types);
    for (const [name, raw] of Object.entries(defs.interfaces)) {
      const parts = PRECOMPILED_PARTS[name];
      if (parts === undefined) continue;
      for (const schema of interfaceSchemas(relaxUnresolvedRefs(raw, types).def, parts)) {
        const key = schemaKey(schema, types);
        const pre = key === undefined ? undefined : PRECOMPILED.get(key);
        assert.ok(pre, `${release} ${name}: a generated validator for ${JSON.stringify(schema).slice(0, 120)}`);
        const compiled = ajv.compile(schema);
        for (const value of samples(schema, types, compared)) {
          const a = compiled(value);
          const b = pre(value);
          assert.is(b, a, `${release} ${name}: ${JSON.stringify(value)}`);
          if (!a) assert.equal(pre.errors?.[0], compiled.errors?.[0], `${release} ${name}: first error of ${JSON.stringify(value)}`);
        }
        compared += 1;
      }
    }
  }
  assert.ok(compared > 50, `compared ${compared} schemas`);
});

test('var definitions a manager publishes with sorted keys find their validators by the cheap key form', () => {
  const defs = managerDefinitions('2026.02.0');
  const sorted = <T>(v: T): T => JSON.parse(canonicalJson(v)) as T;
  const types = sorted(relaxUnresolvedRefs(defs.types, defs.types).def);
  for (const [id, file] of Object.entries(types)) assert.ok(PRECOMPILED_TYPE_FILES.has(typeFileKey(id, file)), id);
  // The vars: an args schema's `required` follows the order of the arguments, so sorted arguments are another
  // schema (ajv names the first missing one in that order) and are compiled at start.
  for (const schema of interfaceSchemas(sorted(relaxUnresolvedRefs(defs.interfaces.ocpp!, types).def), 'vars')) {
    assert.is(schemaKey(schema, types), schemaKey(schema, types, 'canonical'));
    assert.ok(PRECOMPILED.has(schemaKey(schema, types)!));
  }
});

// What the v0.25.0 manager published on the bus in the bench of 2026-11-30 (interface_definitions/ocpp and
// the type files): keys sorted, every `description` left out, every var given `qos: 2`, a cmd without result
// given `{type: null}`. Before, none of these found its generated validator and a start under that manager
// compiled all of them (ajv loaded: 150-170 ms of CPU to ready).
function asManagerPublishes<T>(value: T): T {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).filter(([k, x]) => !(k === 'description' && typeof x === 'string')).map(([k, x]) => [k, strip(x)]));
  };
  return JSON.parse(canonicalJson(strip(value))) as T;
}

test('definitions as the v0.25.0 manager publishes them (no descriptions, a qos on each var) find generated validators: nothing compiled at start', () => {
  for (const release of BUNDLED_RELEASES) {
    const defs = managerDefinitions(release);
    const types = asManagerPublishes(relaxUnresolvedRefs(defs.types, defs.types).def);
    for (const [id, file] of Object.entries(types)) assert.ok(PRECOMPILED_TYPE_FILES.has(typeFileKey(id, file)), `${release} ${id}`);
    let found = 0;
    for (const [name, raw] of Object.entries(defs.interfaces)) {
      const parts = PRECOMPILED_PARTS[name];
      if (parts === undefined) continue;
      const published = asManagerPublishes(relaxUnresolvedRefs(raw, types).def);
      for (const v of Object.values(published.vars ?? {})) (v as Record<string, unknown>).qos = 2;
      for (const cmd of Object.values(published.cmds ?? {})) cmd.result ??= { type: 'null' };
      for (const schema of interfaceSchemas(published, parts)) {
        const key = schemaKey(schema, types);
        assert.ok(key !== undefined && PRECOMPILED.has(key), `${release} ${name}: ${JSON.stringify(schema).slice(0, 120)}`);
        found += 1;
      }
    }
    assert.ok(found > 20, `${release}: ${found} schemas`);
  }
});

test('annotations are left out of the key, a property named like one is not', () => {
  const types: Record<string, TypeFile> = {};
  const a = { type: 'object', description: 'x', properties: { title: { type: 'string', title: 'T' } } } as JsonSchema;
  const b = { type: 'object', properties: { title: { type: 'string' } }, qos: 2 } as JsonSchema;
  const c = { type: 'object', properties: { other: { type: 'string' } } } as JsonSchema;
  assert.is(schemaKey(a, types), schemaKey(b, types));
  assert.is.not(schemaKey(a, types), schemaKey(c, types));
});

test('a manager type that differs from the bundled one is compiled at start, and judged by what it says', () => {
  const defs = managerDefinitions('2026.02.0');
  const auth = defs.types['/authorization']!;
  const changed: Record<string, TypeFile> = {
    ...defs.types,
    '/authorization': { ...auth, types: { ...auth.types, AuthorizationType: { type: 'string', enum: ['RFID', 'Other'] } } },
  };
  const provider = compileInterface('auth_token_provider', defs.interfaces.auth_token_provider!, changed).vars.get('provided_token')!;
  assert.is(provider({ id_token: { value: 'T', type: 'ISO14443' }, authorization_type: 'Other' }), null);
  assert.is(provider({ id_token: { value: 'T', type: 'ISO14443' }, authorization_type: 'OCPP' })?.message,
    'authorization_type: must be one of RFID, Other');
});

test('a type file the build did not know is still checked by ajv where an interface reaches it', () => {
  const defs = managerDefinitions('2026.02.0');
  const bad: Record<string, TypeFile> = { ...defs.types, '/extra': { description: 'x', types: { Broken: { type: 'strin' } } } };
  assert.throws(() => compileInterface('extra', { vars: { broken: { $ref: '/extra#/Broken' } } }, bad),
    (err: unknown) => err instanceof SchemaCompileError && err.message.startsWith('interface extra, var broken: '));
  assert.throws(() => compileInterface('extra', {}, { ...bad, '/extra': { types: { required: { type: 'string' } } } }),
    (err: unknown) => err instanceof SchemaCompileError && /type file \/extra: type name "required" is reserved/.test(err.message));
});

test.run();
