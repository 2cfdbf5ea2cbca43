// The durable outbox's bound (issue 16 item 5, outbox_max_entries): past it the oldest non-transactional entries
// go first, then every second TransactionEvent Updated, and transactional entries are kept above the bound
// (libocpp message_queue.hpp check_queue_sizes); each drop is logged, rate-limited; the drops commit with the
// insert. Without a CSMS link nothing is queued: a burst of critical events on the embedded default leaves
// the outbox empty and the security log at its bound.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { DeviceModelRepository } from '../src/device-model/repository.js';
import type { OutboxPayload } from '../src/device-model/types.js';
import { BoundedOutbox } from '../src/ocpp/outbox.js';
import { OcppService } from '../src/ocpp/service.js';
import { NEWEST_DIALECT } from '../src/everest/dialect.js';
import { captureLogger, tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { FrameworkCaller, replyError } from './helpers/framework-caller.js';
import { spawnModule, stopModule } from './helpers/module-process.js';
import { freePort } from './helpers/mosquitto.js';

let db: TempDb;
test.before.each(() => { db = tempDb(); });
test.after.each(() => { db.cleanup(); });

const FIXED = (): Date => new Date(Date.UTC(2025, 0, 1, 12, 0, 0));

interface LogRec { level: number; msg: string; dropped?: Record<string, number>; over?: number; kept_in_outbox?: number }
const records = (lines: string[]): LogRec[] => lines.map((l) => JSON.parse(l) as LogRec);
const warnings = (lines: string[]): LogRec[] => records(lines).filter((r) => r.level === 40);

test('past outbox_max_entries the oldest security events go first, in one transaction with the insert, and the log says so', () => {
  const cap = captureLogger();
  const service = OcppService.open({ dbPath: db.path, evseCount: 1, connectorsPerEvse: 1, outboxMaxEntries: 100, log: cap.log, now: FIXED });
  try {
    for (let i = 1; i <= 150; i++) service.securityEvent({ type: 'TamperDetectionActivated', info: `t${i}` });
    // Drops go a tenth of the bound at a time (libocpp drop_messages_from_normal_message_queue): at the 101st,
    // 111th ... 141st insert, ten each.
    assert.is(service.outbox.size(), 100);
    assert.equal(service.outbox.pending(1000).map((e) => e.kind === 'SecurityEventNotification' ? e.payload.tech_info : ''),
      Array.from({ length: 100 }, (_, i) => `t${i + 51}`));
    // Rate-limited: the first drop is logged at once; the rest of the flood is held for the next line.
    const first = warnings(cap.lines);
    assert.is(first.length, 1);
    assert.equal(first[0]?.dropped, { SecurityEventNotification: 10 });
    assert.match(first[0]?.msg ?? '', /outbox full \(outbox_max_entries 100\): dropped the oldest 10 SecurityEventNotification/);
  } finally {
    service.close();
  }
  // Never silently: what was held back is logged at close at the latest.
  const all = warnings(cap.lines);
  assert.is(all.length, 2);
  assert.equal(all[1]?.dropped, { SecurityEventNotification: 40 });
  // The security log is bounded on its own and keeps every event.
  const raw = new Database(db.path, { readonly: true });
  try {
    assert.is(raw.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM security_log').get()?.n, 150);
    assert.is(raw.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox').get()?.n, 100);
  } finally {
    raw.close();
  }
});

// TransactionEvent entries through the repository and the outbox directly (nothing produces them yet).
function openRepo(): DeviceModelRepository {
  return DeviceModelRepository.open(db.path, [], captureLogger().log).repo;
}
const te = (eventType: 'Started' | 'Updated' | 'Ended', seqNo: number): OutboxPayload<'TransactionEvent'> =>
  ({ eventType, seqNo, transactionInfo: { transactionId: 'tx1' } });
const sen = (n: number): OutboxPayload<'SecurityEventNotification'> => ({ type: 'ResetOrReboot', timestamp: 'x', tech_info: `s${n}` });
const describe = (repo: DeviceModelRepository): string[] => repo.pendingOutbox(1000).map((e) =>
  e.kind === 'TransactionEvent' ? `${String(e.payload.eventType)}${String(e.payload.seqNo)}` : (e.payload.tech_info as string | undefined) ?? '');

test('non-transactional entries go before transactional ones; then every second TransactionEvent Updated, never Started, Ended or the newest Updated', () => {
  const repo = openRepo();
  const cap = captureLogger();
  const outbox = new BoundedOutbox({ maxEntries: 10, log: cap.log, now: FIXED, warnIntervalMs: 0 });
  try {
    const add = (f: () => void): void => repo.transaction(f);
    for (let i = 1; i <= 3; i++) add(() => outbox.append(repo, 'SecurityEventNotification', sen(i), 'x'));
    add(() => outbox.append(repo, 'TransactionEvent', te('Started', 0), 'x'));
    for (let s = 1; s <= 8; s++) add(() => outbox.append(repo, 'TransactionEvent', te('Updated', s), 'x'));
    add(() => outbox.append(repo, 'TransactionEvent', te('Ended', 9), 'x'));
    assert.equal(describe(repo), ['Started0', 'Updated1', 'Updated2', 'Updated3', 'Updated4', 'Updated5', 'Updated6', 'Updated7', 'Updated8', 'Ended9']);
    assert.equal(warnings(cap.lines).map((w) => w.dropped), [{ SecurityEventNotification: 1 }, { SecurityEventNotification: 1 }, { SecurityEventNotification: 1 }]);
    // Full of transactional entries: the next one thins the Updated ones (libocpp
    // drop_update_messages_from_transactional_message_queue).
    add(() => outbox.append(repo, 'TransactionEvent', te('Updated', 10), 'x'));
    assert.equal(describe(repo), ['Started0', 'Updated2', 'Updated4', 'Updated6', 'Updated8', 'Ended9', 'Updated10']);
    const last = warnings(cap.lines).at(-1);
    assert.equal(last?.dropped, { TransactionEvent: 4 });
    assert.match(last?.msg ?? '', /dropped 4 TransactionEvent Updated \(every second one\) not yet delivered/);
  } finally {
    repo.close();
  }
});

test('full of transactional entries that cannot be thinned: kept above the bound, and the log says so', () => {
  const repo = openRepo();
  const cap = captureLogger();
  const outbox = new BoundedOutbox({ maxEntries: 4, log: cap.log, now: FIXED, warnIntervalMs: 0 });
  try {
    for (let i = 0; i < 6; i++) repo.transaction(() => outbox.append(repo, 'TransactionEvent', te(i % 2 === 0 ? 'Started' : 'Ended', i), 'x'));
    assert.equal(describe(repo), ['Started0', 'Ended1', 'Started2', 'Ended3', 'Started4', 'Ended5']);
    const w = warnings(cap.lines);
    assert.equal(w.map((r) => r.over), [1, 2]);
    assert.match(w[1]?.msg ?? '', /outbox full \(outbox_max_entries 4\) of transactional entries: kept 2 above the bound/);
  } finally {
    repo.close();
  }
});

test('the drops commit with the insert: a transaction that fails takes back both', () => {
  const repo = openRepo();
  const outbox = new BoundedOutbox({ maxEntries: 3, log: captureLogger().log, now: FIXED });
  try {
    for (let i = 1; i <= 3; i++) repo.transaction(() => outbox.append(repo, 'SecurityEventNotification', sen(i), 'x'));
    try {
      repo.transaction(() => {
        outbox.append(repo, 'SecurityEventNotification', sen(4), 'x');
        throw new Error('the change the entry records failed');
      });
      assert.unreachable();
    } catch (err) {
      assert.match((err as Error).message, /failed/);
    }
    assert.equal(describe(repo), ['s1', 's2', 's3']);
  } finally {
    repo.close();
  }
});

test('without a CSMS link nothing is queued; what an earlier CSMS link left in the outbox stays, and start-up says so', () => {
  const first = OcppService.open({ dbPath: db.path, evseCount: 1, connectorsPerEvse: 1, now: FIXED });
  first.securityEvent({ type: 'FirmwareUpdated', info: 'queued for the CSMS' });
  first.close();
  const cap = captureLogger();
  const service = OcppService.open({ dbPath: db.path, evseCount: 1, connectorsPerEvse: 1, now: FIXED, queueForCsms: false, log: cap.log });
  try {
    service.securityEvent({ type: 'TamperDetectionActivated', info: 'only in the security log' });
    assert.equal(service.securityLog().map((e) => e.info), ['queued for the CSMS', 'only in the security log']);
    assert.equal(service.outbox.pending().map((e) => e.kind === 'SecurityEventNotification' ? e.payload.tech_info : ''), ['queued for the CSMS']);
    const said = records(cap.lines).filter((r) => /kept only in the security log/.test(r.msg));
    assert.is(said.length, 1);
    assert.is(said[0]?.kept_in_outbox, 1);
  } finally {
    service.close();
  }
});

test('a burst of 20,000 critical events on the embedded default without csms_url: outbox empty, security log at its bound', async () => {
  const port = await freePort();
  const dbPath = join(db.dir, 'device_model.db');
  const m = spawnModule(['--port', String(port), '--device-model-db', dbPath]);
  let caller: FrameworkCaller | undefined;
  try {
    await m.waitFor(/TsOcpp serving module/);
    assert.ok(m.lines.some((l) => /kept only in the security log/.test(l)), 'start-up says where critical events go');
    caller = await FrameworkCaller.connect(`mqtt://127.0.0.1:${port}`, 'everest/', NEWEST_DIALECT);
    const N = 20_000;
    await caller.call('ocpp', 'ocpp_generic', 'security_event', { type: 'TamperDetectionActivated', info: 'first' });
    let sent = 1;
    const problems: string[] = [];
    // A window of calls in flight keeps the module busy without queueing the whole burst at the broker.
    const worker = async (): Promise<void> => {
      while (sent < N) {
        const i = sent++;
        const r = await caller!.call('ocpp', 'ocpp_generic', 'security_event', { type: i % 2 === 0 ? 'TamperDetectionActivated' : 'MemoryExhaustion', info: `b${i}` }, { timeoutMs: 30_000 });
        const e = replyError(r);
        if (e) problems.push(`${i}: ${e.type}: ${e.msg}`);
      }
    };
    await Promise.all(Array.from({ length: 100 }, worker));
    assert.equal(problems.slice(0, 5), []);
  } finally {
    await caller?.close();
    await stopModule(m);
  }
  const raw = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    assert.is(raw.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox').get()?.n, 0);
    assert.is(raw.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM security_log').get()?.n, 10_000);
    // The newest are kept (calls overtake each other a little in a window of 100).
    assert.ok(raw.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM security_log WHERE info = ?').get('b19999')?.n === 1);
  } finally {
    raw.close();
  }
});

test.run();
