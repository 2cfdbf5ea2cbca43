// Calls to other modules' cmds and subscriptions to their vars. The module uses it after start-up; the
// command-line client uses it on its own, without a module bootstrap.
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { Logger } from '../log.js';
import { CmdError } from '../errors.js';
import type { Dialect } from './dialect.js';
import { DropLog } from './drop-log.js';
import type { Publisher } from './publisher.js';
import type { PendingCall, VarCallback } from './handlers/context.js';
import { route, type ErrorCallback, type Route, type Routes } from './handlers/index.js';

export interface CallerOptions {
  client: MqttClient;
  publisher: Publisher;
  dialect: Dialect;
  everestPrefix: string;
  selfId: string;
  log: Logger;
  callTimeoutMs: number;
  /** The routing table of the module this caller belongs to; without one, the caller keeps its own (see onMessage). */
  routes?: Routes;
}

export class Caller {
  readonly pendingCalls = new Map<string, PendingCall>();
  readonly dialect: Dialect;
  readonly log: Logger;
  readonly varDrops = new DropLog();
  readonly #o: CallerOptions;
  readonly #replyTopics = new Map<string, Promise<unknown>>();
  readonly #routes: Routes;
  readonly #resultRoute: Route = { kind: 'result', host: this };
  /** Calls whose reply subscription failed while the broker was away: retried at the next connect. */
  #afterReconnect: Array<() => void> = [];

  constructor(opts: CallerOptions) {
    this.#o = opts;
    this.dialect = opts.dialect;
    this.log = opts.log;
    this.#routes = opts.routes ?? new Map<string, Route>();
    opts.client.on('connect', () => {
      const retry = this.#afterReconnect;
      this.#afterReconnect = [];
      for (const fn of retry) fn();
    });
  }

  /**
   * For a caller used on its own (the command-line client): handles the message when it is a reply or a
   * var this caller waits for; false otherwise. A module routes its messages itself.
   */
  onMessage(topic: string, payload: Buffer): boolean {
    const r = this.#routes.get(topic);
    if (r === undefined) return false;
    route(r, topic, payload, false);
    return true;
  }

  implPrefix(moduleId: string, implId: string): string {
    return `${this.#o.everestPrefix}modules/${moduleId}/impl/${implId}`;
  }

  /**
   * Call a cmd of another module. The timeout covers the whole call, also the wait for the reply
   * subscription (which waits for the broker while it is down): a call never hangs past `timeoutMs`.
   */
  call(moduleId: string, implId: string, cmd: string, args: Record<string, unknown>, timeoutMs = this.#o.callTimeoutMs): Promise<unknown> {
    const prefix = this.implPrefix(moduleId, implId);
    const replyTopic = this.dialect.callReplyTopic(prefix, cmd, this.#o.selfId);
    const id = randomUUID();
    const target = `${moduleId}:${implId}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingCalls.delete(id);
        reject(new CmdError('CmdTimeout', `Timeout while waiting for result of ${target}->${cmd}()`));
      }, timeoutMs);
      this.pendingCalls.set(id, { resolve, reject, timer, cmd, target });
      const attempt = (): void => {
        // Timed out or shut down meanwhile: nothing to send.
        if (!this.pendingCalls.has(id)) return;
        this.#subscribeReplies(replyTopic).then(() => {
          if (!this.pendingCalls.has(id)) return;
          this.#o.publisher.publish(this.dialect.callTopic(prefix, cmd), this.dialect.encodeCall(cmd, id, args, this.#o.selfId));
        }, (err: unknown) => {
          if (!this.pendingCalls.has(id)) return;
          // MQTT.js fails a subscription made while the broker is away at the next failed reconnect attempt:
          // try again once connected; the timeout still bounds the call.
          if (!this.#o.client.connected) {
            this.#afterReconnect.push(attempt);
            return;
          }
          this.pendingCalls.delete(id);
          clearTimeout(timer);
          reject(new CmdError('NotReady', `${target}->${cmd}(): cannot receive the result: ${err instanceof Error ? err.message : String(err)}`));
        });
      };
      attempt();
    });
  }

  #subscribeReplies(replyTopic: string): Promise<unknown> {
    let sub = this.#replyTopics.get(replyTopic);
    if (!sub) {
      const served = this.#routes.get(replyTopic);
      if (served?.kind === 'call') {
        // Old dialect, calling ourselves: the serve subscription already covers the topic.
        served.results = this;
        sub = Promise.resolve();
      } else {
        this.#routes.set(replyTopic, this.#resultRoute);
        sub = this.#o.client.subscribeAsync(replyTopic, { qos: 2 });
      }
      // A failed subscription is not kept: the next call tries again.
      sub.catch(() => {
        if (this.#replyTopics.get(replyTopic) === sub) this.#replyTopics.delete(replyTopic);
      });
      this.#replyTopics.set(replyTopic, sub);
    }
    return sub;
  }

  async subscribeVar(moduleId: string, implId: string, name: string, callback: VarCallback): Promise<() => void> {
    const topic = this.dialect.varTopic(this.implPrefix(moduleId, implId), name);
    let r = this.#routes.get(topic);
    if (r?.kind !== 'var') {
      r = { kind: 'var', host: this, subs: [] };
      this.#routes.set(topic, r);
      await this.#o.client.subscribeAsync(topic, { qos: 2 });
    }
    const subs = r.subs;
    const sub = { name, callback };
    subs.push(sub);
    return () => {
      const i = subs.indexOf(sub);
      if (i >= 0) subs.splice(i, 1);
    };
  }

  /**
   * One error type (`<namespace>/<name>`) that another module's implementation raises and clears, as
   * Everest::subscribe_error. Returns the unsubscribe function.
   */
  async subscribeError(moduleId: string, implId: string, type: string, callback: ErrorCallback): Promise<() => void> {
    const topic = this.dialect.errorTopic(this.implPrefix(moduleId, implId), type);
    let r = this.#routes.get(topic);
    if (r?.kind !== 'error') {
      r = { kind: 'error', host: this, subs: [] };
      this.#routes.set(topic, r);
      await this.#o.client.subscribeAsync(topic, { qos: 2 });
    }
    const subs = r.subs;
    const sub = { type, callback };
    subs.push(sub);
    return () => {
      const i = subs.indexOf(sub);
      if (i >= 0) subs.splice(i, 1);
    };
  }

  /** Reject every call still waiting (shutdown). */
  rejectAll(reason: string): void {
    for (const [id, p] of this.pendingCalls) {
      clearTimeout(p.timer);
      p.reject(new CmdError('Shutdown', `${reason} before ${p.target}->${p.cmd}() answered`));
      this.pendingCalls.delete(id);
    }
  }
}
