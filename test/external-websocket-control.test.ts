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
import { Cleanup } from './helpers/cleanup.js';
import { until } from './helpers/wait.js';

const cleanup = new Cleanup();
let db: TempDb;
let csms: TestCsms | undefined;
let ts: TsOcpp | undefined;
let client: MqttClient | undefined;

async function start(enabled: boolean): Promise<void> {
  seedDeviceModel(db.path);
  csms = cleanup.add(await new TestCsms({ password: PASSWORD }).start(), (c) => c.stop());
  ts = cleanup.add(await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path, EnableExternalWebsocketControl: enabled }), (t) => t.stop());
  client = cleanup.add(await mqtt.connectAsync(ts.app.brokerUrl, { protocolVersion: 4 }), (c) => c.endAsync());
  await csms.waitFor('BootNotification', 1);
  await until(() => ts!.app.service.isConnected(), 5000, 'connected');
}

test.before.each(() => {
  db = cleanup.add(tempDb(), (d) => d.cleanup());
});

test.after.each(() => cleanup.run());

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
