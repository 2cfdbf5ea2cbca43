// The module under test as a real process: `node --import tsx src/main.ts ...`, killed for real.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../src/schema/definitions.js';

export interface ModuleProcess {
  readonly proc: ChildProcess;
  /** Every stdout/stderr line so far (JSON log lines from pino). */
  readonly lines: string[];
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal?: NodeJS.Signals): void;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnModule(args: string[], env: Record<string, string> = {}): ModuleProcess {
  const root = projectRoot();
  const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'main.ts'), '--log-format', 'json', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const onData = (buf: Buffer): void => {
    for (const line of buf.toString().split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (process.env.TSOCPP_TEST_VERBOSE) process.stderr.write(`[module] ${line}\n`);
      for (const w of [...waiters]) {
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  return {
    proc,
    lines,
    waitFor(re, timeoutMs = 15_000) {
      const hit = lines.find((l) => re.test(l));
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; last lines:\n${lines.slice(-10).join('\n')}`)), timeoutMs);
        waiters.push({ re, resolve: (l) => { clearTimeout(timer); resolve(l); } });
        void exit.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`module exited (${code ?? signal}) before a line matching ${re}; last lines:\n${lines.slice(-10).join('\n')}`)); });
      });
    },
    kill(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    },
    exited: () => exit,
  };
}

/** Spawn the module joining a bus with `--module`, and wait until it serves. */
export async function startModuleProcess(brokerUrl: string, prefix: string, extra: string[] = [], env: Record<string, string> = {}): Promise<ModuleProcess> {
  const m = spawnModule(['--module', 'ocpp', '--broker', brokerUrl, '--mqtt_everest_prefix', prefix, ...extra], env);
  await m.waitFor(/TsOcpp serving module/);
  return m;
}

export async function stopModule(m: ModuleProcess): Promise<void> {
  m.kill('SIGTERM');
  const t = setTimeout(() => m.kill('SIGKILL'), 10_000);
  await m.exited();
  clearTimeout(t);
}
