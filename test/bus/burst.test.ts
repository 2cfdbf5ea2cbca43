// 200 concurrent calls from 10 callers (half security_event, half get_variables), each caller keeping
// at most 20 publishes in flight like a libmosquitto client: every call is answered and every
// accepted event shows up on the security_event var. On mosquitto's default window of 20 in-flight
// QoS 2 messages, a provider that published its answers without a window lost most of them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FrameworkCaller, HEARTBEAT, replyError } from '../helpers/framework-caller.js';
import { startBusSession, type BusSession } from '../helpers/session.js';

let s: BusSession;

test.before(async () => {
  s = await startBusSession({ tag: 'bu' });
});
test.after(async () => {
  await s?.close();
});

test('every one of 200 concurrent calls is answered and every accepted event is published', async () => {
  const callers = await Promise.all(Array.from({ length: 10 }, () => FrameworkCaller.connect(s.broker.url, s.prefix, s.dialect)));
  const watcher = await FrameworkCaller.connect(s.broker.url, s.prefix, s.dialect);
  const published = new Set<string>();
  await watcher.watchVar('ocpp', 'ocpp_generic', 'security_event', (v) => published.add(String((v as { info?: string }).info)));
  try {
    const calls: Array<Promise<{ kind: string; info?: string; ok: boolean }>> = [];
    for (const [ci, c] of callers.entries()) {
      for (let i = 0; i < 20; i++) {
        if (i % 2 === 0) {
          const info = `burst-${ci}-${i}`;
          calls.push(c.call('ocpp', 'ocpp_generic', 'security_event', { type: 'InvalidMessages', info }, { timeoutMs: 30_000 })
            .then((r) => ({ kind: 'event', info, ok: replyError(r) === undefined })));
        } else {
          calls.push(c.call('ocpp', 'ocpp_generic', 'get_variables', { requests: [{ component_variable: HEARTBEAT }] }, { timeoutMs: 30_000 })
            .then((r) => ({ kind: 'get', ok: (r.data.retval as Array<{ status: string }>)[0]?.status === 'Accepted' })));
        }
      }
    }
    const results = await Promise.all(calls);
    assert.is(results.length, 200);
    assert.ok(results.every((r) => r.ok), 'every call answered without error');
    const accepted = results.filter((r) => r.kind === 'event').map((r) => r.info!);
    const end = Date.now() + 15_000;
    while (accepted.some((i) => !published.has(i)) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const missing = accepted.filter((i) => !published.has(i));
    assert.equal(missing, [], 'every accepted event was published on the var');
  } finally {
    await Promise.all([...callers, watcher].map((c) => c.close()));
  }
});

test.run();
