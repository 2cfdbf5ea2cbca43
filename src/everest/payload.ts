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

const ORIGIN_IN_TEXT = /"origin"\s*:\s*"([^"\\]{1,128})"/;
const ID_IN_TEXT = /"id"\s*:\s*("[^"\\]{1,200}"|-?\d{1,20})/;

/** Look for origin and id without parsing (first 64 KiB only). */
export function sniffCall(buf: Buffer): { origin?: string; id?: unknown } {
  const text = buf.subarray(0, 65536).toString('utf8');
  const o = ORIGIN_IN_TEXT.exec(text);
  const i = ID_IN_TEXT.exec(text);
  const out: { origin?: string; id?: unknown } = {};
  if (o) out.origin = o[1]!;
  if (i) {
    try {
      out.id = JSON.parse(i[1]!);
    } catch {
      // leave id out
    }
  }
  return out;
}
