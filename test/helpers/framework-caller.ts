// A caller that speaks to a module exactly as the framework's own callers do, written out literally
// per dialect (everest-bus.md), so that the tests check TsOcpp against the wire format rather than
// against TsOcpp's own dialect layer. Like a libmosquitto client it keeps at most 20 QoS 2 publishes
// in flight.
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { DialectName } from '../../src/everest/dialect.js';

export interface RawReply {
  topic: string;
  /** The payload text as it came off the wire. */
  text: string;
  /** The inner result object: {id, origin, retval} or {id, origin, error}. */
  data: Record<string, unknown>;
  /** The whole parsed payload. */
  envelope: Record<string, unknown>;
}

/** QoS 2 publishes in flight at most, as a libmosquitto client keeps them. */
const WINDOW = 20;

export class FrameworkCaller {
  readonly client: MqttClient;
  readonly origin: string;
  readonly #prefix: string;
  readonly #dialect: DialectName;
  readonly #waiting = new Map<string, (r: RawReply) => void>();
  readonly #subscribed = new Set<string>();
  #inFlight = 0;
  /** Calls waiting for a window slot, in call order. */
  readonly #queue: Array<() => void> = [];
  readonly #vars = new Map<string, Array<(value: unknown, text: string) => void>>();

  private constructor(client: MqttClient, prefix: string, dialect: DialectName, origin: string) {
    this.client = client;
    this.#prefix = prefix;
    this.#dialect = dialect;
    this.origin = origin;
    client.on('message', (topic, payload) => this.#onMessage(topic, payload.toString()));
  }

  static async connect(url: string, prefix: string, dialect: DialectName, origin = `caller_${randomUUID().slice(0, 8)}`): Promise<FrameworkCaller> {
    const client = await mqtt.connectAsync(url, { clientId: origin, protocolVersion: 4, clean: true, reconnectPeriod: 200 });
    (client.stream as unknown as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    return new FrameworkCaller(client, prefix, dialect, origin);
  }

  #impl(moduleId: string, impl: string): string {
    return `${this.#prefix}modules/${moduleId}/impl/${impl}`;
  }

  #onMessage(topic: string, text: string): void {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    const subs = this.#vars.get(topic);
    if (subs) {
      const value = this.#dialect === 'v25'
        ? (parsed.data as Record<string, unknown>).data
        : parsed.data;
      for (const fn of subs) fn(value, text);
      return;
    }
    const body = (this.#dialect === 'v25' ? parsed.data : parsed) as Record<string, unknown> | undefined;
    if (!body || body.type !== 'result') return;
    const data = body.data as Record<string, unknown>;
    const done = this.#waiting.get(String(data.id));
    if (done) {
      this.#waiting.delete(String(data.id));
      done({ topic, text, data, envelope: parsed });
    }
  }

  /** Publish a call and wait for its reply. `raw` replaces the payload text (hostile input tests). */
  async call(moduleId: string, impl: string, cmd: string, args: unknown, opts: { id?: string; timeoutMs?: number } = {}): Promise<RawReply> {
    const id = opts.id ?? randomUUID();
    const base = this.#impl(moduleId, impl);
    const topic = this.#dialect === 'v25' ? `${base}/cmd/${cmd}` : `${base}/cmd`;
    const replyTopic = this.#dialect === 'v25' ? `${topic}/response/${this.origin}` : topic;
    const payload = this.#dialect === 'v25'
      ? JSON.stringify({ msg_type: 'Cmd', data: { id, args, origin: this.origin } })
      : JSON.stringify({ name: cmd, type: 'call', data: { id, args, origin: this.origin } });
    return this.#exchange(replyTopic, topic, payload, id, opts.timeoutMs ?? 10_000);
  }

  /** Publish any text on a cmd topic of `cmd` and wait for a reply with `id` (or time out). */
  async callRaw(moduleId: string, impl: string, cmd: string, text: string | Buffer, id: string, timeoutMs = 3000): Promise<RawReply> {
    const base = this.#impl(moduleId, impl);
    const topic = this.#dialect === 'v25' ? `${base}/cmd/${cmd}` : `${base}/cmd`;
    const replyTopic = this.#dialect === 'v25' ? `${topic}/response/${this.origin}` : topic;
    return this.#exchange(replyTopic, topic, text, id, timeoutMs);
  }

  /** Publish text on a topic without waiting for anything. */
  async publishRaw(topic: string, text: string | Buffer): Promise<void> {
    await this.client.publishAsync(topic, text, { qos: 2 });
  }

  async #exchange(replyTopic: string, topic: string, payload: string | Buffer, id: string, timeoutMs: number): Promise<RawReply> {
    if (!this.#subscribed.has(replyTopic)) {
      this.#subscribed.add(replyTopic);
      await this.client.subscribeAsync(replyTopic, { qos: 2 });
    }
    // One promise per call, made here and handed back at once, so that whatever ends the call (reply or
    // timeout) settles a promise the caller holds. The bound covers the wait for a window slot too, as a
    // framework caller's timeout does: a call stuck behind a full window while the broker is down ends
    // with its timeout like any other (before, it waited with no bound, and a reply promise made ahead of
    // the slot rejected with nobody awaiting it: the reason for the unhandledRejection filters the
    // shutdown, outage and crash tests used to carry).
    return new Promise<RawReply>((resolve, reject) => {
      const send = (): void => {
        this.#inFlight++;
        this.client.publish(topic, payload, { qos: 2 }, () => this.#release());
      };
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        const queued = this.#queue.indexOf(send);
        if (queued >= 0) this.#queue.splice(queued, 1);
        reject(new Error(`no reply to call ${id} on ${replyTopic} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting.set(id, (r) => { clearTimeout(timer); resolve(r); });
      if (this.#inFlight < WINDOW) send();
      else this.#queue.push(send);
    });
  }

  #release(): void {
    this.#inFlight--;
    this.#queue.shift()?.();
  }

  /** Subscribe to a var of a module; the callback gets the value and the raw payload text. */
  async watchVar(moduleId: string, impl: string, name: string, fn: (value: unknown, text: string) => void): Promise<void> {
    const base = this.#impl(moduleId, impl);
    const topic = this.#dialect === 'v25' ? `${base}/var/${name}` : `${base}/var`;
    const list = this.#vars.get(topic) ?? [];
    const filtered = this.#dialect === 'v25' ? fn : (value: unknown, text: string) => {
      if ((JSON.parse(text) as { name?: string }).name === name) fn(value, text);
    };
    list.push(filtered);
    if (!this.#vars.has(topic)) {
      this.#vars.set(topic, list);
      await this.client.subscribeAsync(topic, { qos: 2 });
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

/** The error object of a reply, with its type read from the keys every dialect carries. */
export function replyError(r: RawReply): { type: string; msg: string } | undefined {
  const e = r.data.error as Record<string, unknown> | undefined;
  if (!e) return undefined;
  return { type: String(e.__everest__error_type), msg: String(e.__everest__error_msg) };
}

export const HEARTBEAT = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } };
