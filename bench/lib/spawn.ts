// The processes of a bench run: TsOcpp as users run it (node dist/main.js, or tsx when dist is missing
// or broken), and the bench's own helper processes (broker, floor responder). Every process is ended by
// its own pid.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/schema/definitions.js';

export const ROOT = projectRoot();

export interface TsocppLauncher {
  kind: 'dist' | 'tsx';
  /** node arguments before the module's own arguments. */
  nodeArgs: string[];
  /** Why tsx was used, or a warning about dist. */
  note?: string;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * node dist/main.js when it is there and answers --help; else node --import tsx src/main.ts.
 * `entry` names another compiled main.js (experiments: a build of the working tree elsewhere);
 * `nodeFlags` go before it (experiments with V8 flags such as --max-semi-space-size).
 */
export function tsocppLauncher(o: { forceTsx?: boolean; entry?: string; nodeFlags?: string[] } = {}): TsocppLauncher {
  const flags = o.nodeFlags ?? [];
  const tsx: TsocppLauncher = { kind: 'tsx', nodeArgs: [...flags, '--import', 'tsx', join(ROOT, 'src', 'main.ts')] };
  if (o.forceTsx) return { ...tsx, note: 'tsx forced (--tsx)' };
  if (o.entry !== undefined) return { kind: 'dist', nodeArgs: [...flags, o.entry], note: `entry ${o.entry}${flags.length ? `, node ${flags.join(' ')}` : ''}` };
  const dist = join(ROOT, 'dist', 'main.js');
  if (!existsSync(dist)) return { ...tsx, note: 'dist/main.js missing (npm run build)' };
  const r = spawnSync(process.execPath, [dist, '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 15_000 });
  if (r.status !== 0) return { ...tsx, note: `dist/main.js --help failed (exit ${r.status}): ${(r.stderr || '').split('\n')[0]}` };
  const launcher: TsocppLauncher = { kind: 'dist', nodeArgs: [...flags, dist] };
  const notes: string[] = [];
  if (newestMtime(join(ROOT, 'src')) > statSync(dist).mtimeMs) notes.push('dist/ is older than src/ (npm run build)');
  if (flags.length) notes.push(`node ${flags.join(' ')}`);
  if (notes.length) launcher.note = notes.join('; ');
  return launcher;
}

export interface Spawned {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** Date.now() just before spawn. */
  readonly spawnedAt: number;
  readonly logFile: string;
  /** Lines of the log file so far. */
  lines(): string[];
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Spawn node with `nodeArgs`; stdout and stderr go to `logFile` (no pipe for the bench to drain). */
export function spawnNode(nodeArgs: string[], logFile: string, env: Record<string, string> = {}): Spawned {
  const fd = openSync(logFile, 'w');
  const spawnedAt = Date.now();
  const proc = spawn(process.execPath, nodeArgs, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  if (proc.pid === undefined) throw new Error(`could not spawn node ${nodeArgs.join(' ')}`);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const lines = (): string[] => {
    try {
      return readFileSync(logFile, 'utf8').split('\n').filter((l) => l !== '');
    } catch {
      return [];
    }
  };
  return {
    proc,
    pid: proc.pid,
    spawnedAt,
    logFile,
    lines,
    async waitForLine(re, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const hit = lines().find((l) => re.test(l));
        if (hit) return hit;
        if (proc.exitCode !== null || proc.signalCode !== null) {
          throw new Error(`process exited (${proc.exitCode ?? proc.signalCode}) before a line matching ${re}:\n${lines().slice(-8).join('\n')}`);
        }
        if (Date.now() > until) throw new Error(`no line matching ${re} within ${timeoutMs} ms:\n${lines().slice(-8).join('\n')}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** A bench helper script (TypeScript, run with tsx) that prints `ready` when it serves. */
export async function spawnHelper(script: string, args: string[], logFile: string): Promise<Spawned> {
  const s = spawnNode(['--import', 'tsx', join(ROOT, 'bench', script), ...args], logFile);
  await s.waitForLine(/^ready\b/);
  return s;
}
