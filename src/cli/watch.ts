// `tsocpp watch <module_id> <impl_id> <var>`: prints each published value as one JSON line.
import type { BusSettings } from '../everest/settings.js';
import type { Logger } from '../log.js';
import { openCliBus } from './bus.js';

export async function runWatch(positionals: string[], settings: BusSettings, log: Logger, count?: number): Promise<number> {
  const [moduleId, implId, name] = positionals;
  if (!moduleId || !implId || !name) {
    process.stderr.write('usage: tsocpp watch <module_id> <impl_id> <var> [--broker URL] [--prefix P] [--count N] [--bus-dialect v25|v22|v19]\n');
    return 2;
  }
  const bus = await openCliBus(settings, log);
  let seen = 0;
  await new Promise<void>((resolve) => {
    for (const c of bus.callers) {
      void c.subscribeVar(moduleId, implId, name, (value) => {
        process.stdout.write(`${JSON.stringify(value)}\n`);
        seen++;
        if (count !== undefined && seen >= count) resolve();
      });
    }
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await bus.close();
  return 0;
}
