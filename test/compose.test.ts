// docker-compose.yml, the Dockerfile, docker/ and the example EVerest configs in config/everest/.
// With the docker compose plugin installed, `docker compose config -q` checks the file for both profiles;
// without it (no Docker engine here either) the YAML is read and its services checked by hand.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { loadManifest } from '../src/everest/manifest.js';
import { skip } from './helpers/skip.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Service {
  image?: string;
  build?: unknown;
  profiles?: string[];
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  restart?: string;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as Compose;
const services = compose.services;
const defaultServices = Object.keys(services).filter((n) => !services[n]!.profiles);
const everestServices = Object.keys(services).filter((n) => services[n]!.profiles?.includes('everest'));

function composePlugin(): boolean {
  const r = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  return r.status === 0;
}

test('docker compose config -q accepts the file in both profiles (when the compose plugin is installed)', () => {
  // The YAML tests below still check the file by hand; this one did not run.
  if (!composePlugin()) return skip('docker compose config -q', 'the docker compose plugin is not installed');
  for (const args of [['compose', 'config', '-q'], ['compose', '--profile', 'everest', 'config', '-q']]) {
    const r = spawnSync('docker', args, { cwd: ROOT, encoding: 'utf8' });
    assert.is(r.status, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  }
});

test('default profile: mosquitto and TsOcpp, which runs without a manager', () => {
  assert.equal(defaultServices.sort(), ['mosquitto', 'tsocpp']);
  const t = services.tsocpp!;
  assert.ok(t.build, 'tsocpp is built from the Dockerfile');
  // Not --module: on its embedded default the embedded config service answers the handshake.
  assert.not.ok(t.command?.includes('--module'));
  assert.ok(t.command?.join(' ').includes('--broker mqtt://mosquitto:1883'));
  assert.is(t.depends_on?.mosquitto?.condition, 'service_healthy');
});

test('everest profile: a broker of its own, the everest-demo manager, TsOcpp standalone as module ocpp', () => {
  assert.equal(everestServices.sort(), ['everest-manager', 'everest-mqtt', 'tsocpp-everest']);
  const m = services['everest-manager']!;
  assert.match(m.image ?? '', /^ghcr\.io\/everest\/everest-demo\/manager:/);
  assert.is(m.environment?.MQTT_SERVER_ADDRESS, 'everest-mqtt');
  const config = m.entrypoint?.[m.entrypoint.indexOf('--config') + 1];
  const configMount = m.volumes?.find((v) => v.split(':')[1] === config);
  assert.ok(configMount, `the manager's --config ${config} is mounted`);
  assert.ok(m.volumes?.some((v) => v.startsWith('./manifest.yaml:') && v.includes('/libexec/everest/modules/TsOcpp/manifest.yaml')),
    "TsOcpp's manifest is in the manager's modules dir");

  const everestConfig = parse(readFileSync(join(ROOT, configMount.split(':')[0]!), 'utf8')) as { active_modules: Record<string, { module: string; standalone?: boolean }> };
  const t = services['tsocpp-everest']!;
  const moduleId = t.command?.[t.command.indexOf('--module') + 1];
  assert.is(moduleId, 'ocpp');
  assert.equal(everestConfig.active_modules[moduleId!], { ...everestConfig.active_modules[moduleId!], module: 'TsOcpp', standalone: true });
  assert.ok(t.command?.join(' ').includes('--mqtt_broker_host everest-mqtt'));
  assert.is(services['everest-mqtt']!.ports?.[0], '127.0.0.1:1884:1883', 'its own host port, apart from the default stack');
});

test('the anonymous brokers are published on the loopback interface only (issue 20 item 7)', () => {
  for (const [name, s] of Object.entries(services)) {
    for (const p of s.ports ?? []) assert.match(p, /^127\.0\.0\.1:\d+:\d+$/, `${name}: ${p} is reachable from other hosts`);
  }
});

test('every service restarts on failure; brokers and TsOcpp have healthchecks', () => {
  for (const [name, s] of Object.entries(services)) {
    assert.ok(s.restart === 'unless-stopped' || s.restart === 'always' || s.restart === 'on-failure', `${name}: restart policy`);
  }
  for (const name of ['mosquitto', 'everest-mqtt']) {
    assert.ok(services[name]!.healthcheck?.test.includes('mosquitto_sub'), `${name}: mosquitto_sub healthcheck`);
  }
  for (const name of ['tsocpp', 'tsocpp-everest']) {
    const h = services[name]!.healthcheck?.test.join(' ') ?? '';
    assert.match(h, /node dist\/main\.js call ocpp ocpp_generic get_variables .* --timeout \d+/, `${name}: healthcheck calls the module`);
  }
});

test('the SQLite data is on named volumes under /data', () => {
  for (const name of ['tsocpp', 'tsocpp-everest']) {
    const mount = services[name]!.volumes?.find((v) => v.endsWith(':/data'));
    assert.ok(mount, `${name} mounts /data`);
    const volume = mount.split(':')[0]!;
    assert.ok(compose.volumes && volume in compose.volumes, `${name}: ${volume} is a named volume`);
  }
  assert.ok(services.tsocpp!.command?.join(' ').includes('--device-model-db /data/'));
});

test('bind-mounted files exist; mosquitto.conf has a listener, anonymous access, nodelay and the inflight limit', () => {
  for (const [name, s] of Object.entries(services)) {
    for (const v of s.volumes ?? []) {
      const src = v.split(':')[0]!;
      if (src.startsWith('.')) assert.ok(existsSync(join(ROOT, src)), `${name}: ${src} exists`);
    }
  }
  const conf = readFileSync(join(ROOT, 'docker', 'mosquitto.conf'), 'utf8').split('\n').map((l) => l.trim());
  assert.ok(conf.some((l) => /^listener 1883\b/.test(l)));
  assert.ok(conf.includes('allow_anonymous true'));
  assert.ok(conf.includes('set_tcp_nodelay true'));
  assert.ok(conf.includes('max_inflight_messages 20'));
});

test('Dockerfile: Node 20, npm ci, npm run build, runs dist/main.js standalone against a manager', () => {
  const d = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  assert.match(d, /^FROM node:20[\w.-]*/m);
  assert.match(d, /RUN npm ci\b/);
  assert.match(d, /npm run build/);
  assert.match(d, /npm prune --omit=dev/);
  assert.match(d, /ENTRYPOINT \["node", "dist\/main\.js"\]/);
  assert.match(d, /CMD \["--module", "ocpp", "--mqtt_broker_host", "mosquitto"/);
  const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
  for (const p of ['node_modules', 'dist', '.git']) assert.ok(ignore.includes(p), `.dockerignore has ${p}`);
});

// The example configs and the compose config name only config keys that manifest.yaml declares, and
// quote the broker host (framework v0.20 reads a bare 127.0.0.1 as a number).
const EVEREST_CONFIGS = ['config/everest/tsocpp-standalone.yaml', 'config/everest/tsocpp-spawned.yaml', 'docker/everest/config-tsocpp-sil.yaml'];

test('EVerest configs: TsOcpp entries use declared config keys; examples give every key and a quoted host', () => {
  const manifest = loadManifest(join(ROOT, 'manifest.yaml'));
  const declared = Object.keys(manifest.config).sort();
  for (const file of EVEREST_CONFIGS) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const config = parse(text) as { settings?: Record<string, unknown>; active_modules: Record<string, { module: string; standalone?: boolean; config_module?: Record<string, unknown> }> };
    const entries = Object.entries(config.active_modules).filter(([, m]) => m.module === 'TsOcpp');
    assert.is(entries.length, 1, `${file}: one TsOcpp entry`);
    const [id, entry] = entries[0]!;
    assert.is(id, 'ocpp', `${file}: module id ocpp`);
    for (const key of Object.keys(entry.config_module ?? {})) assert.ok(declared.includes(key), `${file}: ${key} is declared in manifest.yaml`);
    if (file.startsWith('config/')) {
      assert.equal(Object.keys(entry.config_module ?? {}).sort(), declared, `${file}: every manifest key`);
      assert.is(typeof config.settings?.mqtt_broker_host, 'string');
      assert.match(text, /mqtt_broker_host: "[^"]+"/, `${file}: quoted broker host`);
    }
  }
  const standalone = parse(readFileSync(join(ROOT, EVEREST_CONFIGS[0]!), 'utf8')) as { active_modules: { ocpp: { standalone?: boolean } } };
  const spawned = parse(readFileSync(join(ROOT, EVEREST_CONFIGS[1]!), 'utf8')) as { active_modules: { ocpp: { standalone?: boolean } } };
  assert.is(standalone.active_modules.ocpp.standalone, true);
  assert.is(spawned.active_modules.ocpp.standalone, undefined);
});

test.run();
