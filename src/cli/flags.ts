// The command line, parsed strictly: one table of flags per command (the module, `call`, `watch`,
// `simulate-session`). An
// unknown flag, a flag without its value or a switch given a value stops start-up with one
// TSOCPP_ERR_CONFIG line naming it, instead of being taken as something else.
// Both spellings of a flag are the same flag: `--evse-count` and `--evse_count` (the manager passes
// `--mqtt_broker_host` and friends to binaries with underscores; people type dashes).
import { parseArgs } from 'node:util';
import { TsOcppError } from '../errors.js';
import type { Flags } from '../everest/settings.js';

export type Command = 'module' | 'call' | 'watch' | 'simulate-session';

const CLIENT_COMMANDS: readonly Command[] = ['call', 'watch', 'simulate-session'];

/** Does the flag take a value ('value') or is it a switch ('switch')? Keys are the underscore spelling. */
type FlagTable = Readonly<Record<string, 'value' | 'switch'>>;

/** How to reach a broker: every command. */
const BUS_FLAGS: FlagTable = {
  broker: 'value',
  mqtt_broker_host: 'value',
  mqtt_broker_port: 'value',
  mqtt_broker_socket_path: 'value',
  mqtt_everest_prefix: 'value',
  mqtt_external_prefix: 'value',
  bus_dialect: 'value',
  mqtt_username: 'value',
  mqtt_password: 'value',
  mqtt_ca: 'value',
  mqtt_cert: 'value',
  mqtt_key: 'value',
  log_level: 'value',
  help: 'switch',
};

/** Module config keys that flags set on the embedded default (laid over the config file). */
export const MODULE_CONFIG_FLAGS = [
  'csms_url', 'station_id', 'security_profile', 'csms_ca_file', 'client_cert_file', 'client_key_file',
  'device_model_db', 'device_model_sync', 'evse_count', 'connectors_per_evse', 'log_level',
] as const;

const TABLES: Record<Command, FlagTable> = {
  module: {
    ...BUS_FLAGS,
    ...Object.fromEntries(MODULE_CONFIG_FLAGS.map((k) => [k, 'value'])),
    port: 'value',
    host: 'value',
    mqtt_tls_cert: 'value',
    mqtt_tls_key: 'value',
    config: 'value',
    module: 'value',
    log_format: 'value',
    print_config: 'switch',
    // Bus tuning (also TSOCPP_QOS_WINDOW and friends).
    qos_window: 'value',
    call_timeout_ms: 'value',
    handler_timeout_ms: 'value',
    max_payload_bytes: 'value',
    config_timeout_ms: 'value',
    // A manager passes these to the binaries it starts (everest-framework, "How a module process is
    // started"): accepted so a wrapper binary can start TsOcpp. --prefix there is the install prefix,
    // not a topic prefix; --log_config the manager's logging configuration file.
    prefix: 'value',
    log_config: 'value',
  },
  call: { ...BUS_FLAGS, prefix: 'value', timeout: 'value' },
  watch: { ...BUS_FLAGS, prefix: 'value', count: 'value' },
  'simulate-session': {
    ...BUS_FLAGS,
    prefix: 'value',
    evse: 'value',
    connector: 'value',
    evse_module: 'value',
    energy_wh: 'value',
    seconds: 'value',
    power_w: 'value',
    step_ms: 'value',
    id_token: 'value',
    id_token_type: 'value',
    stop_reason: 'value',
    release: 'value',
  },
};

export interface CommandLine {
  command: Command;
  /** Values by the underscore spelling of their flag. */
  flags: Flags;
  /** For the client commands: the arguments after the command's name. */
  positionals: string[];
}

const SEE_HELP = '(see tsocpp --help)';

function flagError(message: string): TsOcppError {
  return new TsOcppError('TSOCPP_ERR_CONFIG', `${message} ${SEE_HELP}`);
}

const underscore = (name: string): string => name.replace(/-/g, '_');

/** parseArgs options for a table: every flag in both spellings, `-h` for help. */
function parseOptions(table: FlagTable): Record<string, { type: 'string' | 'boolean'; short?: string }> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, kind] of Object.entries(table)) {
    const type = kind === 'value' ? 'string' : 'boolean';
    options[name] = { type };
    options[name.replace(/_/g, '-')] = { type };
  }
  options.help = { type: 'boolean', short: 'h' };
  return options;
}

/**
 * Parse `argv` (without node and the script) against the table of its command: the first word that is
 * not a flag or a flag's value names the command (`call`, `watch`, `simulate-session`); none means the module. Throws a
 * TsOcppError (TSOCPP_ERR_CONFIG) naming the flag or word that does not fit.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  // First pass, against every table: where is the command's name?
  const all: FlagTable = Object.assign({}, ...Object.values(TABLES)) as FlagTable;
  const first = parseArgs({ args: [...argv], options: parseOptions(all), strict: false, allowPositionals: true, tokens: true });
  const head = first.tokens.find((t) => t.kind === 'positional');
  const named = head?.kind === 'positional' ? CLIENT_COMMANDS.find((c) => c === head.value) : undefined;
  const command: Command = named ?? 'module';
  const args = head && command !== 'module' ? argv.filter((_, i) => i !== head.index) : [...argv];

  const table = TABLES[command];
  const { tokens } = parseArgs({ args, options: parseOptions(table), strict: false, allowPositionals: true, tokens: true });
  const flags: Flags = {};
  const positionals: string[] = [];
  const where = command === 'module' ? '' : ` of tsocpp ${command}`;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'option-terminator') continue;
    if (t.kind === 'positional') {
      const before = tokens[i - 1];
      if (before?.kind === 'option' && table[underscore(before.name)] === 'switch' && before.value === undefined) {
        throw flagError(`flag ${before.rawName} takes no value, got '${t.value}'`);
      }
      if (command === 'module') throw flagError(`unexpected argument '${t.value}': the commands are call, watch and simulate-session`);
      positionals.push(t.value);
      continue;
    }
    const name = underscore(t.name);
    const kind = table[name];
    if (kind === undefined) throw flagError(`unknown flag ${t.rawName}${where}`);
    if (kind === 'switch') {
      if (t.value !== undefined) throw flagError(`flag ${t.rawName} takes no value, got '${t.value}'`);
      flags[name] = true;
      continue;
    }
    // Without strict mode parseArgs takes the next flag as the value: `--port --evse-count 2`.
    if (t.value === undefined) throw flagError(`flag ${t.rawName} needs a value`);
    if (!t.inlineValue && t.value.startsWith('-') && t.value.length > 1) {
      throw flagError(`flag ${t.rawName} needs a value, got the flag '${t.value}' (a value that starts with - is written ${t.rawName}=<value>)`);
    }
    flags[name] = t.value;
  }
  return { command, flags, positionals };
}
