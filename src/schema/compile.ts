// Compiles an interface definition into one check per cmd (args, result) and per var, once.
// A check only runs the compiled ajv function and turns its first error into a SchemaIssue.
// The framework validates the same way when validate_schema is on (everest-framework lib/everest.cpp:
// args before the handler, the retval after it, vars before publishing).
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import { TsOcppError } from '../errors.js';
import { precompiledValidators, PRECOMPILED_TYPE_FILES } from '../generated/validators.js';
import type { InterfaceDefinition, JsonSchema, TypeFile } from './definitions.js';
import { FORMATS } from './formats.js';
import { schemaKey, typeFileKey } from './schema-key.js';

/** The validators generated at build time (src/generated/validators.js), by schema key. */
export const PRECOMPILED = precompiledValidators(FORMATS);

export interface SchemaIssue {
  /** JSON-pointer-like path below the checked value, without leading slash; '' for the value itself. */
  path: string;
  /** `<path>: <rule>`, e.g. `requests/0/attribute_type: must be one of Actual, Target, MinSet, MaxSet`. */
  message: string;
}

/** null = valid. */
export type Check = (value: unknown) => SchemaIssue | null;

export interface CompiledCmd {
  args: Check;
  result: Check;
  argNames: readonly string[];
}

export interface CompiledInterface {
  cmds: Map<string, CompiledCmd>;
  vars: Map<string, Check>;
}

/** A compiled ajv validator, or one ajv generated at build time: true = valid, else `errors` says why. */
export type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

export class SchemaCompileError extends TsOcppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TSOCPP_ERR_SCHEMA_COMPILE', message, options);
  }
}

// Type names become keys of the schema registered under the type file's id (so that
// `/ocpp#/X` is the JSON pointer /X into it); a name that is also a keyword would change its meaning.
const KEYWORDS = new Set([
  'type', 'enum', 'const', 'required', 'properties', 'patternProperties', 'additionalProperties', 'items',
  'additionalItems', 'contains', 'dependencies', 'propertyNames', 'definitions', 'allOf', 'anyOf', 'oneOf',
  'not', 'if', 'then', 'else', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'multipleOf', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems',
  'minProperties', 'maxProperties', 'default', 'description', 'title', 'examples',
]);

/** ajv's options for every interface validator; codegen (tools/codegen/validators.ts) compiles with the same. */
export const AJV_OPTIONS: Options = {
  strict: false, // EVerest files carry `type` beside `$ref` and other non-standard combinations
  allErrors: false,
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
  validateFormats: true,
  logger: false,
  // A referenced type is one function called where it is referenced, not a copy at each place: the generated
  // validators were 2.2 MB of source kept in the heap with copies, 0.7 MB without.
  inlineRefs: false,
};

/** The type files as the schemas ajv registers (id order), after the checks of their ids and type names. */
function typeFileSchemas(types: Record<string, TypeFile>): Array<[string, Record<string, unknown>]> {
  const out: Array<[string, Record<string, unknown>]> = [];
  for (const [id, file] of Object.entries(types).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!id.startsWith('/')) throw new SchemaCompileError(`type file id ${JSON.stringify(id)} must start with '/'`);
    const schema: Record<string, unknown> = { $id: id };
    for (const [name, type] of Object.entries(file.types)) {
      if (KEYWORDS.has(name) || name.startsWith('$')) {
        throw new SchemaCompileError(`type file ${id}: type name ${JSON.stringify(name)} is reserved`);
      }
      schema[name] = type;
    }
    out.push([id, schema]);
  }
  return out;
}

// ajv itself (100 ms to load here) only once a schema has no validator generated at build time.
let AjvClass: typeof Ajv | undefined;

/** An ajv holding `types` (`extra`: codegen's standalone code options). */
export function newAjv(types: Record<string, TypeFile>, extra: Options = {}): Ajv {
  AjvClass ??= (createRequire(import.meta.url)('ajv') as { Ajv: typeof Ajv }).Ajv;
  const ajv = new AjvClass({ ...AJV_OPTIONS, ...extra });
  // RFC 3339 date-time, without ajv-formats.
  ajv.addFormat('date-time', FORMATS['date-time']);
  for (const [id, schema] of typeFileSchemas(types)) {
    try {
      ajv.addSchema(schema);
    } catch (err) {
      throw new SchemaCompileError(`type file ${id}: ${(err as Error).message}`, { cause: err });
    }
  }
  return ajv;
}

// One compiler per set of type files: interfaces compiled against the same record share the compiled
// types. When every type file is one the build knew (so ajv would accept it), a schema whose key has a
// validator generated at build time takes that one; ajv is only made for the rest.
class TypeSet {
  readonly #types: Record<string, TypeFile>;
  readonly known: boolean;
  #ajv: Ajv | undefined;

  constructor(types: Record<string, TypeFile>) {
    this.#types = types;
    typeFileSchemas(types);
    this.known = Object.entries(types).every(([id, file]) =>
      PRECOMPILED_TYPE_FILES.has(typeFileKey(id, file)) || PRECOMPILED_TYPE_FILES.has(typeFileKey(id, file, 'canonical')));
    // A type file the build did not know is checked by ajv now, as before: its errors stop the start.
    if (!this.known) this.#ajv = newAjv(types);
  }

  validator(schema: JsonSchema, where: string): Validate {
    if (this.known) {
      const plain = schemaKey(schema, this.#types);
      const pre = plain === undefined ? undefined : PRECOMPILED.get(plain) ?? PRECOMPILED.get(schemaKey(schema, this.#types, 'canonical')!);
      if (pre !== undefined) return pre;
    }
    this.#ajv ??= newAjv(this.#types);
    return compileSchema(this.#ajv, schema, where);
  }
}

const typeSets = new WeakMap<Record<string, TypeFile>, TypeSet>();

function typeSetFor(types: Record<string, TypeFile>): TypeSet {
  let set = typeSets.get(types);
  if (set === undefined) {
    set = new TypeSet(types);
    typeSets.set(types, set);
  }
  return set;
}

function compileSchema(ajv: Ajv, schema: JsonSchema, where: string): ValidateFunction {
  try {
    return ajv.compile(schema);
  } catch (err) {
    throw new SchemaCompileError(`${where}: ${(err as Error).message}`, { cause: err });
  }
}

function stripSlash(pointer: string): string {
  // ajv's instancePath is a JSON pointer ('/requests/0/name'); issues drop the leading slash.
  return pointer.startsWith('/') ? pointer.slice(1) : pointer;
}

function join(path: string, key: string): string {
  const escaped = key.replace(/~/g, '~0').replace(/\//g, '~1');
  return path === '' ? escaped : `${path}/${escaped}`;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Turns ajv's first error into a path and a rule; `root` names the value when the path is empty. */
function toIssue(err: ErrorObject, root: string, isArgs: boolean): SchemaIssue {
  let path = stripSlash(err.instancePath);
  let rule: string;
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      path = join(path, String(params.missingProperty));
      rule = isArgs && err.instancePath === '' ? 'missing argument' : 'is required';
      break;
    case 'additionalProperties':
      path = join(path, String(params.additionalProperty));
      rule = isArgs && err.instancePath === '' ? 'is not a declared argument' : 'is not an allowed property';
      break;
    case 'enum':
      rule = `must be one of ${(params.allowedValues as unknown[]).map(describe).join(', ')}`;
      break;
    case 'type':
      rule = `must be ${String(params.type).split(',').join(' or ')}`;
      break;
    case 'format':
      rule = `must be a valid ${String(params.format)}`;
      break;
    default:
      rule = err.message ?? `fails ${err.keyword}`;
  }
  return { path, message: `${path === '' ? root : path}: ${rule}` };
}

function checkWith(validate: Validate, root: string, isArgs = false): Check {
  return (value) => {
    if (validate(value)) return null;
    const err = validate.errors?.[0];
    return err === undefined ? { path: '', message: `${root}: is invalid` } : toIssue(err, root, isArgs);
  };
}

// A cmd without arguments: callers send {} (or nothing at all); any key is undeclared.
const NO_ARGS: Check = (value) => {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) return { path: '', message: 'args: must be object' };
  for (const key in value) return { path: key, message: `${key}: is not a declared argument` };
  return null;
};

const NO_RESULT: Check = (value) =>
  value === undefined || value === null ? null : { path: '', message: 'result: must be null (the cmd declares no result)' };

/**
 * Compiles every cmd and var of one interface. `types` maps type file ids (`/ocpp`) to type files;
 * `$ref: /ocpp#/X` resolves to `types['/ocpp'].types.X`. Throws SchemaCompileError naming the
 * interface and the cmd or var whose schema does not compile.
 */
export function compileInterface(name: string, def: InterfaceDefinition, types: Record<string, TypeFile>): CompiledInterface {
  let set: TypeSet;
  try {
    set = typeSetFor(types);
  } catch (err) {
    throw err instanceof SchemaCompileError
      ? new SchemaCompileError(`interface ${name}: ${err.message}`, { cause: err })
      : err;
  }
  const cmds = new Map<string, CompiledCmd>();
  for (const [cmdName, cmd] of Object.entries(def.cmds ?? {})) {
    const where = `interface ${name}, cmd ${cmdName}`;
    const argDefs = cmd.arguments ?? {};
    const argNames = Object.freeze(Object.keys(argDefs));
    // Every declared argument is required: the framework demands each one (lib/everest.cpp call_cmd).
    const args = argNames.length === 0
      ? NO_ARGS
      // Keys in sorted order, so that definitions published with sorted keys give the cheap schema key.
      : checkWith(set.validator({
        additionalProperties: false,
        properties: argDefs,
        required: [...argNames],
        type: 'object',
      }, `${where} arguments`), 'args', true);
    let result: Check = NO_RESULT;
    if (cmd.result !== undefined && cmd.result !== null) {
      const check = checkWith(set.validator(cmd.result, `${where} result`), 'result');
      result = (value) => value === undefined
        ? { path: '', message: 'result: is required (the cmd declares a result)' }
        : check(value);
    }
    cmds.set(cmdName, { args, result, argNames });
  }
  const vars = new Map<string, Check>();
  for (const [varName, schema] of Object.entries(def.vars ?? {})) {
    vars.set(varName, checkWith(set.validator(schema, `interface ${name}, var ${varName}`), varName));
  }
  return { cmds, vars };
}
