// Strict reading of EVerest YAML definitions: every key must be one the framework knows
// (as everestrs-build parses with deny_unknown_fields). A typo fails codegen, naming file and key.

export class CodegenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodegenError';
  }
}

const SCHEMA_KEYS = new Set([
  'description', 'type', 'enum', 'required', 'properties', 'items', '$ref', 'additionalProperties',
  'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'pattern', 'format', 'default',
]);
const INTERFACE_KEYS = new Set(['description', 'cmds', 'vars', 'errors']);
const CMD_KEYS = new Set(['description', 'arguments', 'result']);
const TYPE_FILE_KEYS = new Set(['description', 'types']);

export const JSON_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'null', 'array', 'object']);

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(where: string, key: string): string {
  return where === '' ? key : `${where}.${key}`;
}

function expectMap(file: string, where: string, value: unknown): Record<string, unknown> {
  if (!isMap(value)) throw new CodegenError(`${file}: ${where} must be a map`);
  return value;
}

function checkKeys(file: string, where: string, value: Record<string, unknown>, allowed: Set<string>): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) {
      throw new CodegenError(`${file}: unknown key ${JSON.stringify(key)} at ${where === '' ? 'top level' : where}`);
    }
  }
}

function checkSchema(file: string, where: string, value: unknown): void {
  const schema = expectMap(file, where, value);
  checkKeys(file, where, schema, SCHEMA_KEYS);
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  for (const t of types) {
    if (typeof t !== 'string' || !JSON_TYPES.has(t)) {
      throw new CodegenError(`${file}: ${at(where, 'type')}: unknown type ${JSON.stringify(t)}`);
    }
  }
  if (schema.enum !== undefined && (!Array.isArray(schema.enum) || schema.enum.length === 0)) {
    throw new CodegenError(`${file}: ${at(where, 'enum')} must be a non-empty list`);
  }
  if (schema.$ref !== undefined && typeof schema.$ref !== 'string') {
    throw new CodegenError(`${file}: ${at(where, '$ref')} must be a string`);
  }
  const properties = schema.properties === undefined ? {} : expectMap(file, at(where, 'properties'), schema.properties);
  for (const [name, prop] of Object.entries(properties)) checkSchema(file, at(at(where, 'properties'), name), prop);
  if (schema.required !== undefined) {
    if (!Array.isArray(schema.required)) throw new CodegenError(`${file}: ${at(where, 'required')} must be a list`);
    for (const name of schema.required) {
      if (typeof name !== 'string' || !(name in properties)) {
        throw new CodegenError(`${file}: ${at(where, 'required')}: ${JSON.stringify(name)} is not a declared property`);
      }
    }
  }
  if (schema.items !== undefined) checkSchema(file, at(where, 'items'), schema.items);
  if (isMap(schema.additionalProperties)) checkSchema(file, at(where, 'additionalProperties'), schema.additionalProperties);
  else if (schema.additionalProperties !== undefined && typeof schema.additionalProperties !== 'boolean') {
    throw new CodegenError(`${file}: ${at(where, 'additionalProperties')} must be a boolean or a map`);
  }
}

/** Rejects unknown keys anywhere in a type file. `file` is the name used in messages. */
export function checkTypeFile(file: string, doc: unknown): void {
  const top = expectMap(file, 'the file', doc);
  checkKeys(file, '', top, TYPE_FILE_KEYS);
  for (const [name, type] of Object.entries(expectMap(file, 'types', top.types))) checkSchema(file, `types.${name}`, type);
}

/** Rejects unknown keys anywhere in an interface file. */
export function checkInterfaceFile(file: string, doc: unknown): void {
  const top = expectMap(file, 'the file', doc);
  checkKeys(file, '', top, INTERFACE_KEYS);
  for (const [name, raw] of Object.entries(top.cmds == null ? {} : expectMap(file, 'cmds', top.cmds))) {
    const cmd = expectMap(file, `cmds.${name}`, raw);
    checkKeys(file, `cmds.${name}`, cmd, CMD_KEYS);
    const args = cmd.arguments == null ? {} : expectMap(file, `cmds.${name}.arguments`, cmd.arguments);
    for (const [arg, schema] of Object.entries(args)) checkSchema(file, `cmds.${name}.arguments.${arg}`, schema);
    if (cmd.result != null) checkSchema(file, `cmds.${name}.result`, cmd.result);
  }
  for (const [name, schema] of Object.entries(top.vars == null ? {} : expectMap(file, 'vars', top.vars))) {
    checkSchema(file, `vars.${name}`, schema);
  }
}
