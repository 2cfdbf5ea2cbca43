// The tests' framework-style caller (test/helpers/framework-caller.ts) when the broker goes away with its
// window full: every call, in flight or still waiting for a slot, ends with its own timeout, and none
// rejects with nobody awaiting it (the shutdown, outage and crash tests run without a global
// unhandledRejection filter on that).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker } from '../src/embedded/broker.js';
import { FrameworkCaller } from './helpers/framework-caller.js';
import { uniquePrefix } from './helpers/broker.js';

test('with the broker gone, 30 calls (20 in flight, 10 queued) all end with their timeout, none unobserved', async () => {
  const broker = await startBroker({ port: 0 });
  const caller = await FrameworkCaller.connect(broker.url, uniquePrefix('fc'), 'v25');
  caller.client.on('error', () => undefined);
  const unhandled: unknown[] = [];
  const record = (err: unknown): void => { unhandled.push(err); };
  process.on('unhandledRejection', record);
  try {
    // The reply topic is subscribed at a cmd's first call: one call while the broker is there (nobody answers).
    await caller.call('nobody', 'main', 'ping', {}, { timeoutMs: 50 }).catch(() => undefined);
    await broker.close();
    const t0 = Date.now();
    const ends = await Promise.all(Array.from({ length: 30 }, () =>
      caller.call('nobody', 'main', 'ping', {}, { timeoutMs: 300 }).then(() => 'answered', (e: Error) => e.message)));
    const ms = Date.now() - t0;
    assert.ok(ends.every((e) => /^no reply to call .* within 300 ms$/.test(e)), ends.find((e) => !/within 300 ms/.test(e)));
    assert.ok(ms < 2000, `all ended with their own bound, queued ones too (${ms} ms)`);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(unhandled, []);
  } finally {
    process.off('unhandledRejection', record);
    caller.client.end(true);
  }
});

test.run();
