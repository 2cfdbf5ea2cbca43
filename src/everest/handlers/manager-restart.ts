// The manager's start-up topics published anew (`P interfaces`): a manager (re)started while this module
// runs, and this module must join the bus again.
import type { Logger } from '../../log.js';

export interface RestartHost {
  readonly log: Logger;
  /** Start-up topics before global ready are this run's own, not a restart. */
  isGlobalReady(): boolean;
  managerRestarted(): void;
}

export function handleManagerRestart(host: RestartHost, buf: Buffer, retained: boolean): void {
  // Retained copies (a manager run with --retain-topics) and the clearing at global ready are not a restart.
  if (retained || buf.length === 0 || !host.isGlobalReady()) return;
  host.log.warn('the manager published its start-up topics again (it restarted): joining the bus again');
  host.managerRestarted();
}
