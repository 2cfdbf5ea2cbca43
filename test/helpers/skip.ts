// A test that cannot run here (a program it needs is missing) says so instead of passing: it prints
// one marker line, and tools/run-tests.mjs counts it as skipped, not passed. uvu has no skip of its own.
import { spawnSync } from 'node:child_process';

/** Whether `command` cannot be started at all (`args` should make it exit at once, e.g. a help flag). */
export function programMissing(command: string, args: readonly string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).error !== undefined;
}

/** Mark the running test as skipped (call it and return): `SKIP: <title>: <why>` on a line of its own. */
export function skip(title: string, why: string): void {
  process.stdout.write(`\nSKIP: ${title}: ${why}\n`);
}
