// Token validation through TsOcpp (issue 17): an Auth module's validate_token on the bus, answered from the local
// authorization list, from the authorization cache, and by the CSMS (Authorize), p50/p99 of the round trip.
//
//   npx tsx bench/auth.bench.ts [--calls 500] [--quick]
//
// TsOcpp runs as users run it (node dist/main.js, else tsx) on its embedded default (aedes inside the module)
// with a CSMS link to a strict ocpp-rpc CSMS in this process. The caller is the CLI's bus client in this
// process (v25 wire format, QoS 2), one call at a time. Per case the device model is set over the bus first:
// csms: AuthCacheCtrlr and LocalAuthListCtrlr off, every call an Authorize; cache: AuthCtrlr.LocalPreAuthorize on
// and the token accepted once before; local list: the cache off, the token in a list the CSMS sent.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { TestCsms } from '../test/fixtures/csms/csms.js';
import { openCliBus } from '../src/cli/bus.js';
import { resolveBusSettings } from '../src/everest/settings.js';
import { silentLogger } from '../src/log.js';
import { spawnNode, tsocppLauncher, ROOT, type TsocppLauncher } from './lib/spawn.js';
import { loadAverage } from './lib/proc.js';
import { percentile, round } from './lib/stats.js';

export interface AuthBenchOptions {
  calls?: number;
  launcher?: TsocppLauncher;
  /** Broker port of the spawned TsOcpp. */
  port?: number;
}

const TOKEN = { provided_token: { id_token: { value: 'BENCH0001', type: 'ISO14443' }, authorization_type: 'RFID', connectors: [1] } };
const cv = (component: string, variable: string, value: string) => ({ component_variable: { component: { name: component }, variable: { name: variable } }, value });

export async function runAuthBench(o: AuthBenchOptions = {}): Promise<{ what: string; tsocpp: string; loadAverage: number[]; cases: Array<Record<string, number | string>> }> {
  const calls = o.calls ?? 500;
  const port = o.port ?? 19845;
  const launcher = o.launcher ?? tsocppLauncher();
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'auth-bench-'));
  let authorizes = 0;
  const csms = await new TestCsms({
    handlers: { Authorize: () => { authorizes++; return { idTokenInfo: { status: 'Accepted' } }; } },
  }).start();
  const tsocpp = spawnNode([...launcher.nodeArgs, '--port', String(port), '--csms-url', csms.url, '--station-id', 'BENCHAUTH',
    '--device_model_db', join(dir, 'device_model.db')], join(dir, 'tsocpp.log'));
  try {
    await tsocpp.waitForLine(/TsOcpp serving module/, 20_000);
    await csms.waitFor('BootNotification', 1, 20_000);
    const bus = await openCliBus({ ...resolveBusSettings({}, {}, { moduleId: 'ocpp', brokerUrl: `mqtt://127.0.0.1:${port}` }), dialect: 'v25' }, silentLogger());
    const caller = bus.callers[0]!;
    const set = (reqs: ReturnType<typeof cv>[]) => caller.call('ocpp', 'ocpp_generic', 'set_variables', { requests: reqs });
    const validate = () => caller.call('ocpp', 'auth_validator', 'validate_token', TOKEN);
    const measure = async (name: string): Promise<Record<string, number | string>> => {
      for (let i = 0; i < 50; i++) await validate();
      const before = authorizes;
      const ms: number[] = [];
      for (let i = 0; i < calls; i++) {
        const t0 = performance.now();
        const r = (await validate()) as { authorization_status?: string };
        ms.push(performance.now() - t0);
        if (r.authorization_status !== 'Accepted') throw new Error(`${name}: answered ${String(r.authorization_status)}`);
      }
      ms.sort((a, b) => a - b);
      return { case: name, calls, p50Ms: round(percentile(ms, 0.5), 3), p99Ms: round(percentile(ms, 0.99), 3), authorizeSent: authorizes - before };
    };
    try {
      const cases: Array<Record<string, number | string>> = [];
      await set([cv('AuthCacheCtrlr', 'Enabled', 'false'), cv('LocalAuthListCtrlr', 'Enabled', 'false'), cv('AuthCtrlr', 'LocalPreAuthorize', 'false')]);
      cases.push(await measure('validate_token answered by the CSMS (Authorize each call)'));
      await set([cv('AuthCacheCtrlr', 'Enabled', 'true'), cv('AuthCtrlr', 'LocalPreAuthorize', 'true')]);
      cases.push(await measure('validate_token answered from the authorization cache'));
      await set([cv('AuthCacheCtrlr', 'Enabled', 'false'), cv('LocalAuthListCtrlr', 'Enabled', 'true')]);
      await csms.call('SendLocalList', {
        versionNumber: 1, updateType: 'Full',
        localAuthorizationList: [{ idToken: { idToken: 'BENCH0001', type: 'ISO14443' }, idTokenInfo: { status: 'Accepted' } }],
      });
      cases.push(await measure('validate_token answered from the local authorization list'));
      return {
        what: 'validate_token round trip on the bus (one call at a time, QoS 2, embedded aedes), strict ocpp-rpc CSMS on loopback',
        tsocpp: `${launcher.kind}${launcher.note ? ` (${launcher.note})` : ''}`,
        loadAverage: loadAverage(),
        cases,
      };
    } finally {
      await bus.close();
    }
  } finally {
    await tsocpp.stop();
    await csms.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--calls');
  const calls = i >= 0 ? Number(args[i + 1]) : args.includes('--quick') ? 100 : undefined;
  runAuthBench(calls !== undefined ? { calls } : {}).then(
    (r) => { process.stdout.write(`${JSON.stringify(r, null, 2)}\n`); process.exit(0); },
    (err: unknown) => { process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`); process.exit(1); },
  );
}
