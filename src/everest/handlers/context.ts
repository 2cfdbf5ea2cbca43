// What the inbound handlers need from the module: one owner (EverestModule) implements it.
import type { Logger } from '../../log.js';
import type { Dialect } from '../dialect.js';
import type { Publisher } from '../publisher.js';
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

export interface InFlight {
  /** Made on first use of ctx.signal only. */
  ac: AbortController | undefined;
  readonly served: ServedImpl;
  readonly cmd: string;
  readonly origin: string;
  readonly id: string | number;
}

export interface PendingCall {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  cmd: string;
  target: string;
}

export interface HandlerHost {
  readonly selfId: string;
  readonly dialect: Dialect;
  readonly publisher: Publisher;
  readonly log: Logger;
  readonly maxPayloadBytes: number;
  readonly handlerTimeoutMs: number;
  /** Set when shutdown began: new calls are answered with Shutdown. */
  readonly stopping: boolean;
  /** Calls being served, keyed by `${origin}\0${id}`: duplicates are refused, shutdown waits for them. */
  readonly serving: Map<string, InFlight>;
  onServed(): void;
}

export type VarCallback = (value: unknown) => void;
