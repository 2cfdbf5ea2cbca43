// MQTT.js's and mqtt-packet's trace output (the `debug` package) is silenced when DEBUG is unset, to save
// their per-call allocations (src/everest/mqtt-lean.ts); with DEBUG set a user still gets the trace.
// The CLI's `call` against a port where nothing listens makes MQTT.js trace its connection attempt.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../src/schema/definitions.js';

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function runCall(port: number, env: Record<string, string>): { status: number | null; stderr: string } {
  const baseEnv = { ...process.env };
  delete baseEnv.DEBUG;
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot(), 'src', 'main.ts'), 'call', 'ocpp', 'ocpp_generic', 'get_variables',
    '{"requests":[]}', '--broker', `mqtt://127.0.0.1:${port}`, '--timeout', '500'], { env: { ...baseEnv, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

test('DEBUG=mqttjs*,mqtt-packet:* prints the MQTT trace; without DEBUG there is none', async () => {
  const port = await closedPort();
  const traced = runCall(port, { DEBUG: 'mqttjs*,mqtt-packet:*' });
  assert.ok(traced.status !== 0, 'the call fails: nothing listens');
  assert.match(traced.stderr, /mqttjs:client/);
  const quiet = runCall(port, {});
  assert.ok(quiet.status !== 0);
  assert.not.match(quiet.stderr, /mqttjs|mqtt-packet/);
  assert.match(quiet.stderr, /127\.0\.0\.1|ECONNREFUSED|connect/i, 'the failure itself is still reported');
});

test.run();
