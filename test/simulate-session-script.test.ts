// The steps `tsocpp simulate-session` plays (src/cli/session-script.ts): for each bundled release, every
// payload of a whole session, for every stop reason the release has and for sessions stopped early, fits
// that release's evse_manager definition, and the events come in EvseManager's order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closingSteps, energyAt, meterAt, openingSteps, type SessionPlan, type Step } from '../src/cli/session-script.js';
import { compileInterface } from '../src/schema/compile.js';
import { BUNDLED_RELEASES, bundledRelease, type BundledRelease } from '../src/schema/releases.js';

const AT = new Date('2026-03-01T10:00:00.000Z');

function plan(release: BundledRelease): SessionPlan {
  return { release, uuid: 'u1', connectorId: 1, energyWh: 1500, seconds: 20, powerW: 270000, idToken: 'TOKEN', idTokenType: 'ISO14443', stopReason: 'EVDisconnected' };
}

function checker(release: BundledRelease): (s: Step) => void {
  const defs = bundledRelease(release);
  const iface = compileInterface('evse_manager', defs.interfaces.evse_manager!, defs.types);
  return (s) => {
    const issue = iface.vars.get(s.kind)!(s.payload);
    assert.is(issue, null, `${release} ${s.kind === 'session_event' ? s.event : 'powermeter'}: ${issue?.message}`);
  };
}

const names = (steps: Step[]): string[] => steps.map((s) => (s.kind === 'session_event' ? s.event : 'powermeter'));
const all = { transactionStarted: true, chargingStarted: true };

for (const release of BUNDLED_RELEASES) {
  test(`${release}: every step of a session fits the release's definition, for every stop reason`, () => {
    const check = checker(release);
    const p = plan(release);
    for (const s of openingSteps(p, AT)) check(s);
    for (let second = 0; second <= p.seconds; second++) check(meterAt(energyAt(p, second), p.powerW, AT));
    const reasons = (bundledRelease(release).types['/evse_manager']!.types.StopTransactionReason as { enum: string[] }).enum;
    for (const reason of reasons) {
      for (const s of closingSteps(p, 1500, reason, AT, all)) check(s);
      for (const s of closingSteps(p, 1500, reason, AT, all, { value: 'STOPPER', type: 'ISO14443' })) check(s);
    }
  });
}

test('the order of EvseManager: 2026.02 has Authorized, 2023.12 not; unplugging pauses first, other reasons stop', () => {
  assert.equal(names(openingSteps(plan('2026.02.0'), AT)), ['SessionStarted', 'AuthRequired', 'Authorized', 'TransactionStarted', 'PrepareCharging', 'ChargingStarted']);
  assert.equal(names(openingSteps(plan('2023.12.0'), AT)), ['SessionStarted', 'AuthRequired', 'TransactionStarted', 'PrepareCharging', 'ChargingStarted']);
  assert.equal(names(closingSteps(plan('2026.02.0'), 1, 'EVDisconnected', AT, all)), ['ChargingPausedEV', 'ChargingFinished', 'TransactionFinished', 'SessionFinished']);
  assert.equal(names(closingSteps(plan('2026.02.0'), 1, 'Remote', AT, all)), ['StoppingCharging', 'ChargingFinished', 'TransactionFinished', 'SessionFinished']);
});

test('a session stopped early closes only what it opened', () => {
  const p = plan('2026.02.0');
  assert.equal(names(closingSteps(p, 0, 'EVDisconnected', AT, { transactionStarted: false, chargingStarted: false })), ['SessionFinished']);
  assert.equal(names(closingSteps(p, 0, 'Remote', AT, { transactionStarted: true, chargingStarted: false })), ['ChargingFinished', 'TransactionFinished', 'SessionFinished']);
});

test('energy grows evenly to the total over the simulated seconds', () => {
  const p = plan('2026.02.0');
  assert.equal([0, 1, 10, 20].map((s) => energyAt(p, s)), [0, 75, 750, 1500]);
  assert.equal(meterAt(750, 270000, AT).payload, { timestamp: AT.toISOString(), meter_id: 'tsocpp-simulated', energy_Wh_import: { total: 750 }, power_W: { total: 270000 } });
});

test.run();
