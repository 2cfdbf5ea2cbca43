#!/usr/bin/env node
// The test command (npm test). Runs the unit suites once and the bus suites (test/bus) once per
// dialect on the embedded broker, and once more on an external broker when MQTT_URL is set
// (mosquitto in CI). Its last line is the total: "N passed, N failed". A test that cannot run here (a
// program it needs is missing) prints "SKIP: <title>: <why>" (test/helpers/skip.ts) and returns; uvu
// counts it as passed, so it is taken out of the passed count here, listed, and counted on the line
// before the total as "N skipped".
//
// Jobs: each bus pass is one uvu process, each unit file one more (so a hung file fails alone, within
// its own time limit, and the files spread over the cores). TSOCPP_TEST_JOBS of them run at once (default:
// the machine's cores, at most 2); the longest go first. Every test file has its own everest prefix and
// temporary files, so files and passes can share a broker (test/helpers/broker.ts). Each job's output is
// printed whole once it ends, with its time.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const uvu = join(root, 'node_modules', 'uvu', 'bin.js');
const only = process.argv[2]; // optional pattern to run a subset
const JOB_TIMEOUT_MS = Number(process.env.TSOCPP_PASS_TIMEOUT_MS ?? 10 * 60 * 1000);
const JOBS = Math.max(1, Number(process.env.TSOCPP_TEST_JOBS ?? Math.min(2, availableParallelism())));

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const testFiles = (dir) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.test.ts') && (!only || f.includes(only))).sort();

/** @type {{ name: string, dir: string, pattern: string, env: Record<string, string>, ignore: string[], weight: number }[]} */
const jobs = [];
for (const f of testFiles('test')) {
  // A file's size stands in for its running time when ordering (the longest first).
  jobs.push({ name: `unit ${f}`, dir: 'test', pattern: `^${escape(f)}$`, env: {}, ignore: ['bus'], weight: statSync(join(root, 'test', f)).size });
}
const busFiles = testFiles('test/bus');
if (busFiles.length > 0) {
  const pattern = only ? `${escape(only)}.*\\.test\\.ts$` : '\\.test\\.ts$';
  // A bus pass holds every bus file: it goes before any unit file.
  const weight = Number.MAX_SAFE_INTEGER;
  for (const d of ['v25', 'v22', 'v19']) jobs.push({ name: `bus ${d} (embedded broker)`, dir: 'test/bus', pattern, env: { TSOCPP_TEST_DIALECT: d, MQTT_URL: '' }, ignore: [], weight });
  if (process.env.MQTT_URL) {
    for (const d of ['v25', 'v22']) jobs.push({ name: `bus ${d} (${process.env.MQTT_URL})`, dir: 'test/bus', pattern, env: { TSOCPP_TEST_DIALECT: d, MQTT_URL: process.env.MQTT_URL }, ignore: [], weight });
  }
}
jobs.sort((a, b) => b.weight - a.weight);

function run(job) {
  return new Promise((resolveJob) => {
    const started = Date.now();
    const ignore = job.ignore.flatMap((i) => ['-i', i]);
    const child = spawn(process.execPath, [uvu, '-r', 'tsx', job.dir, job.pattern, ...ignore], {
      cwd: root,
      env: { ...process.env, ...job.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    let timedOut = false;
    // uvu has no per-test timeout: a hung job must fail, not hold CI until its time runs out.
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, JOB_TIMEOUT_MS);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolveJob({ out: Buffer.concat(chunks).toString('utf8'), status, signal, timedOut, ms: Date.now() - started });
    });
  });
}

let passed = 0;
let failed = 0;
const skipped = [];

function report(job, r) {
  process.stdout.write(`\n== ${job.name} (${(r.ms / 1000).toFixed(1)} s) ==\n`);
  if (r.timedOut) process.stdout.write(`!! ${job.name}: did not finish within ${JOB_TIMEOUT_MS / 1000} s\n`);
  process.stdout.write(r.out);
  const total = Number(/Total:\s+(\d+)/.exec(r.out)?.[1] ?? NaN);
  const ok = Number(/Passed:\s+(\d+)/.exec(r.out)?.[1] ?? NaN);
  if (Number.isNaN(total) || Number.isNaN(ok)) {
    // A suite that crashed before reporting counts as one failure, never as nothing.
    process.stdout.write(`!! ${job.name}: the runner reported no totals (exit ${r.status ?? r.signal})\n`);
    failed += 1;
    return;
  }
  // A skipped test returned at once, so uvu passed it; never take out more than it passed.
  const skips = [...r.out.matchAll(/^SKIP: (.+)$/gm)].map((m) => `${job.name}: ${m[1]}`).slice(0, ok);
  skipped.push(...skips);
  passed += ok - skips.length;
  failed += total - ok;
  if (r.status !== 0 && total === ok) failed += 1; // a crash after the last test
}

const started = Date.now();
let next = 0;
async function worker() {
  while (next < jobs.length) {
    const job = jobs[next++];
    report(job, await run(job));
  }
}
await Promise.all(Array.from({ length: Math.min(JOBS, jobs.length) }, () => worker()));

process.stdout.write(`\n${jobs.length} jobs, ${Math.min(JOBS, jobs.length)} at a time, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
if (skipped.length > 0) process.stdout.write(`\nskipped (not counted as passed):\n${skipped.map((s) => `  ${s}\n`).join('')}`);
process.stdout.write(`\n${skipped.length} skipped\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
