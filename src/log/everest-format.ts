// The console line of EVerest's framework, written from pino's JSON lines: the sink's Format string
// (%TimeStamp%, %Process% = the module id padded to 15 as liblog pads it, %Severity% as [INFO] and the
// rest, %Message%) filled in per line, the pino fields after the message, and an error's stack below it.
// It runs in-process and synchronously (no worker thread): it only sees lines pino did not drop by level.
import type { DestinationStream } from 'pino';
import { SEVERITIES, type EverestLogConfig } from './everest-config.js';

interface Line {
  time: number;
  severity: number;
  message: string;
}

type Part = (l: Line) => string;

/** pino level number -> liblog severity index (trace VERB, debug DEBG, info INFO, warn WARN, error ERRO, fatal CRIT). */
export function severityOf(level: number): number {
  return Math.min(SEVERITIES.length - 1, Math.max(0, Math.floor(level / 10) - 1));
}

/** The pino level that lets the lowest passing severity through ('silent' when none passes). */
export function pinoLevelFor(passes: readonly boolean[]): string {
  const i = passes.indexOf(true);
  return i < 0 ? 'silent' : ['trace', 'debug', 'info', 'warn', 'error', 'fatal'][i]!;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Boost.Log's date-time placeholders that EVerest configs use; local time, as add_common_attributes records it. */
function timeFormatter(spec: string): (ms: number) => string {
  return (ms) => {
    const d = new Date(ms);
    return spec.replace(/%([YmdHMSfF%])/g, (_, c: string) => {
      switch (c) {
        case 'Y': return String(d.getFullYear());
        case 'm': return pad(d.getMonth() + 1);
        case 'd': return pad(d.getDate());
        case 'H': return pad(d.getHours());
        case 'M': return pad(d.getMinutes());
        case 'S': return pad(d.getSeconds());
        case 'f': return `${pad(d.getMilliseconds(), 3)}000`; // microseconds; pino's time has milliseconds
        case 'F': return `.${pad(d.getMilliseconds(), 3)}000`;
        default: return '%';
      }
    });
  };
}

/** Compiles a Format string once into the parts of a line. */
export function compileFormat(format: string, moduleId: string, colors: readonly string[]): (l: Line) => string {
  const processName = moduleId.padEnd(15).slice(0, 15);
  const hexPid = `0x${process.pid.toString(16).padStart(8, '0')}`;
  let lineId = 0;
  const parts: Part[] = [];
  const re = /%([A-Za-z_]+)(?:\(([^)]*)\))?%/g;
  let at = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    const literal = format.slice(at, m.index);
    if (literal) parts.push(() => literal);
    at = m.index + m[0].length;
    const [, name, args] = m;
    switch (name) {
      case 'TimeStamp': {
        const spec = /format\s*=\s*"([^"]*)"/.exec(args ?? '')?.[1] ?? '%Y-%m-%d %H:%M:%S.%f';
        const fmt = timeFormatter(spec);
        parts.push((l) => fmt(l.time));
        break;
      }
      case 'Process': parts.push(() => processName); break;
      case 'ProcessID': case 'ThreadID': parts.push(() => hexPid); break;
      case 'LineID': parts.push(() => String(++lineId)); break;
      // liblog writes the colour, the name, then ESC[0m whether a colour is configured or not.
      case 'Severity': parts.push((l) => `${colors[l.severity] ?? ''}${SEVERITIES[l.severity]}\x1b[0m`); break;
      case 'Message': parts.push((l) => l.message); break;
      case 'EscapedMessage': parts.push((l) => JSON.stringify(l.message).slice(1, -1)); break;
      default: parts.push(() => ''); // %file%, %line%, %function%, %Scope%: attributes a JavaScript line does not have
    }
  }
  const tail = format.slice(at);
  if (tail) parts.push(() => tail);
  return (l) => {
    let out = '';
    for (const p of parts) out += p(l);
    return out;
  };
}

// pino's own keys, not shown as fields.
const OWN = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname']);

function fieldValue(v: unknown): string {
  if (typeof v === 'string') return /^[^\s="]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

/** One pino JSON record -> the message with its fields after it, and an error's stack on the lines below. */
export function messageWithFields(rec: Record<string, unknown>): string {
  let out = typeof rec.msg === 'string' ? rec.msg : '';
  let stack = '';
  for (const key in rec) {
    if (OWN.has(key)) continue;
    const v = rec[key];
    if (key === 'err' && typeof v === 'object' && v !== null) {
      const e = v as Record<string, unknown>;
      out += ` err=${fieldValue(e.message)}`;
      if (typeof e.code === 'string' || typeof e.code === 'number') out += ` code=${e.code}`;
      if (typeof e.stack === 'string') stack = `\n${e.stack}`;
      continue;
    }
    out += ` ${key}=${fieldValue(v)}`;
  }
  return out + stack;
}

/**
 * A pino destination that writes the framework's console line to `out` for each JSON line pino gives it,
 * dropping the severities the logging config filters out while `filter.active` (pino's level already
 * drops the lower ones; a filter such as `%Severity% < ERRO` also drops higher ones).
 */
export function everestConsoleStream(config: EverestLogConfig, moduleId: string, out: DestinationStream,
  filter: { active: boolean }): DestinationStream {
  const render = compileFormat(config.format, moduleId, config.colors);
  return {
    write(json: string): void {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(json) as Record<string, unknown>;
      } catch {
        out.write(json);
        return;
      }
      const severity = severityOf(typeof rec.level === 'number' ? rec.level : 30);
      if (filter.active && !config.passes[severity]) return;
      const time = typeof rec.time === 'number' ? rec.time : Date.now();
      out.write(`${render({ time, severity, message: messageWithFields(rec) })}\n`);
    },
  };
}
