// The command line is parsed strictly: the real command, as a user runs it, stops with one
// TSOCPP_ERR_CONFIG line on stderr naming what does not fit, exit code 1; both spellings of a flag and
// the flags a manager passes to the binaries it starts are taken.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectRoot } from '../src/schema/definitions.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// No broker is needed: every run here stops before connecting. EV_MODULE would switch the mode.
function tsocpp(args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, TSOCPP_LOG_FORMAT: 'json' };
  delete env.EV_MODULE;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(projectRoot(), 'bin', 'tsocpp.js'), ...args], { cwd: projectRoot(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    p.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`tsocpp ${args.join(' ')} did not stop within 30 s`)); }, 30_000);
    p.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

async function refused(args: string[], line: string): Promise<void> {
  const r = await tsocpp(args);
  assert.is(r.stderr, `tsocpp: TSOCPP_ERR_CONFIG: ${line} (see tsocpp --help)\n`, `stderr of tsocpp ${args.join(' ')}`);
  assert.is(r.code, 1, `exit code of tsocpp ${args.join(' ')}`);
  assert.is(r.stdout, '', `stdout of tsocpp ${args.join(' ')}`);
}

test('an unknown flag stops the module, naming it', async () => {
  await Promise.all([
    refused(['--evse-cuont', '2'], 'unknown flag --evse-cuont'),
    refused(['--port', '0', '-x'], 'unknown flag -x'),
    // A flag of the client is not one of the module.
    refused(['--timeout', '3000'], 'unknown flag --timeout'),
  ]);
});

test('a flag without its value stops the module, naming it', async () => {
  await Promise.all([
    refused(['--evse-count'], 'flag --evse-count needs a value'),
    // Not the next flag taken as the value.
    refused(['--device-model-db', '--evse-count', '2'],
      "flag --device-model-db needs a value, got the flag '--evse-count' (a value that starts with - is written --device-model-db=<value>)"),
  ]);
});

test('a switch given a value stops the module, naming it', async () => {
  await Promise.all([
    refused(['--print-config', 'x'], "flag --print-config takes no value, got 'x'"),
    refused(['--print-config=x'], "flag --print-config takes no value, got 'x'"),
  ]);
});

test('a word that is no command stops the module', async () => {
  await refused(['--port', '0', 'serve'], "unexpected argument 'serve': the commands are call, watch and simulate-session");
});

test('tsocpp call: an unknown flag or a missing value stops it, naming the flag', async () => {
  await Promise.all([
    refused(['call', 'ocpp', 'ocpp_generic', 'get_variables', '{"requests":[]}', '--count', '1'], 'unknown flag --count of tsocpp call'),
    refused(['call', 'ocpp', 'ocpp_generic', 'get_variables', '{"requests":[]}', '--timeot', '1'], 'unknown flag --timeot of tsocpp call'),
    refused(['call', 'ocpp', 'ocpp_generic', 'get_variables', '{"requests":[]}', '--timeout'], 'flag --timeout needs a value'),
    refused(['call', 'ocpp', 'ocpp_generic', 'get_variables', '--help=yes'], "flag --help takes no value, got 'yes'"),
  ]);
});

test('tsocpp watch: an unknown flag or a missing value stops it, naming the flag', async () => {
  await Promise.all([
    refused(['watch', 'ocpp', 'ocpp_generic', 'security_event', '--timeout', '1'], 'unknown flag --timeout of tsocpp watch'),
    refused(['watch', 'ocpp', 'ocpp_generic', 'security_event', '--count'], 'flag --count needs a value'),
    refused(['watch', '--broker', '--count', '1', 'ocpp', 'ocpp_generic', 'security_event'],
      "flag --broker needs a value, got the flag '--count' (a value that starts with - is written --broker=<value>)"),
  ]);
});

test('both spellings of a flag and the flags a manager passes to a binary are taken', async () => {
  const [embedded, manager] = await Promise.all([
    tsocpp(['--print-config', '--evse_count', '2', '--connectors-per-evse', '3', '--device_model_sync=normal', '--port', '0']),
    tsocpp(['--print-config', '--prefix', '/opt/everest', '--module', 'ocpp', '--log_config', '/opt/everest/etc/everest/default_logging.cfg',
      '--mqtt_everest_prefix', 'everest_x/', '--mqtt_external_prefix', 'ext/', '--mqtt_broker_host', 'broker.local', '--mqtt_broker_port', '1884']),
  ]);
  assert.is(embedded.stderr, '');
  assert.is(embedded.code, 0);
  const e = JSON.parse(embedded.stdout) as { embedded: { moduleConfig: Record<string, unknown> } };
  assert.is(e.embedded.moduleConfig.evse_count, '2');
  assert.is(e.embedded.moduleConfig.connectors_per_evse, '3');
  assert.is(e.embedded.moduleConfig.device_model_sync, 'normal');
  assert.is(manager.stderr, '');
  assert.is(manager.code, 0);
  const m = JSON.parse(manager.stdout) as Record<string, unknown>;
  assert.is(m.mode, 'manager');
  assert.is(m.moduleId, 'ocpp');
  assert.is(m.brokerUrl, 'mqtt://broker.local:1884');
  // --prefix of a binary is the install prefix, not a topic prefix.
  assert.is(m.everestPrefix, 'everest_x/');
  assert.is(m.externalPrefix, 'ext/');
});

test('a module config value that does not fit its declaration stops start-up, naming the key', async () => {
  const r = await tsocpp(['--port', '0', '--evse-count', '0']);
  assert.is(r.stderr, "tsocpp: TSOCPP_ERR_CONFIG: config key 'evse_count': 0 is below the minimum 1\n");
  assert.is(r.code, 1);
});

test('--help and -h print the usage and exit 0', async () => {
  const [long, short] = await Promise.all([tsocpp(['--help']), tsocpp(['-h'])]);
  for (const r of [long, short]) {
    assert.is(r.code, 0);
    assert.is(r.stderr, '');
    assert.match(r.stdout, /^usage:\n {2}tsocpp \[options\]/);
  }
});

test.run();
