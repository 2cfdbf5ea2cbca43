#!/usr/bin/env node
// The test command (npm test). Runs the unit suites once and the bus suites (test/bus) once per
// dialect on the embedded broker, and once more on an external broker when MQTT_URL is set
// (mosquitto in CI). Its last line is the total: "N passed, N failed". A test that cannot run here (a
// program it needs is missing) prints "SKIP: <title>: <why>" (test/helpers/skip.ts) and returns; uvu
// counts it as passed, so it is taken out of the passed count here, listed, and counted on the line
// before the total as "N skipped".
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const uvu = join(root, 'node_modules', 'uvu', 'bin.js');
const only = process.argv[2]; // optional pattern to run a subset
const PASS_TIMEOUT_MS = Number(process.env.TSOCPP_PASS_TIMEOUT_MS ?? 10 * 60 * 1000);

const passes = [{ name: 'unit', dir: 'test', env: {}, ignore: ['bus'] }];
for (const d of ['v25', 'v22', 'v19']) passes.push({ name: `bus ${d} (embedded broker)`, dir: 'test/bus', env: { TSOCPP_TEST_DIALECT: d, MQTT_URL: '' } });
if (process.env.MQTT_URL) {
  for (const d of ['v25', 'v22']) passes.push({ name: `bus ${d} (${process.env.MQTT_URL})`, dir: 'test/bus', env: { TSOCPP_TEST_DIALECT: d, MQTT_URL: process.env.MQTT_URL } });
}

let passed = 0;
let failed = 0;
const skipped = [];
for (const pass of passes) {
  const files = readdirSync(join(root, pass.dir)).filter((f) => f.endsWith('.test.ts') && (!only || f.includes(only)));
  if (files.length === 0) continue;
  process.stdout.write(`\n== ${pass.name}: ${files.length} files ==\n`);
  const pattern = only ? `${only}.*\\.test\\.ts$` : '\\.test\\.ts$';
  const ignore = (pass.ignore ?? []).flatMap((i) => ['-i', i]);
  const r = spawnSync(process.execPath, [uvu, '-r', 'tsx', pass.dir, pattern, ...ignore], {
    cwd: root,
    env: { ...process.env, ...pass.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // uvu has no per-test timeout: a hung pass must fail, not hold CI until its time runs out.
    timeout: PASS_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (r.error?.code === 'ETIMEDOUT') process.stdout.write(`!! ${pass.name}: did not finish within ${PASS_TIMEOUT_MS / 1000} s\n`);
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  process.stdout.write(out);
  const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  const ok = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  if (Number.isNaN(total) || Number.isNaN(ok)) {
    // A suite that crashed before reporting counts as one failure, never as nothing.
    process.stdout.write(`!! ${pass.name}: the runner reported no totals (exit ${r.status ?? r.signal})\n`);
    failed += 1;
    continue;
  }
  // A skipped test returned at once, so uvu passed it; never take out more than it passed.
  const skips = [...out.matchAll(/^SKIP: (.+)$/gm)].map((m) => `${pass.name}: ${m[1]}`).slice(0, ok);
  skipped.push(...skips);
  passed += ok - skips.length;
  failed += total - ok;
  if (r.status !== 0 && total === ok) failed += 1; // a crash after the last test
}
if (skipped.length > 0) process.stdout.write(`\nskipped (not counted as passed):\n${skipped.map((s) => `  ${s}\n`).join('')}`);
process.stdout.write(`\n${skipped.length} skipped\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
