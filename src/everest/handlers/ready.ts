// The manager's global ready (`P ready`, published once and not retained): every module is up.
import { parsePayload } from '../payload.js';
import type { Dialect } from '../dialect.js';

export interface ReadyHost {
  readonly dialect: Dialect;
  globalReady(): void;
}

export function handleReady(host: ReadyHost, buf: Buffer): void {
  const parsed = parsePayload(buf);
  if (parsed.ok && host.dialect.readGlobalReady(parsed.value)) host.globalReady();
}
