// Reads the parts of an EVerest logging config (the Boost.Log settings file the manager names in
// settings.logging_config_file and hands to modules as EV_LOG_CONF_FILE, binaries as --log_config) that
// decide how a console line looks and which lines are shown: [Core] DisableLogging and Filter, and the
// console sink's Format, Filter and SeverityStringColor* keys (as liblog's Logging::init reads them).
import { readFileSync } from 'node:fs';
import { errorMessage, TsOcppError } from '../errors.js';

/** liblog's severity names, lowest first (liblog lib/logging.cpp severity_strings). */
export const SEVERITIES = ['VERB', 'DEBG', 'INFO', 'WARN', 'ERRO', 'CRIT'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface EverestLogConfig {
  disabled: boolean;
  /** The sink's Format string, escapes translated. */
  format: string;
  /** Which of the six severities pass both filters (index as in SEVERITIES). */
  passes: readonly boolean[];
  /** Prefix written before each severity name (SeverityStringColor*); liblog writes ESC[0m after every name. */
  colors: readonly string[];
}

/** Used when no logging config is given (a module started by hand beside a manager). */
export const DEFAULT_EVEREST_FORMAT = '%TimeStamp% %Process% [%Severity%] %Message%';

const COLOR_KEYS = ['SeverityStringColorTrace', 'SeverityStringColorDebug', 'SeverityStringColorInfo',
  'SeverityStringColorWarning', 'SeverityStringColorError', 'SeverityStringColorCritical'];

export function defaultEverestLogConfig(): EverestLogConfig {
  return { disabled: false, format: DEFAULT_EVEREST_FORMAT, passes: SEVERITIES.map(() => true), colors: SEVERITIES.map(() => '') };
}

export function loadEverestLogConfig(path: string): EverestLogConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TsOcppError('TSOCPP_ERR_LOG_CONFIG', `cannot read the logging config ${path}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    return parseEverestLogConfig(text);
  } catch (err) {
    throw new TsOcppError('TSOCPP_ERR_LOG_CONFIG', `${path}: ${errorMessage(err)}`, { cause: err });
  }
}

export function parseEverestLogConfig(text: string): EverestLogConfig {
  const sections = parseSettings(text);
  const core = sections.get('Core') ?? new Map<string, string>();
  // The console sink: the section whose Destination is Console (liblog reads [Sinks.Console]).
  let sink = sections.get('Sinks.Console');
  for (const [name, keys] of sections) if (!sink && name.startsWith('Sinks.') && keys.get('Destination') === 'Console') sink = keys;
  sink ??= new Map<string, string>();
  const core_ = severityFilter(core.get('Filter'));
  const sink_ = severityFilter(sink.get('Filter'));
  return {
    disabled: /^(true|1)$/i.test(core.get('DisableLogging') ?? ''),
    format: sink.get('Format') ?? DEFAULT_EVEREST_FORMAT,
    passes: SEVERITIES.map((_, i) => core_[i]! && sink_[i]!),
    colors: COLOR_KEYS.map((k) => sink.get(k) ?? ''),
  };
}

/** `[Section]` and `Key=Value` lines (Boost.Log's settings format); `#` starts a comment line. */
function parseSettings(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current = new Map<string, string>();
  sections.set('', current);
  text.split(/\r?\n/).forEach((raw, n) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section) {
      current = sections.get(section[1]!.trim()) ?? new Map<string, string>();
      sections.set(section[1]!.trim(), current);
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new TsOcppError('TSOCPP_ERR_LOG_CONFIG', `line ${n + 1}: expected [Section] or Key=Value`);
    current.set(line.slice(0, eq).trim(), settingValue(line.slice(eq + 1).trim(), n + 1));
  });
  return sections;
}

/** A quoted value has its C escapes translated (`\033` is ESC), as Boost.Log's settings parser does. */
function settingValue(v: string, line: number): string {
  if (!v.startsWith('"')) return v;
  let out = '';
  for (let i = 1; i < v.length; i++) {
    const c = v[i]!;
    if (c === '"') return out;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = v[++i];
    if (e === undefined) break;
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    if (simple[e] !== undefined) out += simple[e];
    else if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(v.slice(i))![0];
      out += String.fromCharCode(parseInt(m, 8));
      i += m.length - 1;
    } else if (e === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(v.slice(i + 1))?.[0] ?? '';
      out += String.fromCharCode(parseInt(m || '0', 16));
      i += m.length;
    } else out += e;
  }
  throw new TsOcppError('TSOCPP_ERR_LOG_CONFIG', `line ${line}: unterminated quoted value`);
}

const OPS: Record<string, (a: number, b: number) => boolean> = {
  '>=': (a, b) => a >= b, '>': (a, b) => a > b, '<=': (a, b) => a <= b, '<': (a, b) => a < b,
  '=': (a, b) => a === b, '!=': (a, b) => a !== b,
};

/**
 * Which severities a Boost.Log filter lets through. Conditions on %Severity% joined by `and` (or `&`) are
 * understood; other conditions (on %Process%, %Channel%, ...) do not depend on the severity and are
 * taken as true. A filter with `or`/`not`/`|`/`!` in it is not interpreted: everything passes.
 */
export function severityFilter(filter: string | undefined): boolean[] {
  const all = SEVERITIES.map(() => true);
  if (filter === undefined || filter.trim() === '') return all;
  if (/\s(or|not)\s|^\s*(not|!)|\|/i.test(filter)) return all;
  const passes = [...all];
  for (const clause of filter.split(/\s+(?:and|&&?)\s+/i)) {
    const m = /^\(?\s*%Severity%\s*(>=|<=|!=|>|<|=)\s*"?([A-Za-z]+)"?\s*\)?$/.exec(clause.trim());
    if (!m) continue;
    const level = (SEVERITIES as readonly string[]).indexOf(m[2]!.toUpperCase());
    if (level < 0) throw new TsOcppError('TSOCPP_ERR_LOG_CONFIG', `filter ${JSON.stringify(filter)}: unknown severity '${m[2]}' (one of ${SEVERITIES.join(', ')})`);
    const op = OPS[m[1]!]!;
    SEVERITIES.forEach((_, i) => { if (!op(i, level)) passes[i] = false; });
  }
  return passes;
}
