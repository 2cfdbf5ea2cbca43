// validate_token on the bus (issue 17 item 2): an Auth module's call to TsOcpp's auth_validator is answered by
// the authorization room, from the CSMS's Authorize online (C01) and from the cache offline (C13), in the token
// and ValidationResult shapes of the release the manager runs (everest-core 2026.02: id_token {value, type},
// tariff_messages; 2023.12: id_token a string beside id_token_type). The calls go through the embedded
// manager's bus like an Auth module's; the CSMS is the strict ocpp-rpc one. Tokens never appear in logs above
// debug.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TestCsms, type StationCallHandler } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { captureLogger, tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { BASE_RELEASE, managerDefinitions } from '../src/schema/releases.js';

type R = Record<string, unknown>;
let db: TempDb;
let csms: TestCsms | undefined;
let ts: TsOcpp | undefined;
type Log = ReturnType<typeof captureLogger>['log'];

const STATUS: Record<string, string> = { GOOD0001: 'Accepted', BAD00001: 'Invalid', BLOCKED1: 'Blocked' };
const authorize: StationCallHandler = (p) => {
  const token = (p.idToken as { idToken: string }).idToken;
  const status = STATUS[token] ?? 'Unknown';
  return { idTokenInfo: status === 'Accepted' ? { status, groupIdToken: { idToken: 'FLEET001', type: 'Central' } } : { status } };
};

async function start(definitions?: ReturnType<typeof managerDefinitions>, log?: Log): Promise<TsOcpp> {
  seedDeviceModel(db.path);
  csms = await new TestCsms({ password: PASSWORD, handlers: { Authorize: authorize } }).start();
  ts = await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path, ...(log ? { log_level: 'debug' } : {}) }, {
    ...(definitions ? { definitions } : {}), ...(log ? { log } : {}),
  });
  await csms.waitFor('StatusNotification', 2);
  return ts;
}

const token2602 = (value: string) => ({ provided_token: { id_token: { value, type: 'ISO14443' }, authorization_type: 'RFID', connectors: [1] } });
const token2312 = (value: string) => ({ provided_token: { id_token: value, id_token_type: 'ISO14443', authorization_type: 'RFID' } });

test.before.each(() => {
  db = tempDb();
});

test.after.each(async () => {
  await ts?.stop();
  await csms?.stop();
  ts = undefined;
  csms = undefined;
  db.cleanup();
});

test('C01: validate_token asks the CSMS with Authorize and answers its status in 2026.02 shape (parent token an object, tariff_messages)', async () => {
  const t = await start();
  const good = (await t.call('auth_validator', 'validate_token', token2602('GOOD0001'))) as R;
  assert.is(good.authorization_status, 'Accepted');
  assert.equal(good.parent_id_token, { value: 'FLEET001', type: 'Central' });
  assert.equal(good.tariff_messages, []);
  const sent = csms!.of('Authorize').map((r) => r.params.idToken);
  assert.equal(sent, [{ idToken: 'GOOD0001', type: 'ISO14443' }]);
  assert.is(((await t.call('auth_validator', 'validate_token', token2602('BAD00001'))) as R).authorization_status, 'Invalid');
  assert.is(((await t.call('auth_validator', 'validate_token', token2602('BLOCKED1'))) as R).authorization_status, 'Blocked');
});

test('C01 with everest-core 2023.12 definitions: id_token a string in, parent_id_token a string out, no tariff_messages', async () => {
  const t = await start(managerDefinitions(BASE_RELEASE));
  const good = (await t.call('auth_validator', 'validate_token', token2312('GOOD0001'))) as R;
  assert.equal(good, { authorization_status: 'Accepted', parent_id_token: 'FLEET001' });
  // The 2026.02 shape does not fit 2023.12's ProvidedIdToken: refused before the handler.
  const wrong = await t.call('auth_validator', 'validate_token', token2602('GOOD0001')).then(() => 'answered', (e: Error) => e.message);
  assert.match(wrong, /SchemaValidationError|id_token/);
});

test('C10/C13: offline, a token the CSMS accepted before is answered Accepted from the cache; an unknown one is not', async () => {
  const t = await start();
  assert.is(((await t.call('auth_validator', 'validate_token', token2602('GOOD0001'))) as R).authorization_status, 'Accepted');
  await csms!.stop();
  await t.app.service.auth.validate({ idToken: 'nobody', type: 'ISO14443' }); // settles the link's offline state
  const again = (await t.call('auth_validator', 'validate_token', token2602('GOOD0001'))) as R;
  assert.is(again.authorization_status, 'Accepted');
  const unknown = (await t.call('auth_validator', 'validate_token', token2602('STRANGER'))) as R;
  assert.is.not(unknown.authorization_status, 'Accepted');
  assert.is(csms!.of('Authorize').length, 1);
});

test('id tokens are personal data: no log line above debug carries one', async () => {
  const cap = captureLogger();
  const t = await start(undefined, cap.log);
  await t.call('auth_validator', 'validate_token', token2602('GOOD0001'));
  await t.call('auth_validator', 'validate_token', token2602('BAD00001'));
  const lines = cap.lines.map((l) => JSON.parse(l) as { level: number });
  // pino levels: trace 10, debug 20, info 30.
  for (const l of lines.filter((x) => x.level > 20)) assert.not.match(JSON.stringify(l), /GOOD0001|BAD00001/);
  assert.ok(lines.some((l) => l.level === 20 && JSON.stringify(l).includes('GOOD0001')), 'the token is in a debug line');
});

test.run();
