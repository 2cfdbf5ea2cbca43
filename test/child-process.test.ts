// The tests' child-process helper (test/helpers/child.ts): lines whole across chunks, on both streams;
// waitFor bounded and telling what it saw; and no promise left to reject after the process is gone (the
// shutdown, outage and crash tests run without a global unhandledRejection filter on that).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Child } from './helpers/child.js';

/** A node child running `code`. */
const node = (code: string): Child => new Child(process.execPath, ['-e', code]);

/** Run `fn` and collect every unhandled rejection until a few turns after it. */
async function unhandledDuring(fn: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const record = (err: unknown): void => { seen.push(err); };
  process.on('unhandledRejection', record);
  try {
    await fn();
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    process.off('unhandledRejection', record);
  }
  return seen;
}

test('a line written in pieces is one line, on stdout and stderr alike; the last line needs no newline', async () => {
  const c = node(`
    process.stdout.write('{"msg":"hel');
    setTimeout(() => process.stderr.write('err one\\nerr '), 30);
    setTimeout(() => process.stdout.write('lo"}\\n'), 60);
    setTimeout(() => process.stderr.write('two\\n'), 90);
    setTimeout(() => process.stdout.write('tail'), 120);
  `);
  assert.is(await c.waitFor(/"msg":"hello"/), '{"msg":"hello"}');
  await c.exited();
  assert.equal(c.lines, ['err one', '{"msg":"hello"}', 'err two', 'tail']);
});

test('a multi-byte character cut between two chunks stays whole', async () => {
  const c = node(`
    const b = Buffer.from('grüße\\n');
    process.stdout.write(b.subarray(0, 3));
    setTimeout(() => process.stdout.write(b.subarray(3)), 30);
  `);
  await c.exited();
  assert.equal(c.lines, ['grüße']);
});

test('waitFor rejects after its bound with the lines seen so far', async () => {
  const c = node(`console.log('one'); console.log('two'); setInterval(() => {}, 1000);`);
  await c.waitFor(/two/);
  const err = await c.waitFor(/three/, { timeoutMs: 100 }).then(() => undefined, (e: Error) => e);
  assert.ok(err, 'rejected');
  assert.match(err.message, /no line matching \/three\/ within 100 ms/);
  assert.match(err.message, /one\ntwo/);
  const exit = await c.stop();
  assert.is(exit.signal, 'SIGTERM');
});

test('waitFor rejects when the process exits first, naming the exit and the lines', async () => {
  const c = node(`console.log('starting'); process.exit(3);`);
  const err = await c.waitFor(/ready/).then(() => undefined, (e: Error) => e);
  assert.match(err?.message ?? '', /exited \(3\) before a line matching \/ready\/.*\nstarting/s);
  // Asked after the exit: at once, the same answer.
  const late = await c.waitFor(/ready/).then(() => undefined, (e: Error) => e);
  assert.match(late?.message ?? '', /exited \(3\)/);
});

test('from: lines before the index do not count', async () => {
  const c = node(`console.log('ready'); setTimeout(() => console.log('ready again'), 50);`);
  await c.waitFor(/ready/);
  const from = c.lines.length;
  assert.is(await c.waitFor(/ready/, { from }), 'ready again');
  await c.exited();
});

test('nothing rejects unobserved: waits that were answered, timed out or outlived by the process', async () => {
  const seen = await unhandledDuring(async () => {
    const c = node(`console.log('up'); setInterval(() => {}, 1000);`);
    await c.waitFor(/up/);
    await c.waitFor(/never/, { timeoutMs: 20 }).catch(() => undefined);
    // The process is killed while answered and timed-out waits are behind it.
    await c.stop('SIGKILL');
  });
  assert.equal(seen, []);
});

test('a program that does not exist: exited() resolves and waitFor rejects, nothing hangs', async () => {
  const c = new Child('tsocpp-no-such-program', []);
  const err = await c.waitFor(/x/).then(() => undefined, (e: Error) => e);
  assert.match(err?.message ?? '', /could not start .*ENOENT/);
  const exit = await c.exited();
  assert.is(exit.code, null);
  assert.not.ok(c.running);
});

test.run();
