// At home in the manager's console: joined to a manager, TsOcpp writes the framework's console line (the
// logging config's Format, liblog's padded %Process%, [INFO] and the other severity names with their
// colours, the fields after the message) and honours the config's Filter; --log-format json stays JSON.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt from 'mqtt';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, setLogLevel } from '../src/log.js';
import { parseEverestLogConfig, severityFilter } from '../src/log/everest-config.js';
import { TsOcppError } from '../src/errors.js';
import { testBroker, uniquePrefix } from './helpers/broker.js';
import { startTestManager, tempDir } from './helpers/manager.js';
import { spawnModule, stopModule } from './helpers/module-process.js';

const ESC = '\x1b';
const TIME = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}`;

function logConfig(filter: string, format = '%TimeStamp% %Process% [%Severity%] %Message%', extra = ''): string {
  const file = join(tempDir(), 'logging.ini');
  writeFileSync(file, `# as a manager's default_logging.cfg\n[Core]\nDisableLogging=false\nFilter="${filter}"\n\n[Sinks.Console]\nDestination=Console\nFormat="${format}"\nAsynchronous=false\nAutoFlush=true\n${extra}`);
  return file;
}

function capture(o: Parameters<typeof createLogger>[0]): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger({ ...o, stream: { write: (s: string) => { lines.push(s); } } }), lines };
}

test('a line has the framework shape: time, padded module id, [SEVERITY], message, fields, stack below', () => {
  const { log, lines } = capture({ joinedToManager: true, everest: { moduleId: 'ocpp', logConfigFile: logConfig('%Severity% >= DEBG') } });
  log.info({ evse: 1, reason: 'two words' }, 'hello');
  log.warn('careful');
  log.debug('detail');
  log.error({ err: new TsOcppError('TSOCPP_ERR_DB', 'gone') }, 'failed');
  log.fatal('down');
  assert.match(lines[0]!, new RegExp(`^${TIME} ocpp {11} \\[INFO${ESC}\\[0m\\] hello evse=1 reason="two words"\\n$`));
  assert.match(lines[1]!, /\[WARN\x1b\[0m\] careful\n$/);
  assert.match(lines[2]!, /\[DEBG\x1b\[0m\] detail\n$/);
  assert.match(lines[3]!, /\[ERRO\x1b\[0m\] failed err=gone code=TSOCPP_ERR_DB\nTsOcppError: gone\n\s+at /);
  assert.match(lines[4]!, /\[CRIT\x1b\[0m\] down\n$/);
});

test('the Format string, colours and escapes of the config are used as liblog reads them', () => {
  const file = logConfig('%Severity% >= INFO', String.raw`%TimeStamp(format=\"%H:%M:%S\")% [%Severity%] \033[1;32m%Process%\033[0m %file%: %Message%`,
    String.raw`SeverityStringColorWarning="\033[1;33m"` + '\n');
  const c = parseEverestLogConfig(`[Sinks.Console]\nFormat="a\\033b\\"c"\n`);
  assert.is(c.format, 'a\x1bb"c');
  const { log, lines } = capture({ joinedToManager: true, everest: { moduleId: 'a-very-long-module-id', logConfigFile: file } });
  log.warn('w');
  assert.match(lines[0]!, /^\d\d:\d\d:\d\d \[\x1b\[1;33mWARN\x1b\[0m\] \x1b\[1;32ma-very-long-mod\x1b\[0m : w\n$/);
});

test('the Filter decides which severities pass until the module config sets a level', () => {
  assert.equal(severityFilter('%Severity% >= WARN'), [false, false, false, true, true, true]);
  assert.equal(severityFilter('%Severity% >= DEBG and %Severity% < ERRO'), [false, true, true, true, false, false]);
  assert.equal(severityFilter('%Process% contains "x" or %Severity% > INFO'), [true, true, true, true, true, true]);
  const file = logConfig('%Severity% >= WARN');
  const { log, lines } = capture({ joinedToManager: true, everest: { moduleId: 'ocpp', logConfigFile: file } });
  log.info('hidden');
  log.child({ part: 'x' }).warn('shown');
  setLogLevel(log, 'debug'); // a log_level set in the module config (src/app.ts)
  log.debug('now shown');
  assert.is(lines.length, 2);
  assert.match(lines[0]!, /\[WARN.*shown part=x/);
  assert.match(lines[1]!, /\[DEBG.*now shown/);
  const upper = capture({ joinedToManager: true, everest: { moduleId: 'ocpp', logConfigFile: logConfig('%Severity% < ERRO') } });
  upper.log.error('dropped');
  upper.log.trace('kept');
  assert.is(upper.lines.length, 1);
  assert.match(upper.lines[0]!, /\[VERB.*kept/);
});

test('--log-format json keeps JSON under a manager; without a manager auto is JSON off a terminal', () => {
  const a = capture({ joinedToManager: true, format: 'json', everest: { moduleId: 'ocpp', logConfigFile: logConfig('%Severity% >= DEBG') } });
  a.log.info({ n: 1 }, 'x');
  assert.equal((JSON.parse(a.lines[0]!) as { msg: string }).msg, 'x');
  const b = capture({});
  b.log.info('y');
  assert.equal((JSON.parse(b.lines[0]!) as { msg: string }).msg, 'y');
});

async function runJoined(filter: string): Promise<string[]> {
  const broker = await testBroker();
  const prefix = uniquePrefix('log');
  const manager = await startTestManager({ brokerUrl: broker.url, prefix, dialect: 'v25' });
  const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  try {
    await watcher.subscribeAsync(`${prefix}modules/ocpp/ready`);
    const ready = new Promise<void>((resolve) => watcher.on('message', () => resolve()));
    // `--log-format auto` undoes the helper's json: the format is chosen as under a real manager.
    const m = spawnModule(['--broker', broker.url, '--mqtt_everest_prefix', prefix, '--log-format', 'auto'],
      { EV_MODULE: 'ocpp', EV_LOG_CONF_FILE: logConfig(filter), TSOCPP_LOG_LEVEL: '', TSOCPP_LOG_FORMAT: '' });
    await ready;
    if (filter.includes('INFO')) await m.waitFor(/TsOcpp serving module/);
    else await new Promise((r) => setTimeout(r, 300));
    await stopModule(m);
    return [...m.lines];
  } finally {
    await watcher.endAsync();
    await manager.stop();
    await broker.close();
  }
}

test('spawned with EV_MODULE and EV_LOG_CONF_FILE: the framework lines, "Module ocpp initialized [N ms]", the Filter', async () => {
  const lines = await runJoined('%Severity% >= INFO');
  assert.ok(lines.length > 0);
  for (const l of lines) assert.match(l, new RegExp(`^${TIME} ocpp {11} \\[(INFO|WARN)${ESC}\\[0m\\] `), l);
  assert.ok(lines.some((l) => /\] Module ocpp initialized \[\d+ms\]$/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /\] TsOcpp serving module 'ocpp'/.test(l)));
  const quiet = await runJoined('%Severity% >= WARN');
  assert.equal(quiet.filter((l) => /\[(INFO|DEBG|VERB)/.test(l)), [], 'the Filter held before and after the module config came in');
});

test.run();
