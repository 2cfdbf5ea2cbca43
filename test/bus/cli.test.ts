// The command-line client as a user runs it: `tsocpp call` prints the retval (exit 0) or the error
// object (exit 1); `tsocpp watch` prints each published value.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startBusSession, type BusSession } from '../helpers/session.js';
import { projectRoot } from '../../src/schema/definitions.js';

let s: BusSession;

function cli(args: string[], until?: (out: string) => boolean): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(projectRoot(), 'bin', 'tsocpp.js'), ...args, '--broker', s.broker.url, '--prefix', s.prefix, '--bus-dialect', s.dialect === 'v19' ? 'v22' : s.dialect], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (until?.(out)) p.kill('SIGINT');
    });
    p.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}

test.before(async () => {
  s = await startBusSession({ tag: 'cl' });
});
test.after(async () => {
  await s?.close();
});

test('call prints the retval as JSON and exits 0', async () => {
  const r = await cli(['call', 'ocpp', 'ocpp_generic', 'get_variables', JSON.stringify({ requests: [{ component_variable: { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } } }] })]);
  assert.is(r.code, 0, r.err);
  const v = JSON.parse(r.out) as Array<{ status: string; value: string }>;
  assert.is(v[0]!.status, 'Accepted');
});

test('call prints the error object and exits 1', async () => {
  const r = await cli(['call', 'ocpp', 'ocpp_generic', 'get_variables', '{"requests":[{"component_variable":{}}]}']);
  assert.is(r.code, 1);
  const v = JSON.parse(r.out) as { error: { type: string; msg: string } };
  assert.is(v.error.type, 'SchemaValidationError');
  assert.match(v.error.msg, /component/);
});

test('call finds the dialect by itself after global ready', async () => {
  const p = spawn(process.execPath, [join(projectRoot(), 'bin', 'tsocpp.js'), 'call', 'ocpp', 'ocpp_generic', 'stop', '{}', '--broker', s.broker.url, '--prefix', s.prefix, '--timeout', '3000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  const code = await new Promise((resolve) => p.on('exit', resolve));
  assert.is(code, 0);
  assert.is(out.trim(), 'true');
});

test('watch prints each published value', async () => {
  const watching = cli(['watch', 'ocpp', 'ocpp_generic', 'security_event', '--count', '1']);
  await new Promise((r) => setTimeout(r, 1500));
  const c = await cli(['call', 'ocpp', 'ocpp_generic', 'security_event', JSON.stringify({ type: 'SettingSystemTime', info: 'cli' })]);
  assert.is(c.code, 0, c.err);
  const w = await watching;
  assert.equal(JSON.parse(w.out.trim().split('\n')[0]!), { type: 'SettingSystemTime', info: 'cli' });
});

test.run();
