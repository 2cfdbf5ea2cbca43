// Reading inbound payloads: UTF-8 check, JSON parse, and a cheap look for origin and id in payloads
// that are too large or broken to parse, so that the caller can still be answered.
import { isUtf8 } from 'node:buffer';

export type Parsed = { ok: true; value: unknown } | { ok: false; reason: string };

export function parsePayload(buf: Buffer): Parsed {
  if (!isUtf8(buf)) return { ok: false, reason: 'payload is not valid UTF-8' };
  try {
    return { ok: true, value: JSON.parse(buf.toString('utf8')) };
  } catch (err) {
    return { ok: false, reason: `payload is not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * An origin becomes part of a reply topic: only module-id characters are accepted, never MQTT
 * wildcards, slashes or NUL (a reply must not land outside `.../response/<origin>`).
 */
const ORIGIN = /^[A-Za-z0-9_.:-]{1,128}$/;

export function isSafeOrigin(origin: unknown): origin is string {
  return typeof origin === 'string' && ORIGIN.test(origin);
}

/** A cmd name as interfaces declare them (old dialect: read from a payload that did not parse). */
const CMD_NAME = /^[A-Za-z0-9_]{1,128}$/;

export function isCmdName(name: unknown): name is string {
  return typeof name === 'string' && CMD_NAME.test(name);
}

const SNIFF_BYTES = 65536;

/**
 * Look for the call's `data.origin`, `data.id` and (old dialect) top-level `name` without parsing, in the
 * first 64 KiB only. Keys are matched by their place in the object tree, not by text search: a
 * `"name"` or `"id"` inside the args (a component name, an evse id) is never taken for the call's own.
 * Both dialects put id and origin under `data`; the framework writes keys sorted, so `args` comes first
 * and a truncated payload may have lost them.
 */
export function sniffCall(buf: Buffer): { origin?: string; id?: unknown; name?: string } {
  const text = buf.subarray(0, SNIFF_BYTES).toString('utf8');
  const out: { origin?: string; id?: unknown; name?: string } = {};
  // path[i]: the key that leads into the container at depth i+1 ('' for array elements).
  const path: string[] = [];
  let key: string | undefined; // the key whose value comes next, in an object
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      if (end < 0) break; // cut inside a string
      const raw = text.slice(i, end + 1);
      i = end + 1;
      while (i < n && isSpace(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 0x3a /* : */ && path.length > 0 && path[path.length - 1] !== '[') {
        key = decode(raw);
        i++;
        continue;
      }
      record(out, path, key, decode(raw));
      key = undefined;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      path.push(c === 0x5b ? '[' : key ?? '');
      // An array's elements have no key; mark the level so that strings in it are never keys.
      key = undefined;
      i++;
      continue;
    }
    if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      path.pop();
      key = undefined;
      i++;
      continue;
    }
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < n && /[0-9.eE+-]/.test(text[j]!)) j++;
      const num = Number(text.slice(i, j));
      if (Number.isFinite(num)) record(out, path, key, num);
      key = undefined;
      i = j;
      continue;
    }
    i++;
  }
  if (out.origin === undefined || out.id === undefined) sniffTail(buf, out);
  return out;
}

// The framework writes keys sorted, so `args` comes first and a call too large to read has its id and origin
// at the very end: `...,"id":"<id>","origin":"<origin>"},"msg_type":"Cmd"}` (v25) or
// `...,"id":..,"origin":..},"name":"<cmd>","type":"call"}` (old dialect). Anchored at the end, so that only the
// call's own data object can match, never something inside the args.
const TAIL = /,"id":("(?:[^"\\]){1,200}"|-?\d{1,20}),"origin":"([^"\\]{1,128})"\}(?:,"msg_type":"Cmd"\}|,"name":"([A-Za-z0-9_]{1,128})","type":"call"\})\s*$/;

function sniffTail(buf: Buffer, out: { origin?: string; id?: unknown; name?: string }): void {
  const m = TAIL.exec(buf.subarray(Math.max(0, buf.length - 1024)).toString('utf8'));
  if (!m) return;
  out.id = JSON.parse(m[1]!) as unknown;
  out.origin = m[2]!;
  if (m[3] !== undefined) out.name = m[3];
}

function record(out: { origin?: string; id?: unknown; name?: string }, path: readonly string[], key: string | undefined, value: unknown): void {
  if (key === undefined) return;
  if (path.length === 1 && key === 'name' && typeof value === 'string' && out.name === undefined) out.name = value;
  if (path.length === 2 && path[1] === 'data') {
    if (key === 'origin' && typeof value === 'string' && out.origin === undefined) out.origin = value;
    if (key === 'id' && (typeof value === 'string' || typeof value === 'number') && out.id === undefined) out.id = value;
  }
}

/** Index of the closing quote of the string that opens at `start`, or -1 when the text ends first. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i;
  }
  return -1;
}

function decode(raw: string): string | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
