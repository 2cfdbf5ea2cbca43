// The floor: a bare MQTT.js responder on TsOcpp's topic shapes (v25), QoS 2, TCP_NODELAY. It parses
// the call (it must read id and origin to answer) and echoes the args as the retval: no validation, no
// handler, no logging. What TsOcpp adds on top of this is what TsOcpp costs.
//   tsx bench/floor-responder.ts --broker mqtt://127.0.0.1:P --prefix everest/ [--module floor]
// At most 16 calls are in flight from the bench caller, so its replies stay within mosquitto's
// 20-message QoS 2 window without a queue.
import net from 'node:net';
import { MqttClient } from 'mqtt';
import { parseFlags } from '../src/everest/settings.js';

const { flags } = parseFlags(process.argv.slice(2));
const url = new URL(String(flags.broker ?? 'mqtt://127.0.0.1:1883'));
const prefix = String(flags.prefix ?? 'everest/');
const moduleId = String(flags.module ?? 'floor');

const client = new MqttClient(
  () => net.createConnection({ host: url.hostname, port: Number(url.port || 1883), noDelay: true }),
  { clientId: `${moduleId}-${process.pid}`, protocolVersion: 4, clean: true, keepalive: 30, reconnectPeriod: 0 },
);
client.on('message', (topic, payload) => {
  const msg = JSON.parse(payload.toString()) as { data: { args: unknown; id: string; origin: string } };
  const d = msg.data;
  const reply = `{"data":{"data":{"id":${JSON.stringify(d.id)},"origin":"${moduleId}","retval":${JSON.stringify(d.args)}},"type":"result"},"msg_type":"CmdResult"}`;
  client.publish(`${topic}/response/${d.origin}`, reply, { qos: 2 });
});
client.once('connect', () => {
  client.subscribe(`${prefix}modules/${moduleId}/impl/+/cmd/+`, { qos: 2 }, (err) => {
    if (err) {
      process.stderr.write(`floor: subscribe failed: ${err.message}\n`);
      process.exit(1);
    }
    process.stdout.write('ready\n');
  });
});
process.once('SIGTERM', () => client.end(true, () => process.exit(0)));
