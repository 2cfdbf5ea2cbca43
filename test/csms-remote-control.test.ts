// The CSMS starting sessions and unlocking connectors through EVerest (issue 17 items 3 and 4): RequestStartTransaction
// (F01/F02) publishes the token on auth_provider's provided_token in the release's shape, and the session that
// follows carries RemoteStart and remoteStartId; UnlockConnector (F05) calls the EVSE's force_unlock; the `auth`
// requirement gets set_connection_timeout / set_master_pass_group_id and withdraw_authorization; C10.FR.05 caches a
// TransactionEvent answer's idTokenInfo. TsOcpp is the real app against the strict ocpp-rpc CSMS, with an evse_manager
// stand-in (ScriptedEvse + its cmds) and an Auth stand-in serving its cmds on the bus.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt, { type MqttClient } from 'mqtt';
import { TestCsms, type StationCallHandler } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { Cleanup } from './helpers/cleanup.js';
import { ScriptedEvse } from './fixtures/evse.js';
import { EvseCmdServer, type EvseCall } from './fixtures/evse-cmds.js';
import { until } from './helpers/wait.js';
import { dialectFor } from '../src/everest/dialect.js';
import { releaseDefinitions as defs, type Definitions as Defs } from './fixtures/release-definitions.js';

type R = Record<string, unknown>;
const cleanup = new Cleanup();
let db: TempDb;
let csms: TestCsms | undefined;
let ts: TsOcpp | undefined;
let client: MqttClient | undefined;

const cv = (component: string, variable: string, value: string) => ({ component_variable: { component: { name: component }, variable: { name: variable } }, value });

interface Rig {
  evse: ScriptedEvse;
  cmds: EvseCmdServer;
  auth: EvseCmdServer;
  tokens: R[];
}

interface StartOpts {
  handlers?: Record<string, StationCallHandler>;
  seed?: ReturnType<typeof cv>[];
  definitions?: Defs;
  /** Connect the Auth stand-in as the auth requirement (default true). */
  withAuth?: boolean;
  evseAnswer?: (c: EvseCall) => unknown;
  authAnswer?: (c: EvseCall) => unknown;
}

async function start(o: StartOpts = {}): Promise<Rig> {
  seedDeviceModel(db.path, o.seed ?? []);
  csms = cleanup.add(await new TestCsms({ password: PASSWORD, ...(o.handlers ? { handlers: o.handlers } : {}) }).start(), (c) => c.stop());
  const connections: Record<string, Array<{ module_id: string; implementation_id: string }>> = { evse_manager: [{ module_id: 'evse1', implementation_id: 'evse' }] };
  if (o.withAuth !== false) connections.auth = [{ module_id: 'auth1', implementation_id: 'main' }];
  ts = cleanup.add(await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path }, {
    config: { connections },
    // The stand-ins are modules of the config: global ready (and TsOcpp's calls at ready) waits for them.
    modules: { evse1: { module: 'EvseStandIn' }, auth1: { module: 'AuthStandIn' } },
    definitions: o.definitions ?? defs('2026.02'),
  }), (t) => t.stop());
  client = cleanup.add(await mqtt.connectAsync(ts.app.brokerUrl, { protocolVersion: 4 }), (c) => c.endAsync());
  const evse = new ScriptedEvse(client, 'everest/', 'evse1');
  const finish = async (c: EvseCall): Promise<void> => {
    if (c.cmd !== 'stop_transaction') return;
    await evse.event('TransactionFinished', { transaction_finished: { meter_value: evse.meter(), reason: (c.args.request as R).reason } });
  };
  const cmds = await EvseCmdServer.serve(client, 'everest/', 'evse1', finish, o.evseAnswer ? { answer: o.evseAnswer } : {});
  const auth = await EvseCmdServer.serve(client, 'everest/', 'auth1', () => undefined, {
    impl: 'main', cmds: ['set_connection_timeout', 'set_master_pass_group_id', 'withdraw_authorization'],
    answer: o.authAnswer ?? ((c) => (c.cmd === 'withdraw_authorization' ? 'Accepted' : null)),
  });
  const ready = dialectFor('v25').readyPayload();
  for (const id of ['evse1', 'auth1']) await client.publishAsync(`everest/modules/${id}/ready`, ready, { qos: 2 });
  const tokens: R[] = [];
  const topic = 'everest/modules/ocpp/impl/auth_provider/var/provided_token';
  await client.subscribeAsync(topic, { qos: 2 });
  client.on('message', (t, payload) => {
    if (t === topic) tokens.push((JSON.parse(payload.toString()) as { data: { data: R } }).data.data);
  });
  await csms.waitFor('StatusNotification', 2);
  return { evse, cmds, auth, tokens };
}

const events = (): R[] => csms!.of('TransactionEvent').map((r) => r.params);
const ID_TOKEN = { idToken: 'REMOTE01', type: 'ISO14443' };
/** The id_tag an Auth module gives the EVSE for the token it was provided (2026.02 shape). */
const remoteTag = (requestId: number) => ({ id_token: { value: 'REMOTE01', type: 'ISO14443' }, authorization_type: 'OCPP', request_id: requestId, prevalidated: false });

test.before.each(() => {
  db = cleanup.add(tempDb(), (d) => d.cleanup());
});
test.after.each(() => cleanup.run());

test('F01 RequestStartTransaction Accepted: the token on provided_token (2026.02 shape: OCPP, prevalidated = !AuthorizeRemoteStart, request_id, connectors [evseId], parent), then Started with RemoteStart and remoteStartId', async () => {
  const rig = await start();
  const answer = await csms!.call('RequestStartTransaction', { evseId: 1, remoteStartId: 42, idToken: ID_TOKEN, groupIdToken: { idToken: 'GROUP1', type: 'Central' } });
  assert.equal(answer, { status: 'Accepted' });
  await until(() => rig.tokens.length === 1, 5000, 'provided_token published');
  assert.equal(rig.tokens[0], {
    id_token: { value: 'REMOTE01', type: 'ISO14443' }, authorization_type: 'OCPP', prevalidated: false, request_id: 42, connectors: [1],
    parent_id_token: { value: 'GROUP1', type: 'Central' },
  });
  // The Auth module authorizes the EVSE with that token; the EVSE starts its session with it.
  await rig.evse.event('SessionStarted', { session_started: { reason: 'Authorized', id_tag: remoteTag(42), meter_value: rig.evse.meter() } });
  await rig.evse.event('TransactionStarted', { transaction_started: { id_tag: remoteTag(42), meter_value: rig.evse.meter() } });
  await csms!.waitFor('TransactionEvent', 1);
  const started = events()[0]!;
  assert.is(started.eventType, 'Started');
  assert.is(started.triggerReason, 'RemoteStart');
  assert.is((started.transactionInfo as R).remoteStartId, 42);
  assert.equal(started.idToken, ID_TOKEN);
});

test('F01 with the 2023.12 auth_token_provider: id_token a string beside id_token_type, no parent; AuthorizeRemoteStart false gives prevalidated true', async () => {
  const rig = await start({ definitions: defs('2023.12'), seed: [cv('AuthCtrlr', 'AuthorizeRemoteStart', 'false')] });
  const answer = await csms!.call('RequestStartTransaction', { evseId: 1, remoteStartId: 7, idToken: ID_TOKEN, groupIdToken: { idToken: 'GROUP1', type: 'Central' } });
  assert.equal(answer, { status: 'Accepted' });
  await until(() => rig.tokens.length === 1, 5000, 'provided_token published');
  assert.equal(rig.tokens[0], { id_token: 'REMOTE01', id_token_type: 'ISO14443', authorization_type: 'OCPP', prevalidated: true, request_id: 7, connectors: [1] });
});

test('F01.FR.07 / unknown EVSE / F01.FR.24: RequestStartTransaction without evseId, for an EVSE without evse_manager, or with an authorized transaction going on is Rejected and nothing is published', async () => {
  const rig = await start();
  assert.equal(await csms!.call('RequestStartTransaction', { remoteStartId: 1, idToken: ID_TOKEN }), { status: 'Rejected' });
  // EVSE 2 exists in the device model, but no evse_manager is connected for it; EVSE 9 does not exist.
  assert.equal(await csms!.call('RequestStartTransaction', { evseId: 2, remoteStartId: 2, idToken: ID_TOKEN }), { status: 'Rejected' });
  assert.equal(await csms!.call('RequestStartTransaction', { evseId: 9, remoteStartId: 3, idToken: ID_TOKEN }), { status: 'Rejected' });
  await rig.evse.plugIn();
  await rig.evse.authorize();
  await csms!.waitFor('TransactionEvent', 1);
  assert.equal(await csms!.call('RequestStartTransaction', { evseId: 1, remoteStartId: 4, idToken: ID_TOKEN }), { status: 'Rejected' });
  // A var published after the answers would have arrived before this round trip's answer.
  await csms!.call('GetVariables', { getVariableData: [{ component: { name: 'AuthCtrlr' }, variable: { name: 'Enabled' } }] });
  assert.equal(rig.tokens, []);
});

test('F01.FR.23 RequestStartTransaction for an EVSE made Inoperative: Rejected', async () => {
  const rig = await start();
  assert.equal(await csms!.call('ChangeAvailability', { evse: { id: 1 }, operationalStatus: 'Inoperative' }), { status: 'Accepted' });
  assert.equal(await csms!.call('RequestStartTransaction', { evseId: 1, remoteStartId: 5, idToken: ID_TOKEN }), { status: 'Rejected' });
  assert.equal(rig.tokens, []);
});

test('F02 cable first (TxStartPoint EVConnected): Accepted with the transactionId of the open transaction; the Updated that brings the token carries RemoteStart and remoteStartId', async () => {
  const rig = await start({ seed: [cv('TxCtrlr', 'TxStartPoint', 'EVConnected')] });
  await rig.evse.plugIn();
  await csms!.waitFor('TransactionEvent', 1);
  const txId = (events()[0]!.transactionInfo as R).transactionId;
  const answer = await csms!.call('RequestStartTransaction', { evseId: 1, remoteStartId: 99, idToken: ID_TOKEN });
  assert.equal(answer, { status: 'Accepted', transactionId: txId });
  await until(() => rig.tokens.length === 1, 5000, 'provided_token published');
  await rig.evse.event('TransactionStarted', { transaction_started: { id_tag: remoteTag(99), meter_value: rig.evse.meter() } });
  await csms!.waitFor('TransactionEvent', 2);
  const updated = events()[1]!;
  assert.equal([updated.eventType, updated.triggerReason, (updated.transactionInfo as R).remoteStartId], ['Updated', 'RemoteStart', 99]);
  assert.equal(updated.idToken, ID_TOKEN);
});

test('F05.FR.01 UnlockConnector: evse_manager force_unlock(connector_id) true is Unlocked, false is UnlockFailed', async () => {
  let ok = true;
  const rig = await start({ evseAnswer: (c) => (c.cmd === 'force_unlock' ? ok : true) });
  assert.equal(await csms!.call('UnlockConnector', { evseId: 1, connectorId: 1 }), { status: 'Unlocked' });
  assert.equal(rig.cmds.of('force_unlock').map((c) => c.args), [{ connector_id: 1 }]);
  ok = false;
  assert.equal(await csms!.call('UnlockConnector', { evseId: 1, connectorId: 1 }), { status: 'UnlockFailed' });
});

test('F05.FR.02 / F05.FR.03 UnlockConnector: OngoingAuthorizedTransaction while a transaction goes on; UnknownConnector for a connector or EVSE that does not exist; no force_unlock', async () => {
  const rig = await start();
  assert.equal(await csms!.call('UnlockConnector', { evseId: 1, connectorId: 2 }), { status: 'UnknownConnector' });
  assert.equal(await csms!.call('UnlockConnector', { evseId: 9, connectorId: 1 }), { status: 'UnknownConnector' });
  await rig.evse.plugIn();
  await rig.evse.authorize();
  await csms!.waitFor('TransactionEvent', 1);
  assert.equal(await csms!.call('UnlockConnector', { evseId: 1, connectorId: 1 }), { status: 'OngoingAuthorizedTransaction' });
  assert.equal(rig.cmds.of('force_unlock'), []);
});

test('auth requirement (2026.02): set_connection_timeout with TxCtrlr.EVConnectionTimeOut and set_master_pass_group_id at ready, again when the CSMS or the bus changes them', async () => {
  const rig = await start({ seed: [cv('TxCtrlr', 'EVConnectionTimeOut', '45'), cv('AuthCtrlr', 'MasterPassGroupId', 'POLICE')] });
  await until(() => rig.auth.of('set_master_pass_group_id').length === 1, 5000, 'master pass at ready');
  assert.equal(rig.auth.of('set_connection_timeout').map((c) => c.args), [{ connection_timeout: 45 }]);
  assert.equal(rig.auth.of('set_master_pass_group_id').map((c) => c.args), [{ master_pass_group_id: 'POLICE' }]);
  const res = await csms!.call<{ setVariableResult: R[] }>('SetVariables', { setVariableData: [
    { component: { name: 'TxCtrlr' }, variable: { name: 'EVConnectionTimeOut' }, attributeValue: '60' },
    { component: { name: 'AuthCtrlr' }, variable: { name: 'MasterPassGroupId' }, attributeValue: 'TOWING' },
  ] });
  assert.equal(res.setVariableResult.map((r) => r.attributeStatus), ['Accepted', 'Accepted']);
  await until(() => rig.auth.of('set_connection_timeout').length === 2 && rig.auth.of('set_master_pass_group_id').length === 2, 5000, 'after SetVariables');
  assert.equal(rig.auth.of('set_connection_timeout')[1]!.args, { connection_timeout: 60 });
  assert.equal(rig.auth.of('set_master_pass_group_id')[1]!.args, { master_pass_group_id: 'TOWING' });
  await ts!.call('ocpp_generic', 'set_variables', { requests: [{ component_variable: { component: { name: 'TxCtrlr' }, variable: { name: 'EVConnectionTimeOut' } }, value: '90' }], source: 'test' });
  await until(() => rig.auth.of('set_connection_timeout').length === 3, 5000, 'after the bus set_variables');
  assert.equal(rig.auth.of('set_connection_timeout')[2]!.args, { connection_timeout: 90 });
});

test('auth requirement (2023.12, no set_master_pass_group_id in its interface): set_connection_timeout only', async () => {
  const rig = await start({ definitions: defs('2023.12'), seed: [cv('AuthCtrlr', 'MasterPassGroupId', 'POLICE')] });
  await until(() => rig.auth.of('set_connection_timeout').length === 1, 5000, 'timeout at ready');
  assert.equal(rig.auth.of('set_connection_timeout')[0]!.args, { connection_timeout: 120 });
  await csms!.call('SetVariables', { setVariableData: [{ component: { name: 'AuthCtrlr' }, variable: { name: 'MasterPassGroupId' }, attributeValue: 'TOWING' }] });
  await csms!.call('SetVariables', { setVariableData: [{ component: { name: 'TxCtrlr' }, variable: { name: 'EVConnectionTimeOut' }, attributeValue: '30' }] });
  await until(() => rig.auth.of('set_connection_timeout').length === 2, 5000, 'after SetVariables');
  assert.equal(rig.auth.of('set_master_pass_group_id'), []);
});

test('without an auth connection nothing is called on an Auth module', async () => {
  const rig = await start({ withAuth: false });
  await csms!.call('SetVariables', { setVariableData: [{ component: { name: 'TxCtrlr' }, variable: { name: 'EVConnectionTimeOut' }, attributeValue: '30' }] });
  await csms!.call('GetVariables', { getVariableData: [{ component: { name: 'TxCtrlr' }, variable: { name: 'EVConnectionTimeOut' } }] });
  assert.equal(rig.auth.calls, []);
});

const invalidStart: Record<string, StationCallHandler> = {
  TransactionEvent: (p) => (p.idToken !== undefined ? { idTokenInfo: { status: 'Invalid' } } : {}),
};

test('E05 StopTxOnInvalidId with an auth module that has withdraw_authorization: withdrawn through it for the EVSE and token (Accepted: no evse_manager stop_transaction)', async () => {
  const rig = await start({ handlers: invalidStart });
  await rig.evse.plugIn();
  await rig.evse.authorize();
  await until(() => rig.auth.of('withdraw_authorization').length === 1, 5000, 'withdraw_authorization called');
  assert.equal(rig.auth.of('withdraw_authorization')[0]!.args, { request: { evse_id: 1, id_token: { value: 'CAFE0001', type: 'ISO14443' } } });
  await csms!.call('GetVariables', { getVariableData: [{ component: { name: 'TxCtrlr' }, variable: { name: 'StopTxOnInvalidId' } }] });
  assert.equal(rig.cmds.of('stop_transaction'), []);
});

test('E05 withdraw_authorization answered AuthorizationNotFound: the evse_manager stop_transaction DeAuthorized instead', async () => {
  const rig = await start({ handlers: invalidStart, authAnswer: (c) => (c.cmd === 'withdraw_authorization' ? 'AuthorizationNotFound' : null) });
  await rig.evse.plugIn();
  await rig.evse.authorize();
  await until(() => rig.cmds.of('stop_transaction').length === 1, 5000, 'stop_transaction called');
  assert.equal(rig.cmds.of('stop_transaction')[0]!.args, { request: { reason: 'DeAuthorized' } });
  assert.is(rig.auth.of('withdraw_authorization').length, 1);
});

test('C10.FR.05 the idTokenInfo of a TransactionEventResponse goes to the authorization cache: validate_token is then answered without Authorize', async () => {
  // AuthCtrlr.LocalPreAuthorize: the cache answers while online (C10); without it the CSMS would be asked.
  const rig = await start({
    handlers: { TransactionEvent: (p) => (p.idToken !== undefined ? { idTokenInfo: { status: 'Accepted' } } : {}) },
    seed: [cv('AuthCtrlr', 'LocalPreAuthorize', 'true')],
  });
  await rig.evse.plugIn();
  await rig.evse.authorize();
  await csms!.waitFor('TransactionEvent', 1);
  await until(() => ts!.app.service.outbox.size() === 0, 5000, 'answered');
  const res = await ts!.call('auth_validator', 'validate_token', { provided_token: { id_token: { value: 'CAFE0001', type: 'ISO14443' }, authorization_type: 'RFID' } });
  assert.is((res as R).authorization_status, 'Accepted');
  assert.equal(csms!.of('Authorize'), []);
});

test.run();
