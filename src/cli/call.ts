// `tsocpp call <module_id> <impl_id> <cmd> '<json args>'`: prints the retval as JSON (exit 0) or the
// error object (exit 1).
import { CmdError, errorMessage } from '../errors.js';
import type { BusSettings } from '../everest/settings.js';
import type { Logger } from '../log.js';
import { openCliBus } from './bus.js';

export async function runCall(positionals: string[], settings: BusSettings, timeoutMs: number, log: Logger): Promise<number> {
  const [moduleId, implId, cmd, argsText] = positionals;
  if (!moduleId || !implId || !cmd) {
    process.stderr.write("usage: tsocpp call <module_id> <impl_id> <cmd> '<json args>' [--broker URL] [--prefix P] [--timeout ms] [--bus-dialect v25|v22|v19]\n");
    return 2;
  }
  let args: Record<string, unknown> = {};
  if (argsText !== undefined) {
    try {
      args = JSON.parse(argsText) as Record<string, unknown>;
    } catch (err) {
      process.stderr.write(`args are not JSON: ${errorMessage(err)}\n`);
      return 2;
    }
  }
  const bus = await openCliBus(settings, log);
  try {
    const retval = await firstAnswer(bus.callers.map((c) => c.call(moduleId, implId, cmd, args, timeoutMs)));
    process.stdout.write(`${JSON.stringify(retval)}\n`);
    return 0;
  } catch (err) {
    const out = err instanceof CmdError ? { type: err.type, msg: err.message } : { type: 'Error', msg: errorMessage(err) };
    process.stdout.write(`${JSON.stringify({ error: out })}\n`);
    return 1;
  } finally {
    await bus.close();
  }
}

/**
 * With a call out in two dialects, the one that is answered settles it (a result or an error), and a
 * timeout counts only when every form timed out.
 */
function firstAnswer(calls: Promise<unknown>[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let timeouts = 0;
    for (const c of calls) {
      c.then(resolve, (err: unknown) => {
        if (err instanceof CmdError && err.type === 'CmdTimeout' && ++timeouts < calls.length) return;
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    }
  });
}
