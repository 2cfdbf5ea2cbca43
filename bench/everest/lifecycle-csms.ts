// A strict ocpp-rpc CSMS for the life-cycle runs under a real manager (README "Life cycle under a real manager
// (issue 20)").
//
//   node --import tsx bench/everest/lifecycle-csms.ts --port 21811 --out FILE [--heartbeat-s 3] [--clock-offset-s 0]
//     [--reset-when installed|started] [--signed]
//
// It accepts every station (BootNotification interval --heartbeat-s, currentTime its own clock plus
// --clock-offset-s, Heartbeat the same) and, 1 s after the boot: UpdateFirmware (requestId 101; with --signed a
// signature and a signing certificate), GetLog (DiagnosticsLog, requestId 202); 2.5 s later TriggerMessage
// FirmwareStatusNotification and LogStatusNotification; then, once FirmwareStatusNotification Installed came (--reset-when installed,
// the default) or at the first TransactionEvent Started (--reset-when started), TriggerMessage
// FirmwareStatusNotification again and Reset OnIdle. Every message both ways goes to --out as one JSON line
// ({at, wall, dir: "in"|"out", msg}: at in s from the start, wall in ms since the epoch); when the station disconnects after the Reset, or on SIGINT/SIGTERM, it prints a
// summary and exits. strictMode: every message both ways is validated against the OCPP 2.0.1 schemas.
import { appendFileSync, writeFileSync } from 'node:fs';
import { RPCServer, type IHandlersOption } from '../../src/csms/rpc.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : undefined) ?? fallback;
}

const port = Number(flag('port', '21811'));
const out = flag('out', '');
const heartbeatS = Number(flag('heartbeat-s', '3'));
const clockOffsetMs = Number(flag('clock-offset-s', '0')) * 1000;
const resetWhen = flag('reset-when', 'installed');
const signed = process.argv.includes('--signed');

type Station = {
  identity: string;
  call(method: string, params?: unknown): Promise<unknown>;
  handle(fn: (o: IHandlersOption) => unknown): void;
  on(ev: string, fn: (...a: unknown[]) => void): void;
};
interface Line { at: number; wall: number; dir: 'in' | 'out'; msg: unknown }

const t0 = Date.now();
const lines: Line[] = [];
const csmsTime = () => new Date(Date.now() + clockOffsetMs).toISOString();
const say = (text: string) => console.log(`${new Date().toISOString().slice(11, 23)} +${((Date.now() - t0) / 1000).toFixed(3)}s ${text}`);
if (out !== '') writeFileSync(out, '');

const FIRMWARE_ID = 101;
const LOG_ID = 202;
// A placeholder signature and certificate: TsOcpp hands them to the system module, which (here) does not check them.
const SIGNING = { signingCertificate: '-----BEGIN CERTIFICATE-----\nTUlJQnBsYWNlaG9sZGVy\n-----END CERTIFICATE-----', signature: 'cGxhY2Vob2xkZXI=' };

function summary(): unknown {
  const calls = lines.filter((l) => l.dir === 'in' && Array.isArray(l.msg) && l.msg[0] === 2).map((l) => ({ at: l.at, action: (l.msg as unknown[])[2] as string, params: (l.msg as unknown[])[3] as Record<string, unknown> }));
  const of = (action: string) => calls.filter((c) => c.action === action);
  return {
    bootReason: of('BootNotification').map((c) => c.params.reason),
    heartbeats: of('Heartbeat').length,
    firmwareStatus: of('FirmwareStatusNotification').map((c) => ({ at: c.at, status: c.params.status, requestId: c.params.requestId })),
    logStatus: of('LogStatusNotification').map((c) => ({ at: c.at, status: c.params.status, requestId: c.params.requestId })),
    securityEvents: of('SecurityEventNotification').map((c) => ({ at: c.at, type: c.params.type, techInfo: c.params.techInfo })),
    transactionEvents: of('TransactionEvent').map((c) => ({ at: c.at, eventType: c.params.eventType, seqNo: c.params.seqNo, triggerReason: c.params.triggerReason })),
    statusNotifications: of('StatusNotification').map((c) => ({ at: c.at, evseId: c.params.evseId, connectorStatus: c.params.connectorStatus })),
  };
}

let resetSent = false;
let finished = false;
function finish(): void {
  if (finished) return;
  finished = true;
  say(`summary ${JSON.stringify(summary(), null, 2)}`);
  void server.close({ code: 1001, reason: 'CSMS going away' }).finally(() => process.exit(0));
}

const server = new RPCServer({ protocols: ['ocpp2.0.1'], strictMode: true, callTimeoutMs: 30_000 });
server.auth((accept) => accept({}, 'ocpp2.0.1'));
server.on('client', (client: Station) => {
  const id = client.identity;
  say(`${id}: connected`);
  client.on('message', (...a: unknown[]) => {
    const { message, outbound } = a[0] as { message: string; outbound: boolean };
    const line: Line = { at: Number(((Date.now() - t0) / 1000).toFixed(3)), wall: Date.now(), dir: outbound ? 'out' : 'in', msg: JSON.parse(message) as unknown };
    lines.push(line);
    if (out !== '') appendFileSync(out, `${JSON.stringify(line)}\n`);
  });
  client.on('close', () => {
    say(`${id}: disconnected`);
    if (resetSent) finish();
  });

  const call = async (method: string, params: unknown): Promise<unknown> => {
    const r = await client.call(method, params);
    say(`${id}: ${method} ${JSON.stringify(params).slice(0, 160)} -> ${JSON.stringify(r)}`);
    return r;
  };
  let resetStarted = false;
  const resetNow = () => {
    if (resetStarted) return;
    resetStarted = true;
    void (async () => {
      await call('TriggerMessage', { requestedMessage: 'FirmwareStatusNotification' });
      await new Promise((r) => setTimeout(r, 500));
      resetSent = true;
      await call('Reset', { type: 'OnIdle' });
    })().catch((err: unknown) => say(`${id}: reset step failed: ${(err as Error).message}`));
  };
  const afterBoot = async () => {
    await new Promise((r) => setTimeout(r, 1000));
    const now = new Date().toISOString();
    await call('UpdateFirmware', { requestId: FIRMWARE_ID, firmware: { location: 'https://firmware.example/tsocpp-1.2.3.bin', retrieveDateTime: now, ...(signed ? SIGNING : {}) } });
    await call('GetLog', { requestId: LOG_ID, logType: 'DiagnosticsLog', log: { remoteLocation: 'https://logs.example/upload' } });
    await new Promise((r) => setTimeout(r, 2500));
    await call('TriggerMessage', { requestedMessage: 'FirmwareStatusNotification' });
    await call('TriggerMessage', { requestedMessage: 'LogStatusNotification' });
  };

  client.handle(({ method, params }) => {
    const p = params as Record<string, unknown>;
    say(`${id} -> ${String(method)} ${JSON.stringify(params).slice(0, 200)}`);
    switch (method) {
      case 'BootNotification':
        afterBoot().catch((err: unknown) => say(`${id}: after-boot step failed: ${(err as Error).message}`));
        return { status: 'Accepted', currentTime: csmsTime(), interval: heartbeatS };
      case 'Heartbeat':
        return { currentTime: csmsTime() };
      case 'FirmwareStatusNotification':
        if (resetWhen === 'installed' && p.status === 'Installed') setTimeout(resetNow, 500);
        return {};
      case 'TransactionEvent':
        if (resetWhen === 'started' && p.eventType === 'Started') setTimeout(resetNow, 500);
        return {};
      case 'Authorize':
        return { idTokenInfo: { status: 'Accepted' } };
      case 'DataTransfer':
        return { status: 'UnknownVendorId' };
      default:
        return {};
    }
  });
});

await server.listen(port, '127.0.0.1');
say(`life-cycle CSMS on ws://127.0.0.1:${port}/ocpp, heartbeat ${heartbeatS} s, clock offset ${clockOffsetMs / 1000} s, reset when ${resetWhen}`);
process.once('SIGINT', finish);
process.once('SIGTERM', finish);
