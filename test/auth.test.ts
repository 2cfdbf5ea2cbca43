// Token validation and the CSMS's authorization messages (issue 17 item 2): the authorization room
// (src/ocpp/auth) on a real SQLite file, with the real CSMS link talking to a strict ocpp-rpc CSMS that
// answers Authorize with Accepted, Invalid and Blocked. C01 (Authorize), C10 (cache), C11 (ClearCache), C12
// (LocalPreAuthorize), C13 (LocalAuthorizeOffline), C14 (local list first), C15 (OfflineTxForUnknownIdEnabled),
// D01 (SendLocalList), D02 (GetLocalListVersion). The clock of the service is injected for cache expiry.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startCsms, type Csms } from '../src/csms/index.js';
import { resolveConfig } from '../src/everest/manifest.js';
import { TSOCPP_CONFIG } from '../src/generated/module-config.js';
import { silentLogger } from '../src/log.js';
import type { IdToken } from '../src/ocpp/auth/ocpp-types.js';
import { OcppService } from '../src/ocpp/service.js';
import { TestCsms } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel } from './fixtures/csms/app.js';
import { FakeTimers } from './fixtures/csms/fake-timers.js';
import { cv, tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { until } from './helpers/wait.js';

type R = Record<string, unknown>;
let db: TempDb;
let csms: TestCsms;
let service: OcppService | undefined;
let link: Csms | undefined;
let clock = new Date('2026-03-01T10:00:00.000Z');

const rfid = (idToken: string): IdToken => ({ idToken, type: 'ISO14443' });
const GOOD_INFO = {
  status: 'Accepted', cacheExpiryDateTime: '2026-03-02T10:00:00.000Z', evseId: [1], groupIdToken: { idToken: 'FLEET', type: 'Central' },
};

function openService(): OcppService {
  service = OcppService.open({ dbPath: db.path, evseCount: 2, connectorsPerEvse: 1, now: () => clock });
  return service;
}

async function connect(): Promise<OcppService> {
  const s = openService();
  link = startCsms({
    moduleConfig: resolveConfig(TSOCPP_CONFIG, { csms_url: csms.url, station_id: 'CS001' }), service: s, log: silentLogger(), timers: new FakeTimers(),
  });
  await until(() => s.isAccepted(), 8000, 'BootNotification Accepted');
  return s;
}

async function disconnect(): Promise<void> {
  await link?.close();
  link = undefined;
}

function set(s: OcppService, component: string, variable: string, value: string): void {
  s.setInternal(cv(component, variable), value);
}

const read = (s: OcppService, component: string, variable: string) => s.getVariables([{ component_variable: cv(component, variable) }])[0]?.value;
const authorizes = () => csms.of('Authorize').map((r) => (r.params.idToken as R).idToken);

test.before.each(async () => {
  db = tempDb();
  clock = new Date('2026-03-01T10:00:00.000Z');
  seedDeviceModel(db.path);
  // AuthCtrlr.Enabled stays false in the seed until validate_token is served on the bus; these tests switch it on.
  const s = openService();
  set(s, 'AuthCtrlr', 'Enabled', 'true');
  s.close();
  service = undefined;
  csms = await new TestCsms({
    password: PASSWORD,
    handlers: {
      Authorize: (p) => {
        const token = (p.idToken as R).idToken;
        if (token === 'GOOD') return { idTokenInfo: GOOD_INFO };
        if (token === 'BLOCKED') return { idTokenInfo: { status: 'Blocked' } };
        return { idTokenInfo: { status: 'Invalid' } };
      },
    },
  }).start();
});

test.after.each(async () => {
  await disconnect();
  service?.close();
  service = undefined;
  await csms.stop();
  db.cleanup();
});

test('C01 online: Authorize at the CSMS answers Accepted, Invalid and Blocked; parent id token, expiry and EVSEs carried; C10.FR.04 every answer cached', async () => {
  const s = await connect();
  const good = await s.auth.validate(rfid('GOOD'), [1, 2]);
  assert.is(good.source, 'csms');
  assert.equal(good.idTokenInfo, GOOD_INFO);
  assert.is((await s.auth.validate(rfid('NOPE'))).idTokenInfo.status, 'Invalid');
  assert.is((await s.auth.validate(rfid('BLOCKED'))).idTokenInfo.status, 'Blocked');
  assert.equal(authorizes(), ['GOOD', 'NOPE', 'BLOCKED']);
  assert.equal(csms.of('Authorize')[0]?.params, { idToken: { idToken: 'GOOD', type: 'ISO14443' } });
  assert.ok(Number(read(s, 'AuthCacheCtrlr', 'Storage')) > 0, 'AuthCacheCtrlr Storage counts the cached answers');
  // Without LocalPreAuthorize the cache is not consulted online (C12): the CSMS is asked again.
  await s.auth.validate(rfid('GOOD'));
  assert.is(csms.of('Authorize').length, 4);
});

test('C12 LocalPreAuthorize online: a cached Accepted answers without Authorize; a cached Invalid asks the CSMS again', async () => {
  const s = await connect();
  await s.auth.validate(rfid('GOOD'));
  await s.auth.validate(rfid('NOPE'));
  set(s, 'AuthCtrlr', 'LocalPreAuthorize', 'true');
  csms.clear();
  const good = await s.auth.validate(rfid('GOOD'));
  assert.is(good.source, 'cache');
  assert.equal(good.idTokenInfo, GOOD_INFO);
  assert.is((await s.auth.validate(rfid('NOPE'))).source, 'csms');
  assert.equal(authorizes(), ['NOPE']);
});

test('C13/C15 offline: the cache answers per LocalAuthorizeOffline; unknown tokens Unknown, or Accepted with OfflineTxForUnknownIdEnabled', async () => {
  let s = await connect();
  await s.auth.validate(rfid('GOOD'));
  await disconnect();
  const offline = await s.auth.validate(rfid('GOOD'));
  assert.equal([offline.source, offline.idTokenInfo.status], ['cache', 'Accepted']);
  assert.equal((await s.auth.validate(rfid('STRANGER'))).idTokenInfo.status, 'Unknown');
  set(s, 'AuthCtrlr', 'OfflineTxForUnknownIdEnabled', 'true');
  const unknown = await s.auth.validate(rfid('STRANGER'));
  assert.equal([unknown.source, unknown.idTokenInfo.status], ['offline_unknown_id', 'Accepted']);
  set(s, 'AuthCtrlr', 'OfflineTxForUnknownIdEnabled', 'false');
  set(s, 'AuthCtrlr', 'LocalAuthorizeOffline', 'false');
  assert.is((await s.auth.validate(rfid('GOOD'))).idTokenInfo.status, 'Unknown', 'no look-up offline without LocalAuthorizeOffline');
  // The cache is in the file: a restart still answers offline.
  set(s, 'AuthCtrlr', 'LocalAuthorizeOffline', 'true');
  s.close();
  s = openService();
  assert.is((await s.auth.validate(rfid('GOOD'))).source, 'cache');
});

test('C14 the local list comes first: an Accepted entry answers without Authorize; a Blocked entry asks the CSMS online, is Unknown offline (C13.FR.04)', async () => {
  const s = await connect();
  set(s, 'AuthCtrlr', 'LocalPreAuthorize', 'true');
  assert.equal(await csms.call('SendLocalList', {
    versionNumber: 1, updateType: 'Full',
    localAuthorizationList: [
      { idToken: rfid('LISTED'), idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: 'FLEET', type: 'Central' } } },
      { idToken: rfid('GOOD'), idTokenInfo: { status: 'Blocked' } },
    ],
  }), { status: 'Accepted' });
  const listed = await s.auth.validate(rfid('LISTED'));
  assert.equal([listed.source, listed.idTokenInfo.groupIdToken], ['local_list', { idToken: 'FLEET', type: 'Central' }]);
  assert.equal(authorizes(), []);
  assert.equal((await s.auth.validate(rfid('GOOD'))).idTokenInfo.status, 'Accepted');
  assert.equal(authorizes(), ['GOOD']);
  await disconnect();
  // Offline the Blocked entry wins over the Accepted answer now cached.
  assert.equal(await s.auth.validate(rfid('GOOD')), { idTokenInfo: { status: 'Unknown' }, source: 'local_list' });
});

test('C01/C03 AuthCtrlr.Enabled false, or a Central token: Accepted without Authorize (libocpp validate_token)', async () => {
  const s = await connect();
  assert.is((await s.auth.validate({ idToken: 'X', type: 'Central' })).idTokenInfo.status, 'Accepted');
  set(s, 'AuthCtrlr', 'Enabled', 'false');
  assert.is((await s.auth.validate(rfid('NOPE'))).idTokenInfo.status, 'Accepted');
  assert.equal(authorizes(), []);
});

test('D01/D02 SendLocalList Full and Differential with versions, VersionMismatch and Failed, Entries reported, surviving a reopen of the database', async () => {
  let s = await connect();
  const send = (p: R) => csms.call<R>('SendLocalList', p);
  assert.equal(await csms.call('GetLocalListVersion', {}), { versionNumber: 0 }, 'D02.FR.02: no list yet');
  assert.is((await send({ versionNumber: 3, updateType: 'Full', localAuthorizationList: [
    { idToken: rfid('A'), idTokenInfo: { status: 'Accepted' } }, { idToken: rfid('B'), idTokenInfo: { status: 'Accepted' } },
  ] })).status, 'Accepted');
  assert.equal(await csms.call('GetLocalListVersion', {}), { versionNumber: 3 });
  assert.is(read(s, 'LocalAuthListCtrlr', 'Entries'), '2');
  assert.is((await send({ versionNumber: 3, updateType: 'Differential', localAuthorizationList: [{ idToken: rfid('C'), idTokenInfo: { status: 'Accepted' } }] })).status,
    'VersionMismatch', 'D01.FR.19');
  assert.is((await send({ versionNumber: 0, updateType: 'Full' })).status, 'Failed', 'D01.FR.18');
  assert.is((await send({ versionNumber: 9, updateType: 'Full', localAuthorizationList: [{ idToken: rfid('A') }] })).status, 'Failed', 'Full needs idTokenInfo');
  assert.is((await send({ versionNumber: 9, updateType: 'Differential', localAuthorizationList: [
    { idToken: rfid('A'), idTokenInfo: { status: 'Accepted' } }, { idToken: rfid('A'), idTokenInfo: { status: 'Blocked' } },
  ] })).status, 'Failed', 'a token listed twice');
  assert.equal(await csms.call('GetLocalListVersion', {}), { versionNumber: 3 }, 'failures change nothing');
  // D01.FR.06: with info updated or added, without info removed.
  assert.is((await send({ versionNumber: 4, updateType: 'Differential', localAuthorizationList: [
    { idToken: rfid('A') }, { idToken: rfid('B'), idTokenInfo: { status: 'Blocked' } }, { idToken: rfid('C'), idTokenInfo: { status: 'Accepted' } },
  ] })).status, 'Accepted');
  assert.is((await send({ versionNumber: 5, updateType: 'Differential' })).status, 'Accepted', 'D01.FR.05: only the version');
  await disconnect();
  s.close();
  s = openService();
  assert.equal(s.auth.localListVersion(), { versionNumber: 5 });
  assert.is(read(s, 'LocalAuthListCtrlr', 'Entries'), '2');
  set(s, 'AuthCtrlr', 'LocalPreAuthorize', 'true');
  // Offline now: A is gone (Unknown from the CSMS side, which is absent), B Blocked, C Accepted.
  assert.is((await s.auth.validate(rfid('A'))).source, 'none');
  assert.equal((await s.auth.validate(rfid('B'))).idTokenInfo.status, 'Unknown');
  assert.equal((await s.auth.validate(rfid('C'))).source, 'local_list');
  assert.is(s.auth.sendLocalList({ versionNumber: 6, updateType: 'Full' }).status, 'Accepted', 'D01.FR.04: an empty Full empties the list');
  assert.is(read(s, 'LocalAuthListCtrlr', 'Entries'), '0');
  set(s, 'LocalAuthListCtrlr', 'Enabled', 'false');
  assert.equal(s.auth.localListVersion(), { versionNumber: 0 });
  assert.is(s.auth.sendLocalList({ versionNumber: 7, updateType: 'Full' }).status, 'Failed');
});

test('C11 ClearCache empties the cache (Accepted), Rejected while AuthCacheCtrlr is disabled', async () => {
  const s = await connect();
  await s.auth.validate(rfid('GOOD'));
  set(s, 'AuthCtrlr', 'LocalPreAuthorize', 'true');
  assert.is((await s.auth.validate(rfid('GOOD'))).source, 'cache');
  assert.equal(await csms.call('ClearCache', {}), { status: 'Accepted' });
  assert.is(read(s, 'AuthCacheCtrlr', 'Storage'), '0');
  assert.is((await s.auth.validate(rfid('GOOD'))).source, 'csms', 'asked again after ClearCache');
  set(s, 'AuthCacheCtrlr', 'Enabled', 'false');
  assert.is((await csms.call<R>('ClearCache', {})).status, 'Rejected', 'C11.FR.04');
});

test('C10 cache expiry on the injected clock: AuthCacheCtrlr.LifeTime since last use, then cacheExpiryDateTime', async () => {
  let s = await connect();
  await s.auth.validate(rfid('GOOD'));
  await disconnect();
  set(s, 'AuthCacheCtrlr', 'LifeTime', '3600');
  clock = new Date('2026-03-01T10:59:00.000Z');
  assert.is((await s.auth.validate(rfid('GOOD'))).source, 'cache', 'within LifeTime; this use renews it');
  clock = new Date('2026-03-01T11:58:00.000Z');
  assert.is((await s.auth.validate(rfid('GOOD'))).source, 'cache', 'within LifeTime of the last use');
  clock = new Date('2026-03-01T12:59:00.000Z');
  assert.equal(await s.auth.validate(rfid('GOOD')), { idTokenInfo: { status: 'Unknown' }, source: 'none' }, 'LifeTime over: dropped');
  // cacheExpiryDateTime (GOOD_INFO: 2026-03-02T10:00Z) passes before a long LifeTime.
  s.close();
  clock = new Date('2026-03-01T10:00:00.000Z');
  s = await connect();
  await s.auth.validate(rfid('GOOD'));
  await disconnect();
  set(s, 'AuthCacheCtrlr', 'LifeTime', '864000');
  clock = new Date('2026-03-02T09:59:00.000Z');
  assert.is((await s.auth.validate(rfid('GOOD'))).source, 'cache');
  clock = new Date('2026-03-02T10:01:00.000Z');
  assert.is((await s.auth.validate(rfid('GOOD'))).source, 'none', 'past cacheExpiryDateTime: dropped');
});

test('C10.FR.11 a full cache evicts the least recently used entry (Policy LRU)', async () => {
  const s = await connect();
  set(s, 'AuthCtrlr', 'LocalPreAuthorize', 'true');
  await s.auth.validate(rfid('GOOD'));
  const one = Number(read(s, 'AuthCacheCtrlr', 'Storage'));
  assert.ok(one > 0);
  s.close();
  await disconnect();
  // A device model whose Storage maxLimit holds about two entries.
  const raw = (await import('better-sqlite3')).default(db.path);
  raw.prepare(`UPDATE characteristics SET max_limit = ? WHERE variable_id = (SELECT v.id FROM variables v JOIN components c ON c.id = v.component_id
    WHERE c.name = 'AuthCacheCtrlr' AND v.name = 'Storage')`).run(one * 2 + 10);
  raw.close();
  const t = await connect();
  clock = new Date('2026-03-01T10:01:00.000Z');
  await t.auth.validate(rfid('BLOCKED'));
  clock = new Date('2026-03-01T10:02:00.000Z');
  assert.is((await t.auth.validate(rfid('GOOD'))).source, 'cache', 'GOOD used last');
  clock = new Date('2026-03-01T10:03:00.000Z');
  await t.auth.validate(rfid('NOPE'));
  assert.ok(Number(read(t, 'AuthCacheCtrlr', 'Storage')) <= one * 2 + 10);
  await disconnect();
  assert.is((await t.auth.validate(rfid('GOOD'))).source, 'cache', 'the recently used entry stays');
  assert.is((await t.auth.validate(rfid('BLOCKED'))).source, 'none', 'the least recently used entry was evicted');
});

test.run();
