// The parts of the EVSE inputs that need no bus: the once-a-minute drop log (with an injected clock) and the
// normalizer of session events of both releases.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DropLog } from '../src/everest/drop-log.js';
import { normalizeSessionEvent } from '../src/module/session-event.js';
import { evseManagerRelease, requirementDefinitions, bundledRelease } from '../src/schema/releases.js';

test('a kind of drop is reported once per minute, with the count of those in between', () => {
  let now = 1_000_000;
  const log = new DropLog({ now: () => now });
  assert.equal(log.drop('1\0session_event'), { suppressed: 0 });
  assert.is(log.drop('1\0session_event'), undefined);
  assert.equal(log.drop('1\0powermeter'), { suppressed: 0 }, 'another var is another kind');
  assert.equal(log.drop('2\0session_event'), { suppressed: 0 }, 'another EVSE is another kind');
  now += 59_999;
  assert.is(log.drop('1\0session_event'), undefined);
  now += 1;
  assert.equal(log.drop('1\0session_event'), { suppressed: 2 }, 'a minute later: reported again, with the two suppressed');
  assert.is(log.drop('1\0session_event'), undefined);
});

test('a 2023.12 event without a time of its own gets the receipt time, and connector 1', () => {
  const ev = normalizeSessionEvent({ uuid: 'u', event: 'ChargingStarted' }, new Date('2026-01-01T00:00:00Z'));
  assert.equal(ev, { uuid: 'u', event: 'ChargingStarted', connector_id: 1, timestamp: '2026-01-01T00:00:00.000Z' });
});

test('2023.12 signed meter values (strings) become SignedMeterValue objects', () => {
  const ev = normalizeSessionEvent({
    uuid: 'u', event: 'TransactionFinished',
    transaction_finished: { timestamp: '2024-01-01T00:00:00Z', meter_value: { timestamp: '2024-01-01T00:00:00Z', energy_Wh_import: { total: 1 } }, signed_meter_value: 'OCMF|...' },
  }, new Date());
  assert.equal(ev.transaction_finished?.signed_meter_value, { signed_meter_data: 'OCMF|...', signing_method: '', encoding_method: '' });
  assert.is(ev.timestamp, '2024-01-01T00:00:00Z');
});

test('the release of an evse_manager definition is told by enable_disable against enable', () => {
  assert.is(evseManagerRelease(bundledRelease('2023.12.0').interfaces.evse_manager), '2023.12.0');
  assert.is(evseManagerRelease(bundledRelease('2026.02.0').interfaces.evse_manager), '2026.02.0');
  assert.is(evseManagerRelease(undefined), undefined);
});

test('definitions in force: manager, then install, then the bundled release named by the shape, else the newest', () => {
  const old = bundledRelease('2023.12.0');
  const none = { types: {}, installDirs: [] };
  const fromManager = requirementDefinitions('evse_manager', old.interfaces.evse_manager, none, evseManagerRelease)!;
  assert.is(fromManager.source, 'manager');
  assert.is(fromManager.release, '2023.12.0');
  assert.is(fromManager.types['/evse_manager'], old.types['/evse_manager']);
  const nothing = requirementDefinitions('evse_manager', undefined, none, evseManagerRelease)!;
  assert.is(nothing.source, 'bundled');
  assert.is(nothing.release, '2026.02.0');
  const managerTypes = { '/evse_manager': old.types['/evse_manager']! };
  const overlaid = requirementDefinitions('evse_manager', undefined, { types: managerTypes, installDirs: [] }, evseManagerRelease)!;
  assert.is(overlaid.types['/evse_manager'], old.types['/evse_manager'], 'the manager\'s type files win over the bundle');
});

test.run();
