// The module under test as a real process: `node --import tsx src/main.ts ...`, killed for real.
import { join } from 'node:path';
import { projectRoot } from '../../src/schema/definitions.js';
import { Child } from './child.js';

/** The module process; its `lines` are pino's JSON log lines. */
export type ModuleProcess = Child;

export function spawnModule(args: string[], env: Record<string, string> = {}): ModuleProcess {
  const root = projectRoot();
  return new Child(process.execPath, ['--import', 'tsx', join(root, 'src', 'main.ts'), '--log-format', 'json', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    tag: 'module',
  });
}

/** Spawn the module joining a bus with `--module`, and wait until it serves. */
export async function startModuleProcess(brokerUrl: string, prefix: string, extra: string[] = [], env: Record<string, string> = {}): Promise<ModuleProcess> {
  const m = spawnModule(['--module', 'ocpp', '--broker', brokerUrl, '--mqtt_everest_prefix', prefix, ...extra], env);
  try {
    // A start takes 2-3 s here; on a loaded machine (two test jobs beside other work) it took over 15 s once.
    await m.waitFor(/TsOcpp serving module/, { timeoutMs: 45_000 });
  } catch (err) {
    // Not left running behind a failed start.
    await m.stop('SIGKILL');
    throw err;
  }
  return m;
}

export async function stopModule(m: ModuleProcess): Promise<void> {
  await m.stop('SIGTERM', 10_000);
}
