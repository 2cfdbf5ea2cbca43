// A lean framework-style caller for the bench: the v25 wire format written out literally (as
// nlohmann::json writes it: keys sorted), QoS 2, TCP_NODELAY, at most 20 calls in flight (mosquitto's
// max_inflight_messages; everest-bus.md, transport facts). The same caller drives the floor and TsOcpp,
// so that what differs between their figures is the responder.
//
// Arguments are serialized once per variant (`PreparedCall.variants`), not per call; each call costs a
// UUID, one string concatenation, one publish, and on the way back one JSON.parse, as in the framework.
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { MqttClient } from 'mqtt';

export const MAX_IN_FLIGHT = 20;

export interface PreparedCall {
  label: string;
  topic: string;
  replyTopic: string;
  /** Serialized args; call n uses variants[n % length]. */
  variants: string[];
  next: number;
}

interface Waiting {
  t0: number;
  resolve: (ms: number) => void;
  reject: (err: Error) => void;
}

export class CallError extends Error {}

export class BusCaller {
  readonly origin: string;
  readonly #client: MqttClient;
  readonly #prefix: string;
  readonly #waiting = new Map<string, Waiting>();
  readonly #subscribed = new Set<string>();
  readonly #watchdog: NodeJS.Timeout;
  #inFlight = 0;

  private constructor(client: MqttClient, prefix: string, origin: string, timeoutMs: number) {
    this.#client = client;
    this.#prefix = prefix;
    this.origin = origin;
    client.on('message', (_topic, payload) => this.#onMessage(payload));
    // One timer for every call: a lost answer fails its call instead of hanging the bench.
    this.#watchdog = setInterval(() => {
      const limit = performance.now() - timeoutMs;
      for (const [id, w] of this.#waiting) {
        if (w.t0 < limit) {
          this.#waiting.delete(id);
          this.#inFlight--;
          w.reject(new CallError(`no answer within ${timeoutMs} ms`));
        }
      }
    }, 500);
    this.#watchdog.unref();
  }

  static async connect(url: string, prefix: string, origin = `bench_${randomUUID().slice(0, 8)}`, timeoutMs = 10_000): Promise<BusCaller> {
    const u = new URL(url);
    const host = u.hostname || '127.0.0.1';
    const port = Number(u.port || 1883);
    const client = new MqttClient(() => net.createConnection({ host, port, noDelay: true }), {
      clientId: origin, protocolVersion: 4, clean: true, keepalive: 30, reconnectPeriod: 0,
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    return new BusCaller(client, prefix, origin, timeoutMs);
  }

  get client(): MqttClient {
    return this.#client;
  }

  /** Topics of `cmd` of `moduleId`/`impl` and its serialized argument variants; subscribes to the reply topic. */
  async prepare(label: string, moduleId: string, impl: string, cmd: string, variants: unknown[]): Promise<PreparedCall> {
    const topic = `${this.#prefix}modules/${moduleId}/impl/${impl}/cmd/${cmd}`;
    const replyTopic = `${topic}/response/${this.origin}`;
    if (!this.#subscribed.has(replyTopic)) {
      this.#subscribed.add(replyTopic);
      await this.#client.subscribeAsync(replyTopic, { qos: 2 });
    }
    return { label, topic, replyTopic, variants: variants.map((v) => JSON.stringify(v)), next: 0 };
  }

  /** One call; resolves with its round trip in ms, rejects with CallError on an error answer. */
  call(p: PreparedCall): Promise<number> {
    if (this.#inFlight >= MAX_IN_FLIGHT) return Promise.reject(new Error(`more than ${MAX_IN_FLIGHT} calls in flight`));
    const id = randomUUID();
    const args = p.variants[p.next++ % p.variants.length]!;
    const payload = `{"data":{"args":${args},"id":"${id}","origin":"${this.origin}"},"msg_type":"Cmd"}`;
    this.#inFlight++;
    return new Promise<number>((resolve, reject) => {
      this.#waiting.set(id, { t0: performance.now(), resolve, reject });
      this.#client.publish(p.topic, payload, { qos: 2 });
    });
  }

  #onMessage(payload: Buffer): void {
    const t1 = performance.now();
    let id: unknown;
    let error: unknown;
    try {
      const msg = JSON.parse(payload.toString()) as { data?: { type?: string; data?: { id?: unknown; error?: unknown } } };
      id = msg.data?.data?.id;
      error = msg.data?.data?.error;
    } catch {
      return;
    }
    const w = this.#waiting.get(String(id));
    if (!w) return;
    this.#waiting.delete(String(id));
    this.#inFlight--;
    if (error !== undefined) w.reject(new CallError(JSON.stringify(error)));
    else w.resolve(t1 - w.t0);
  }

  /** Resolves with the first message on `topic` (subscribed before this returns). */
  async once(topic: string): Promise<() => Promise<{ at: number; text: string }>> {
    let done: (v: { at: number; text: string }) => void = () => undefined;
    const got = new Promise<{ at: number; text: string }>((resolve) => { done = resolve; });
    const onMsg = (t: string, payload: Buffer): void => {
      if (t !== topic) return;
      this.#client.off('message', onMsg);
      done({ at: Date.now(), text: payload.toString() });
    };
    this.#client.on('message', onMsg);
    await this.#client.subscribeAsync(topic, { qos: 2 });
    return () => got;
  }

  async close(): Promise<void> {
    clearInterval(this.#watchdog);
    for (const w of this.#waiting.values()) w.reject(new CallError('caller closed'));
    this.#waiting.clear();
    await this.#client.endAsync();
  }
}
