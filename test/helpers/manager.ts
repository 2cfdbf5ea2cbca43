// A manager stand-in for tests: the embedded config service in the test process, speaking one dialect,
// with the module under test spawned as a real process that finds out the dialect on its own.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigService } from '../../src/embedded/config-service.js';
import type { EverestConfig } from '../../src/embedded/everest-config.js';
import type { DialectName } from '../../src/everest/dialect.js';
import { loadInterfaceFile, projectRoot } from '../../src/schema/definitions.js';
import { managerDefinitions, NEWEST_RELEASE, type BundledRelease } from '../../src/schema/releases.js';
import { defaultManifest } from '../../src/app.js';
import { silentLogger } from '../../src/log.js';
import type { InterfaceDefinition } from '../../src/schema/definitions.js';

export interface TestManagerOptions {
  brokerUrl: string;
  prefix: string;
  dialect: DialectName;
  moduleId?: string;
  configModule?: Record<string, unknown>;
  /** Serve the ocpp interface with security_event as everest-core declares it from 2024.10 on (one `event`). */
  eventSecurityEvent?: boolean;
  retainTopics?: boolean;
  connections?: Record<string, Array<{ module_id: string; implementation_id: string }>>;
  /** The everest-core release whose evse_manager definitions the manager publishes (default: the newest bundled). */
  evseRelease?: BundledRelease;
  /** Further active modules (e.g. a test caller, an energy sink with its evse mapping) the manager waits for. */
  extraModules?: Record<string, { module: string; mapping?: Record<string, unknown> }>;
}

export function tempDir(tag = 'tsocpp-'): string {
  return mkdtempSync(join(tmpdir(), tag));
}

export async function startTestManager(o: TestManagerOptions): Promise<{ service: ConfigService; dbPath: string; stop(): Promise<void> }> {
  const moduleId = o.moduleId ?? 'ocpp';
  const dbPath = join(tempDir(), 'device_model.db');
  const config: EverestConfig = {
    settings: {},
    active_modules: {
      [moduleId]: {
        module: 'TsOcpp',
        standalone: true,
        config_module: { device_model_db: dbPath, ...(o.configModule ?? {}) },
        connections: o.connections ?? {},
      },
      ...(o.extraModules ?? {}),
    },
  };
  const defs = managerDefinitions(o.evseRelease ?? NEWEST_RELEASE);
  const interfaces: Record<string, InterfaceDefinition> = { ...defs.interfaces };
  if (o.eventSecurityEvent) interfaces.ocpp = loadInterfaceFile(join(projectRoot(), 'test', 'fixtures', 'interfaces', 'ocpp-security-event-2024.10.yaml'));
  const service = new ConfigService({
    brokerUrl: o.brokerUrl,
    prefix: o.prefix,
    dialect: o.dialect,
    config,
    manifests: { TsOcpp: defaultManifest() },
    interfaces,
    types: defs.types,
    log: silentLogger(),
    retainTopics: o.retainTopics ?? false,
  });
  await service.start();
  return { service, dbPath, stop: () => service.stop() };
}

/** Write an EVerest config file for a module process that runs its own embedded config service. */
export function writeEmbeddedConfig(configModule: Record<string, unknown>): { file: string; dbPath: string } {
  const dir = tempDir();
  const dbPath = join(dir, 'device_model.db');
  const file = join(dir, 'everest.json');
  writeFileSync(file, JSON.stringify({ active_modules: { ocpp: { module: 'TsOcpp', config_module: { device_model_db: dbPath, ...configModule } } } }));
  return { file, dbPath };
}
