// A strict ocpp-rpc CSMS for the session runs under a real manager (README "Sessions under a real manager").
//
//   npx tsx bench/everest/session-csms.ts --port 19901 [--interval-s 2] [--out FILE] [--toggle-availability]
//     [--invalid-tokens A,B] [--remote-start TOKEN]
//
// It accepts every station, answers every call with the smallest valid answer, and once BootNotification is
// accepted sets SampledDataCtrlr.TxUpdatedInterval to --interval-s (default 2) so a short session carries
// periodic meter values; with --toggle-availability it then sends ChangeAvailability Inoperative and, 0.5 s
// later, Operative for EVSE 1 (the station disables and enables its evse_manager). Each TransactionEvent is printed as one line (receipt time, eventType, seqNo,
// triggerReason, transactionId, chargingState, meter values); on SIGINT/SIGTERM, or --out, it writes a
// summary: per transactionId the seqNos, whether they are contiguous from 0, and Started..Ended in order.
// Authorize is answered Invalid for the --invalid-tokens, Accepted for any other token, and logged with its token
// (test tokens only). --remote-start TOKEN sends RequestStartTransaction for EVSE 1 after the SetVariables.
// strictMode: every message both ways is validated against the OCPP 2.0.1 schemas.
import { writeFileSync } from 'node:fs';
import { RPCServer, type IHandlersOption } from '../../src/csms/rpc.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : undefined) ?? fallback;
}

const port = Number(flag('port', '19901'));
const intervalS = flag('interval-s', '2');
const out = flag('out', '');
const toggleAvailability = process.argv.includes('--toggle-availability');
const invalidTokens = new Set(flag('invalid-tokens', '').split(',').filter((t) => t !== ''));
const remoteStart = flag('remote-start', '');

type Station = {
  identity: string;
  call(method: string, params?: unknown): Promise<unknown>;
  handle(fn: (o: IHandlersOption) => unknown): void;
  on(ev: string, fn: (...a: unknown[]) => void): void;
};
interface SampledValue { value: number; context?: string; measurand?: string }
interface TxEvent {
  eventType: string; seqNo: number; triggerReason: string; timestamp: string; offline?: boolean;
  transactionInfo: { transactionId: string; chargingState?: string; stoppedReason?: string };
  meterValue?: Array<{ sampledValue: SampledValue[] }>;
}
interface Seen { at: string; eventType: string; seqNo: number; triggerReason: string; chargingState?: string; stoppedReason?: string; meter: string[] }

const t0 = Date.now();
const time = () => `${new Date().toISOString().slice(11, 23)} +${((Date.now() - t0) / 1000).toFixed(3)}s`;
const received = new Map<string, Seen[]>();

function meterText(tx: TxEvent): string[] {
  return (tx.meterValue ?? []).flatMap((m) => m.sampledValue.map((s) => `${s.measurand ?? 'Energy.Active.Import.Register'}=${s.value}(${s.context ?? 'Sample.Periodic'})`));
}

function summary(): unknown {
  return [...received.entries()].map(([transactionId, events]) => {
    const seqNos = events.map((e) => e.seqNo);
    const contiguous = seqNos.every((n, i) => n === i);
    const types = events.map((e) => e.eventType);
    const ordered = types[0] === 'Started' && types.at(-1) === 'Ended' && types.slice(1, -1).every((t) => t === 'Updated');
    return { transactionId, count: events.length, seqNos, contiguous, startedUpdatedEnded: ordered, events };
  });
}

const server = new RPCServer({ protocols: ['ocpp2.0.1'], strictMode: true, callTimeoutMs: 30_000 });
server.auth((accept) => accept({}, 'ocpp2.0.1'));
server.on('client', (client: Station) => {
  const id = client.identity;
  console.log(`${time()} ${id}: connected`);
  client.on('close', () => console.log(`${time()} ${id}: disconnected`));
  client.handle(({ method, params }) => {
    const now = new Date().toISOString();
    if (method === 'TransactionEvent') {
      const tx = params as TxEvent;
      const seen: Seen = {
        at: time(), eventType: tx.eventType, seqNo: tx.seqNo, triggerReason: tx.triggerReason,
        chargingState: tx.transactionInfo.chargingState, stoppedReason: tx.transactionInfo.stoppedReason, meter: meterText(tx),
      };
      const list = received.get(tx.transactionInfo.transactionId) ?? [];
      list.push(seen);
      received.set(tx.transactionInfo.transactionId, list);
      console.log(`${seen.at} ${id} -> TransactionEvent ${tx.eventType} seqNo=${tx.seqNo} trigger=${tx.triggerReason} tx=${tx.transactionInfo.transactionId} state=${tx.transactionInfo.chargingState ?? '-'}${tx.transactionInfo.stoppedReason ? ` stopped=${tx.transactionInfo.stoppedReason}` : ''}${tx.offline ? ' offline' : ''} meter=[${seen.meter.join(' ')}]`);
      return {};
    }
    if (method === 'Authorize') {
      const token = (params as { idToken: { idToken: string; type: string } }).idToken;
      const status = invalidTokens.has(token.idToken) ? 'Invalid' : 'Accepted';
      console.log(`${time()} ${id} -> Authorize ${token.idToken} (${token.type}) <- ${status}`);
      return { idTokenInfo: { status } };
    }
    console.log(`${time()} ${id} -> ${String(method)}${method === 'StatusNotification' ? ` ${JSON.stringify(params)}` : ''}`);
    switch (method) {
      case 'BootNotification':
        setTimeout(() => {
          client.call('SetVariables', { setVariableData: [{ component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' }, attributeValue: intervalS }] })
            .then(async (r) => {
              console.log(`${time()} ${id}: SetVariables TxUpdatedInterval=${intervalS} -> ${JSON.stringify(r)}`);
              if (remoteStart !== '') {
                const rs = await client.call('RequestStartTransaction', { idToken: { idToken: remoteStart, type: 'ISO14443' }, remoteStartId: 1, evseId: 1 });
                console.log(`${time()} ${id}: RequestStartTransaction ${remoteStart} EVSE 1 -> ${JSON.stringify(rs)}`);
              }
              if (!toggleAvailability) return;
              for (const operationalStatus of ['Inoperative', 'Operative']) {
                const a = await client.call('ChangeAvailability', { operationalStatus, evse: { id: 1 } });
                console.log(`${time()} ${id}: ChangeAvailability EVSE 1 ${operationalStatus} -> ${JSON.stringify(a)}`);
                await new Promise((resolve) => setTimeout(resolve, 500));
              }
            })
            .catch((err: unknown) => console.log(`${time()} ${id}: SetVariables failed: ${(err as Error).message}`));
        }, 100);
        return { status: 'Accepted', currentTime: now, interval: 300 };
      case 'Heartbeat':
        return { currentTime: now };
      case 'DataTransfer':
        return { status: 'UnknownVendorId' };
      default:
        return {};
    }
  });
});

await server.listen(port, '127.0.0.1');
console.log(`${time()} session CSMS on ws://127.0.0.1:${port}/ocpp, TxUpdatedInterval ${intervalS} s`);

const stop = () => {
  const text = JSON.stringify(summary(), null, 2);
  if (out !== '') writeFileSync(out, `${text}\n`);
  console.log(`${time()} summary ${text}`);
  void server.close({ code: 1001, reason: 'CSMS going away' }).finally(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
