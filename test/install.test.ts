// npm run install-module: the installed module folder stands on its own, and a manager-style start of it
// (`node --unhandled-rejections=strict index.js` with EV_MODULE and the broker in the environment, as
// everest-framework's manager spawns a JavaScript module) answers get_variables.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type EmbeddedBroker } from '../src/embedded/broker.js';
import { ConfigService } from '../src/embedded/config-service.js';
import { loadManifest } from '../src/everest/manifest.js';
import { bundledInterfaces, bundledTypes } from '../src/schema/definitions.js';
import { silentLogger } from '../src/log.js';
import { Child } from './helpers/child.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXISTING_INTERFACE = '# the install\'s own ocpp interface\n';

let prefix: string;
let moduleDir: string;
let installOutput = '';
let installed = false;

test.before(() => {
  prefix = mkdtempSync(join(tmpdir(), 'tsocpp-install-'));
  moduleDir = join(prefix, 'libexec', 'everest', 'modules', 'TsOcpp');
  // An EVerest install ships its own interface files: the installer must leave them alone.
  mkdirSync(join(prefix, 'share', 'everest', 'interfaces'), { recursive: true });
  writeFileSync(join(prefix, 'share', 'everest', 'interfaces', 'ocpp.yaml'), EXISTING_INTERFACE);
});

test.after(() => {
  rmSync(prefix, { recursive: true, force: true });
});

// (In a test, not in before(): uvu shows a failing hook without its message.)
test('npm run install-module -- --prefix DIR succeeds', () => {
  // The way the README says, minus npm's own start-up: tsx runs tools/install-module.ts.
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'tools', 'install-module.ts'), '--prefix', prefix], {
    cwd: ROOT, encoding: 'utf8', timeout: 120_000,
  });
  installOutput = `${r.stdout}${r.stderr}`;
  assert.is(r.status, 0, `install-module failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`}):\n${installOutput}`);
  installed = true;
});

test('lays out the module folder the manager looks in', () => {
  assert.ok(installed, 'installed');
  for (const p of ['index.js', 'manifest.yaml', 'package.json', 'dist/main.js', 'interfaces/ocpp.yaml', 'interfaces/ocpp_data_transfer.yaml',
    'types/ocpp.yaml', 'interfaces/evse_manager.yaml', 'types/evse_manager.yaml', 'releases/2026.02.0/interfaces/evse_manager.yaml',
    'releases/2026.02.0/types/evse_manager.yaml', 'config/everest/embedded.yaml', 'node_modules/better-sqlite3/package.json', 'node_modules/mqtt/package.json']) {
    assert.ok(existsSync(join(moduleDir, p)), `${p} is installed`);
  }
  assert.ok(readdirSync(join(moduleDir, 'config', 'device_model')).some((f) => f.endsWith('.json')), 'device model component files');
  assert.ok(lstatSync(join(moduleDir, 'manifest.yaml')).isFile(), 'manifest.yaml is a file, not a link');
  assert.is(readFileSync(join(moduleDir, 'manifest.yaml'), 'utf8'), readFileSync(join(ROOT, 'manifest.yaml'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(moduleDir, 'package.json'), 'utf8')) as { type: string; dependencies: Record<string, string>; devDependencies?: unknown };
  const top = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  assert.is(pkg.type, 'module');
  assert.equal(pkg.dependencies, top.dependencies);
  assert.is(pkg.devDependencies, undefined);
  // (@types/node stays: mqtt's typings depend on it at run time.)
  for (const dev of ['typescript', 'tsx', 'uvu', 'fast-check']) {
    assert.ok(dev in top.devDependencies, `${dev} is a dev dependency`);
    assert.not.ok(existsSync(join(moduleDir, 'node_modules', dev)), `dev dependency ${dev} is not installed`);
  }
});

test('copies interface and type files into share/everest only where the install has none', () => {
  assert.ok(installed, 'installed');
  const share = join(prefix, 'share', 'everest');
  assert.is(readFileSync(join(share, 'interfaces', 'ocpp.yaml'), 'utf8'), EXISTING_INTERFACE);
  assert.is(readFileSync(join(share, 'interfaces', 'ocpp_data_transfer.yaml'), 'utf8'), readFileSync(join(ROOT, 'interfaces', 'ocpp_data_transfer.yaml'), 'utf8'));
  assert.is(readFileSync(join(share, 'types', 'ocpp.yaml'), 'utf8'), readFileSync(join(ROOT, 'types', 'ocpp.yaml'), 'utf8'));
  assert.match(installOutput, /kept the install's own .*interfaces[\\/]ocpp\.yaml/);
});

function runNode(args: string[], cwd: string, ms: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => p.kill('SIGKILL'), ms);
    p.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

test('started the way the manager starts it, the installed module answers get_variables', async () => {
  let broker: EmbeddedBroker | undefined;
  let configService: ConfigService | undefined;
  let mod: Child | undefined;
  // The manager does not change the working directory: run from elsewhere, with the database given absolute.
  assert.ok(installed, 'installed');
  const cwd = mkdtempSync(join(tmpdir(), 'tsocpp-install-cwd-'));
  try {
    broker = await startBroker({ port: 0 });
    configService = new ConfigService({
      brokerUrl: broker.url,
      prefix: 'everest/',
      dialect: 'v25',
      config: { active_modules: { ocpp: { module: 'TsOcpp', config_module: { device_model_db: join(prefix, 'data', 'device_model.db') } } } },
      manifests: { TsOcpp: loadManifest(join(moduleDir, 'manifest.yaml')) },
      interfaces: bundledInterfaces(),
      types: bundledTypes(),
      log: silentLogger(),
    });
    await configService.start();

    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    Object.assign(env, {
      EV_MODULE: 'ocpp',
      EV_PREFIX: prefix,
      EV_MQTT_EVEREST_PREFIX: 'everest/',
      EV_MQTT_EXTERNAL_PREFIX: '',
      EV_MQTT_BROKER_HOST: broker.host,
      EV_MQTT_BROKER_PORT: String(broker.port),
      TSOCPP_LOG_FORMAT: 'json',
    });
    mod = new Child(process.execPath, ['--unhandled-rejections=strict', join(moduleDir, 'index.js')], { cwd, env, tag: 'installed' });
    await mod.waitFor(/"msg":"global ready"/, { timeoutMs: 30_000 });
    assert.ok(existsSync(join(prefix, 'data', 'device_model.db')), 'the device model database is where the config says');

    // The installed CLI, against the same broker (not spawnSync: the broker lives in this process's event loop).
    const call = await runNode([join(moduleDir, 'dist', 'main.js'), 'call', 'ocpp', 'ocpp_generic', 'get_variables',
      JSON.stringify({ requests: [{ component_variable: { component: { name: 'ChargingStation' }, variable: { name: 'Model' } } }] }),
      '--broker', broker.url, '--timeout', '5000'], cwd, 20_000);
    assert.is(call.status, 0, `tsocpp call failed: ${call.stdout}${call.stderr}`);
    const results = JSON.parse(call.stdout) as Array<{ status: string; value?: string }>;
    assert.is(results.length, 1);
    assert.is(results[0]!.status, 'Accepted');
    assert.is(results[0]!.value, 'TsOcpp');

    // The manager stops modules with SIGTERM; the module exits 0.
    mod.kill('SIGTERM');
    assert.is((await mod.exited()).code, 0, `exit code after SIGTERM:\n${mod.lines.join('\n')}`);
    mod = undefined;
  } finally {
    if (mod) await mod.stop('SIGKILL');
    await configService?.stop();
    await broker?.close();
    rmSync(cwd, { recursive: true, force: true });
  }
});

test.run();
