// JSON schema (EVerest flavour) to TypeScript type text. Pure functions, no I/O.
import { CodegenError } from './strict.js';

type Schema = Record<string, unknown>;

/** Where a schema is rendered: which file (for messages and refs) and which type files exist. */
export interface RenderContext {
  /** Name used in error messages, e.g. interfaces/ocpp.yaml. */
  file: string;
  /** Type file this schema lives in ('ocpp' for types/ocpp.yaml); its refs need no import. */
  ownTypeFile?: string;
  /** Type names per type file: { ocpp: Set{'EVSE', ...} }. */
  typeNames: ReadonlyMap<string, ReadonlySet<string>>;
  /** Filled while rendering: type files referenced from another file. */
  imports: Set<string>;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const REF = /^\/([A-Za-z_][A-Za-z0-9_]*)#\/([A-Za-z_][A-Za-z0-9_]*)$/;
const WIDTH = 110;

export function pascalCase(name: string): string {
  return name.split(/[_\-\s]+/).filter(Boolean).map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
}

export function propertyKey(name: string): string {
  return IDENT.test(name) ? name : quote(name);
}

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

export function literal(value: unknown): string {
  return typeof value === 'string' ? quote(value) : JSON.stringify(value);
}

/** A JSDoc block for `text`, words wrapped to the line width; [] when there is no text. */
export function docComment(text: unknown, indent: string): string[] {
  if (typeof text !== 'string' || text.trim() === '') return [];
  const words = text.replace(/\*\//g, '*\\/').split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line !== '' && indent.length + 3 + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  if (lines.length === 1 && indent.length + 7 + lines[0]!.length <= WIDTH) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l}`), `${indent} */`];
}

function refType(ref: string, ctx: RenderContext): string {
  const m = REF.exec(ref);
  if (m === null) throw new CodegenError(`${ctx.file}: $ref ${JSON.stringify(ref)} is not of the form /<type file>#/<Type>`);
  const [, typeFile, name] = m as unknown as [string, string, string];
  const names = ctx.typeNames.get(typeFile);
  if (names === undefined) throw new CodegenError(`${ctx.file}: $ref ${ref}: no type file types/${typeFile}.yaml`);
  if (!names.has(name)) throw new CodegenError(`${ctx.file}: $ref ${ref}: types/${typeFile}.yaml has no type ${name}`);
  if (typeFile === ctx.ownTypeFile) return name;
  ctx.imports.add(typeFile);
  return `${typeFile}.${name}`;
}

/** The members of an object type, one entry per line, at `indent`. */
export function objectMembers(schema: Schema, ctx: RenderContext, indent: string): string[] {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const lines: string[] = [];
  for (const [name, prop] of Object.entries(properties)) {
    lines.push(...docComment(prop.description, indent));
    const optional = required.has(name) ? '' : '?';
    lines.push(`${indent}${propertyKey(name)}${optional}: ${typeText(prop, ctx, indent)};`);
  }
  // Only a declared `additionalProperties` opens the type. Left out, JSON schema accepts undeclared fields
  // (and so does validation here, as in the framework), but the code reads and writes the declared ones:
  // an index signature would only cost the compiler's check of misspelt fields.
  if (schema.additionalProperties === true || typeof schema.additionalProperties === 'object') {
    const rest = typeof schema.additionalProperties === 'object' && Object.keys(properties).length === 0
      ? typeText(schema.additionalProperties as Schema, ctx, indent)
      : 'unknown';
    lines.push(`${indent}[key: string]: ${rest};`);
  }
  return lines;
}

function objectText(schema: Schema, ctx: RenderContext, indent: string): string {
  const hasProperties = schema.properties !== undefined && Object.keys(schema.properties as Schema).length > 0;
  if (!hasProperties) {
    if (schema.additionalProperties === false) return 'Record<string, never>';
    if (typeof schema.additionalProperties === 'object') {
      return `Record<string, ${typeText(schema.additionalProperties as Schema, ctx, indent)}>`;
    }
    return 'Record<string, unknown>';
  }
  return `{\n${objectMembers(schema, ctx, `${indent}  `).join('\n')}\n${indent}}`;
}

function arrayText(schema: Schema, ctx: RenderContext, indent: string): string {
  if (schema.items === undefined) return 'unknown[]';
  const item = typeText(schema.items as Schema, ctx, indent);
  return /^[\w.]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
}

function singleType(type: string, schema: Schema, ctx: RenderContext, indent: string): string {
  switch (type) {
    case 'string': return 'string';
    case 'integer':
    case 'number': return 'number';
    case 'boolean': return 'boolean';
    case 'null': return 'null';
    case 'array': return arrayText(schema, ctx, indent);
    case 'object': return objectText(schema, ctx, indent);
    default: throw new CodegenError(`${ctx.file}: unknown type ${JSON.stringify(type)}`);
  }
}

/**
 * TypeScript text for a schema. `$ref` wins over `type` (EVerest writes both; the type only repeats
 * what the referenced type is), then `enum`, then `type`. Nested objects start at `indent`.
 */
export function typeText(schema: Schema, ctx: RenderContext, indent = ''): string {
  if (typeof schema.$ref === 'string') return refType(schema.$ref, ctx);
  if (Array.isArray(schema.enum)) return schema.enum.map(literal).join(' | ');
  if (schema.type === undefined) return 'unknown';
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
  return types.map((t) => singleType(t, schema, ctx, indent)).join(' | ');
}

/** `export type Name = A | B;` for union `members`, one member per line when it does not fit on one. */
export function typeAlias(name: string, members: readonly string[]): string[] {
  const line = `export type ${name} = ${members.join(' | ')};`;
  if (line.length <= WIDTH || members.length < 2) return [line];
  return [`export type ${name} =`, ...members.map((m, i) => `  | ${m}${i === members.length - 1 ? ';' : ''}`)];
}
