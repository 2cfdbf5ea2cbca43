// What a life-cycle run showed (README "Life cycle under a real manager (issue 20)"): reads OUT/csms.jsonl
// (lifecycle-csms.ts) and OUT/pysystem.jsonl (PySystem) and prints each check with its figures, one line each,
// then the OCPP messages and the system calls in one timeline (ms from the BootNotification).
//
//   node --import tsx bench/everest/lifecycle-check.ts OUT
import { readFileSync } from 'node:fs';

interface CsmsLine { at: number; wall: number; dir: 'in' | 'out'; msg: unknown[] }
interface SysLine { wall: number; kind: string; cmd?: string; var?: string; args?: Record<string, unknown>; value?: Record<string, unknown>; result?: unknown }

const dir = process.argv[2] ?? '.';
const jsonl = <T>(f: string): T[] => readFileSync(`${dir}/${f}`, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
const csms = jsonl<CsmsLine>('csms.jsonl');
const sys = jsonl<SysLine>('pysystem.jsonl').map((l) => ({ ...l, wall: Math.round(l.wall * 1000) }));

// CALLs the station sent, with the CSMS's answer time; CALLs the CSMS sent, with the station's answer.
const byId = new Map(csms.filter((l) => l.msg[0] !== 2).map((l) => [l.msg[1] as string, l]));
const calls = csms.filter((l) => l.msg[0] === 2).map((l) => ({
  wall: l.wall, dir: l.dir, action: l.msg[2] as string, params: l.msg[3] as Record<string, unknown>,
  answer: byId.get(l.msg[1] as string),
}));
const fromStation = (action: string) => calls.filter((c) => c.dir === 'in' && c.action === action);
const boot = fromStation('BootNotification')[0];
const t0 = boot?.wall ?? csms[0]?.wall ?? 0;
const ms = (w: number) => `${w - t0} ms`;
const cmds = (cmd: string) => sys.filter((l) => l.kind === 'cmd' && l.cmd === cmd);
const vars = (v: string) => sys.filter((l) => l.kind === 'var' && l.var === v);
let failed = 0;
const check = (ok: boolean, what: string, figures: string) => {
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${figures}`);
};

const reason = cmds('get_boot_reason')[0];
check(boot !== undefined && reason !== undefined && boot.params.reason === reason.result,
  'BootNotification reason is get_boot_reason',
  `get_boot_reason -> ${String(reason?.result)} at ${reason ? ms(reason.wall) : '-'}, BootNotification reason ${String(boot?.params.reason)}`);

// Every firmware/log status PySystem published reaches the CSMS in order, with its request id.
for (const [v, key, action] of [['firmware_update_status', 'firmware_update_status', 'FirmwareStatusNotification'], ['log_status', 'log_status', 'LogStatusNotification']] as const) {
  const published = vars(v).map((l) => ({ wall: l.wall, status: l.value?.[key] as string, requestId: l.value?.request_id as number }));
  const got = fromStation(action).map((c) => ({ wall: c.wall, status: c.params.status as string, requestId: c.params.requestId as number | undefined }));
  let i = 0;
  const delays: number[] = [];
  for (const g of got) {
    const p = published[i];
    if (p && g.status === p.status && g.requestId === p.requestId) {
      delays.push(g.wall - p.wall);
      i++;
    }
  }
  check(i === published.length, `${action} for every ${v}, in order, with the requestId`,
    `published ${published.map((p) => `${p.status}/${p.requestId}`).join(' ')}; CSMS got ${got.map((g) => `${g.status}/${g.requestId ?? '-'}`).join(' ')}; var -> CSMS ${delays.join(', ')} ms`);
}

const allow = cmds('allow_firmware_installation')[0];
const ended = fromStation('TransactionEvent').find((c) => c.params.eventType === 'Ended');
const downloaded = vars('firmware_update_status').find((l) => l.value?.firmware_update_status === 'Downloaded' || l.value?.firmware_update_status === 'SignatureVerified');
if (allow) {
  console.log(`info allow_firmware_installation at ${ms(allow.wall)}; ready to install (Downloaded/SignatureVerified) at ${downloaded ? ms(downloaded.wall) : '-'}; TransactionEvent Ended at ${ended ? ms(ended.wall) : '-'}`);
}

// set_system_time: after the BootNotification answer and after each Heartbeat answer.
const answered = [...fromStation('BootNotification'), ...fromStation('Heartbeat')].filter((c) => c.answer).map((c) => ({ action: c.action, wall: c.answer!.wall, time: (c.answer!.msg[2] as { currentTime: string }).currentTime }));
const times = cmds('set_system_time');
const matched = answered.map((a) => ({ a, s: times.find((t) => t.wall >= a.wall - 5 && typeof t.args?.timestamp === 'string' && Math.abs(Date.parse(t.args.timestamp) - Date.parse(a.time)) < 1000) }));
check(matched.length > 0 && matched.every((m) => m.s !== undefined), 'set_system_time after the BootNotification and every Heartbeat answer',
  `${matched.length} answers (${fromStation('Heartbeat').length} Heartbeats), answer -> set_system_time ${matched.map((m) => (m.s ? `${m.a.action[0]}${m.s.wall - m.a.wall}` : `${m.a.action[0]}none`)).join(' ')} ms`);

const reset = calls.find((c) => c.dir === 'out' && c.action === 'Reset');
const resetCmd = cmds('reset')[0];
const allowed = cmds('is_reset_allowed')[0];
const resetStatus = (reset?.answer?.msg[2] as { status?: string } | undefined)?.status;
check(reset !== undefined && resetCmd !== undefined, 'Reset reaches system.reset',
  `Reset ${String(reset?.params.type)} -> ${String(resetStatus)} at ${reset?.answer ? ms(reset.answer.wall) : '-'}; is_reset_allowed at ${allowed ? ms(allowed.wall) : '-'}; reset ${JSON.stringify(resetCmd?.args)} at ${resetCmd ? ms(resetCmd.wall) : '-'}${ended ? `; TransactionEvent Ended at ${ms(ended.wall)}` : ''}`);

console.log('\ntimeline (ms from the BootNotification; > station to CSMS, < CSMS to station, * a system call or var):');
const events = [
  ...calls.map((c) => ({ wall: c.wall, text: `${c.dir === 'in' ? '>' : '<'} ${c.action} ${JSON.stringify(c.params).slice(0, 110)}${c.answer ? ` = ${JSON.stringify(c.answer.msg[2]).slice(0, 60)}` : ''}` })),
  ...sys.filter((l) => l.kind === 'cmd' || l.kind === 'var').map((l) => ({ wall: l.wall, text: `* ${l.kind === 'cmd' ? `${String(l.cmd)} ${JSON.stringify(l.args).slice(0, 90)} -> ${JSON.stringify(l.result)}` : `${String(l.var)} ${JSON.stringify(l.value)}`}` })),
].sort((a, b) => a.wall - b.wall);
for (const e of events) console.log(`${String(e.wall - t0).padStart(7)} ${e.text}`);
process.exit(failed === 0 ? 0 : 1);
