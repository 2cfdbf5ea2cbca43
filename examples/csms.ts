// A small example CSMS: prints what a charging station sends and asks it for a few variables.
//
//   npm run example:csms                      # ws://127.0.0.1:9000/ocpp/<station id>
//   npm run example:csms -- --port 9100 --password 0123456789abcdef --interval 30
//
// Then, in another terminal:
//
//   npm start -- --csms-url ws://127.0.0.1:9000/ocpp --station-id CS001
//
// It is an ocpp-rpc RPCServer in strict mode: every message both ways is checked against the OCPP 2.0.1
// schemas. It answers BootNotification with Accepted, everything else the station sends with the
// smallest valid answer, and once a station is accepted it sends GetVariables and GetBaseReport.
import { RPCServer, type IHandlersOption } from '../src/csms/rpc.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  return v ?? fallback;
}

const host = flag('host', '127.0.0.1');
const port = Number(flag('port', '9000'));
const interval = Number(flag('interval', '60'));
const password = flag('password', '');

const time = () => new Date().toISOString().slice(11, 23);
const show = (v: unknown) => JSON.stringify(v);

type Station = {
  identity: string;
  call(method: string, params?: unknown): Promise<unknown>;
  handle(fn: (o: IHandlersOption) => unknown): void;
  on(ev: string, fn: (...a: unknown[]) => void): void;
};

const server = new RPCServer({ protocols: ['ocpp2.0.1'], strictMode: true, callTimeoutMs: 30_000 });

server.auth((accept, reject, handshake) => {
  const given = handshake.password?.toString('utf8');
  if (password !== '' && given !== password) {
    console.log(`${time()} ${handshake.identity}: refused (wrong or no Basic auth password)`);
    reject(401, 'Unauthorized');
    return;
  }
  console.log(`${time()} ${handshake.identity}: connecting from ${handshake.remoteAddress ?? '?'} (${given === undefined ? 'no password' : 'with a password'})`);
  accept({}, 'ocpp2.0.1');
});

// What this CSMS asks for once a station is accepted.
const ASK = [
  { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
  { component: { name: 'InternalCtrlr' }, variable: { name: 'ChargePointModel' } },
  { component: { name: 'SecurityCtrlr' }, variable: { name: 'Identity' } },
  { component: { name: 'ChargingStation' }, variable: { name: 'AvailabilityState' } },
  { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } },
  // WriteOnly: the station answers Rejected and never the value.
  { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
];

async function askAround(station: Station): Promise<void> {
  try {
    const res = (await station.call('GetVariables', { getVariableData: ASK })) as { getVariableResult: Array<Record<string, unknown>> };
    for (const r of res.getVariableResult) {
      const c = r.component as { name: string; evse?: { id: number } };
      const v = r.variable as { name: string };
      const where = c.evse ? `${c.name}[${c.evse.id}]` : c.name;
      console.log(`${time()} ${station.identity}:   ${where}.${v.name} = ${r.attributeStatus === 'Accepted' ? show(r.attributeValue) : `(${String(r.attributeStatus)})`}`);
    }
    const report = await station.call('GetBaseReport', { requestId: 1, reportBase: 'SummaryInventory' });
    console.log(`${time()} ${station.identity}: GetBaseReport SummaryInventory -> ${show(report)}`);
  } catch (err) {
    console.log(`${time()} ${station.identity}: asking failed: ${(err as Error).message}`);
  }
}

server.on('client', (client: Station) => {
  const id = client.identity;
  console.log(`${time()} ${id}: connected`);
  client.on('close', () => console.log(`${time()} ${id}: disconnected`));
  client.handle(({ method, params }) => {
    const p = params as Record<string, unknown>;
    if (method === 'NotifyReport') {
      type Entry = { component: { name: string; evse?: { id: number; connectorId?: number } }; variable: { name: string }; variableAttribute: Array<{ value?: string }> };
      const data = (p.reportData as Entry[] | undefined) ?? [];
      console.log(`${time()} ${id} -> NotifyReport seqNo ${String(p.seqNo)}${p.tbc ? ' (more follows)' : ''}: ${data.length} entries`);
      for (const d of data) {
        const e = d.component.evse;
        const where = e ? `${d.component.name}[${e.id}${e.connectorId !== undefined ? `:${e.connectorId}` : ''}]` : d.component.name;
        console.log(`${time()} ${id}:   ${where}.${d.variable.name} = ${show(d.variableAttribute[0]?.value)}`);
      }
    } else {
      console.log(`${time()} ${id} -> ${String(method)} ${show(params)}`);
    }
    const now = new Date().toISOString();
    switch (method) {
      case 'BootNotification':
        setTimeout(() => void askAround(client), 500);
        return { status: 'Accepted', currentTime: now, interval };
      case 'Heartbeat':
        return { currentTime: now };
      case 'DataTransfer':
        return { status: 'UnknownVendorId' };
      default:
        // StatusNotification, SecurityEventNotification, NotifyEvent, NotifyReport: empty answers.
        return {};
    }
  });
});

await server.listen(port, host);
console.log(`${time()} example CSMS on ws://${host}:${port}/ocpp (append the station id); ${password ? 'Basic auth required' : 'no password required'}`);
console.log(`${time()} try: npm start -- --csms-url ws://${host}:${port}/ocpp --station-id CS001`);

const stop = () => {
  console.log(`${time()} closing`);
  void server.close({ code: 1001, reason: 'CSMS going away' }).finally(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
