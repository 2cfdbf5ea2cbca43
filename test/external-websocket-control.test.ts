// OCPP201's EnableExternalWebsocketControl (issue 17 item 1): with it set, a message on the external MQTT topic
// everest_api/ocpp/cmd/disconnect closes TsOcpp's CSMS connection and keeps it closed, and one on
// everest_api/ocpp/cmd/connect opens it again (a new BootNotification at the strict CSMS); without it the
// topics change nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt, { type MqttClient } from 'mqtt';
import { TestCsms } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { until } from './helpers/wait.js';

let db: TempDb;
let csms: TestCsms | undefined;
let ts: TsOcpp | undefined;
let client: MqttClient | undefined;

async function start(enabled: boolean): Promise<void> {
  seedDeviceModel(db.path);
  csms = await new TestCsms({ password: PASSWORD }).start();
  ts = await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path, EnableExternalWebsocketControl: enabled });
  client = await mqtt.connectAsync(ts.app.brokerUrl, { protocolVersion: 4 });
  await csms.waitFor('BootNotification', 1);
  await until(() => ts!.app.service.isConnected(), 5000, 'connected');
}

test.before.each(() => {
  db = tempDb();
});

test.after.each(async () => {
  await client?.endAsync();
  await ts?.stop();
  await csms?.stop();
  client = undefined;
  ts = undefined;
  csms = undefined;
  db.cleanup();
});

test('EnableExternalWebsocketControl: disconnect closes the CSMS connection until connect opens it again (new BootNotification)', async () => {
  await start(true);
  await client!.publishAsync('everest_api/ocpp/cmd/disconnect', '');
  await until(() => !ts!.app.service.isConnected(), 5000, 'disconnected');
  assert.is(csms!.connections, 1);
  await client!.publishAsync('everest_api/ocpp/cmd/connect', '');
  await csms!.waitFor('BootNotification', 2);
  await until(() => ts!.app.service.isConnected(), 5000, 'connected again');
  assert.is(csms!.connections, 2);
  // A connect while connected changes nothing.
  await client!.publishAsync('everest_api/ocpp/cmd/connect', '');
  await ts!.call('ocpp_generic', 'get_variables', { requests: [] }); // a round trip through the broker after the publish
  assert.is(csms!.connections, 2);
});

test('without EnableExternalWebsocketControl the external topics change nothing', async () => {
  await start(false);
  await client!.publishAsync('everest_api/ocpp/cmd/disconnect', '');
  await ts!.call('ocpp_generic', 'get_variables', { requests: [] });
  assert.ok(ts!.app.service.isConnected());
  assert.is(csms!.connections, 1);
});

test.run();
