// security_event takes the arguments that the interface definition in force declares: `type` and
// `info` (everest-core 2023.12, the bundled definition) or `event: SecurityEvent` (from 2024.10 on).
// Both become the same event.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testBroker, type TestBroker } from '../helpers/broker.js';
import { FrameworkCaller, replyError } from '../helpers/framework-caller.js';
import { startBusSession, until } from '../helpers/session.js';

let broker: TestBroker;

test.before(async () => {
  broker = await testBroker();
});
test.after(async () => {
  await broker?.close();
});

async function session(eventForm: boolean, fn: (caller: FrameworkCaller, events: Array<Record<string, unknown>>) => Promise<void>): Promise<void> {
  const s = await startBusSession({ tag: 'se', broker, eventSecurityEvent: eventForm });
  const events: Array<Record<string, unknown>> = [];
  try {
    // Only the events of the test: the module also raises StartupOfTheDevice when it starts (A04), which may reach
    // this watcher or not depending on when the subscription lands.
    await s.caller.watchVar('ocpp', 'ocpp_generic', 'security_event', (v) => {
      const ev = v as Record<string, unknown>;
      if (ev.type !== 'StartupOfTheDevice') events.push(ev);
    });
    await fn(s.caller, events);
  } finally {
    await s.close();
  }
}

test('the 2023.12 definition (bundled): type and info are accepted, event is refused', async () => {
  await session(false, async (caller, events) => {
    const ok = await caller.call('ocpp', 'ocpp_generic', 'security_event', { type: 'FirmwareUpdated', info: 'v1.2' });
    assert.is(replyError(ok), undefined);
    await until(() => events.length === 1);
    assert.equal(events[0], { type: 'FirmwareUpdated', info: 'v1.2' });
    const bad = await caller.call('ocpp', 'ocpp_generic', 'security_event', { event: { type: 'FirmwareUpdated' } });
    assert.is(replyError(bad)?.type, 'SchemaValidationError');
  });
});

test('the 2024.10 definition: event is accepted, type and info are refused', async () => {
  await session(true, async (caller, events) => {
    const ok = await caller.call('ocpp', 'ocpp_generic', 'security_event', { event: { type: 'FirmwareUpdated', info: 'v1.2' } });
    assert.is(replyError(ok), undefined);
    await until(() => events.length === 1);
    assert.equal(events[0], { type: 'FirmwareUpdated', info: 'v1.2' });
    const bad = await caller.call('ocpp', 'ocpp_generic', 'security_event', { type: 'FirmwareUpdated', info: 'v1.2' });
    const e = replyError(bad);
    assert.is(e?.type, 'SchemaValidationError');
    assert.match(e!.msg, /event/);
  });
});

test.run();
