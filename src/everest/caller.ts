// Calls to other modules' cmds and subscriptions to their vars. The module uses it after start-up; the
// command-line client uses it on its own, without a module bootstrap.
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { Logger } from '../log.js';
import { CmdError } from '../errors.js';
import type { Dialect } from './dialect.js';
import type { Publisher } from './publisher.js';
import type { PendingCall, VarCallback } from './handlers/context.js';
import { handleResult } from './handlers/result.js';
import { handleVar, type VarSubscription } from './handlers/var.js';

export interface CallerOptions {
  client: MqttClient;
  publisher: Publisher;
  dialect: Dialect;
  everestPrefix: string;
  selfId: string;
  log: Logger;
  callTimeoutMs: number;
  /** Topics that are already ours for another purpose (old dialect: our own cmd topic). */
  isServeTopic?: (topic: string) => boolean;
}

export class Caller {
  readonly pendingCalls = new Map<string, PendingCall>();
  readonly dialect: Dialect;
  readonly log: Logger;
  readonly #o: CallerOptions;
  readonly #replyTopics = new Map<string, Promise<unknown>>();
  readonly #varTopics = new Map<string, VarSubscription[]>();

  constructor(opts: CallerOptions) {
    this.#o = opts;
    this.dialect = opts.dialect;
    this.log = opts.log;
  }

  /** Handles the message when it is a reply or a var this caller waits for; false otherwise. */
  onMessage(topic: string, payload: Buffer): boolean {
    const subs = this.#varTopics.get(topic);
    if (subs) handleVar(this, subs, topic, payload);
    if (this.#replyTopics.has(topic)) {
      handleResult(this, topic, payload);
      return true;
    }
    return subs !== undefined;
  }

  implPrefix(moduleId: string, implId: string): string {
    return `${this.#o.everestPrefix}modules/${moduleId}/impl/${implId}`;
  }

  async call(moduleId: string, implId: string, cmd: string, args: Record<string, unknown>, timeoutMs = this.#o.callTimeoutMs): Promise<unknown> {
    const prefix = this.implPrefix(moduleId, implId);
    const replyTopic = this.dialect.callReplyTopic(prefix, cmd, this.#o.selfId);
    let sub = this.#replyTopics.get(replyTopic);
    if (!sub) {
      // Old dialect, calling ourselves: the serve subscription already covers the topic.
      sub = this.#o.isServeTopic?.(replyTopic) ? Promise.resolve() : this.#o.client.subscribeAsync(replyTopic, { qos: 2 });
      this.#replyTopics.set(replyTopic, sub);
    }
    await sub;
    const id = randomUUID();
    const target = `${moduleId}:${implId}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingCalls.delete(id);
        reject(new CmdError('CmdTimeout', `Timeout while waiting for result of ${target}->${cmd}()`));
      }, timeoutMs);
      this.pendingCalls.set(id, { resolve, reject, timer, cmd, target });
      this.#o.publisher.publish(this.dialect.callTopic(prefix, cmd), this.dialect.encodeCall(cmd, id, args, this.#o.selfId));
    });
  }

  async subscribeVar(moduleId: string, implId: string, name: string, callback: VarCallback): Promise<() => void> {
    const topic = this.dialect.varTopic(this.implPrefix(moduleId, implId), name);
    let subs = this.#varTopics.get(topic);
    if (!subs) {
      subs = [];
      this.#varTopics.set(topic, subs);
      await this.#o.client.subscribeAsync(topic, { qos: 2 });
    }
    const sub = { name, callback };
    subs.push(sub);
    return () => {
      const list = this.#varTopics.get(topic);
      if (list) list.splice(list.indexOf(sub), 1);
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
