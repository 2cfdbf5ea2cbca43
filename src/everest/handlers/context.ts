// The types the inbound handlers share: what a served implementation is, what a handler gets.
import type { Logger } from '../../log.js';
import type { CompiledInterface } from '../../schema/compile.js';

export interface CallContext {
  readonly origin: string;
  readonly cmd: string;
  readonly impl: string;
  /** Aborted when the call times out or the module shuts down. */
  readonly signal: AbortSignal;
}

export type CmdHandler<A = never, R = unknown> = (args: A, ctx: CallContext) => R | Promise<R>;

export interface ServedImpl {
  readonly impl: string;
  readonly interfaceName: string;
  /** `P modules/<id>/impl/<impl>` */
  readonly prefix: string;
  readonly compiled: CompiledInterface;
  readonly handlers: ReadonlyMap<string, CmdHandler<unknown, unknown>>;
  readonly log: Logger;
}

export interface PendingCall {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  cmd: string;
  target: string;
}

export type VarCallback = (value: unknown) => void;
