// monitor_variables: registers component variables whose later changes are published as event_data.
// EVerest's OCPP201 module (ocpp_generic/ocppImpl.cpp handle_monitor_variables) keeps that list in memory and
// adds to it on every call; TsOcpp persists it, so monitors survive a restart. Events are built by
// change.ts writeValue (trigger Delta, CustomMonitor, increasing event_id).
import type { ComponentVariable } from '../generated/types/ocpp.js';
import { resolve, type ServiceContext } from './context.js';

export interface MonitorResult {
  added: number;
  unknown: ComponentVariable[];
}

export function monitorVariables(ctx: ServiceContext, cvs: ComponentVariable[]): MonitorResult {
  const unknown: ComponentVariable[] = [];
  const createdAt = ctx.now().toISOString();
  let added = 0;
  ctx.repo.transaction(() => {
    for (const cv of cvs) {
      const r = resolve(ctx.repo, cv);
      if (r.status !== 'ok') {
        unknown.push(cv);
        continue;
      }
      // Adding the same variable again keeps the existing monitor (and its id).
      ctx.repo.addMonitor(r.variable.id, createdAt);
      added++;
    }
  });
  if (unknown.length > 0) {
    ctx.log.warn(
      { unknown: unknown.map((cv) => `${cv.component.name}.${cv.variable.name}`) },
      'monitor_variables: unknown component variables ignored',
    );
  }
  return { added, unknown };
}
