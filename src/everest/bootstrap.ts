// Joining the bus before serving: read what the manager left retained, tell the dialect from it,
// ask for the module's config. Nothing here waits forever for a topic that the manager clears at
// global ready (everest-bus.md, "Verified against a real manager" and "The older dialect").
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { DIALECT_NAMES, dialectFor, type Dialect, type DialectName } from './dialect.js';
import { parsePayload } from './payload.js';
import { withTimeout } from './timeout.js';
import type { Logger } from '../log.js';
import { BootstrapError } from '../errors.js';

/**
 * Collect the retained messages of `filters` (wildcards allowed). Subscribing at QoS 0 makes the broker
 * send retained messages at once, in order; a QoS 0 probe published on our own module topic after the
 * subscription arrives after them on mosquitto. aedes reads retained messages from its store
 * asynchronously, so a live message can overtake them: after the probe, collecting goes on until no
 * retained message has come for `settleMs` (bounded), which costs a few ms where nothing is late.
 */
export async function readRetained(client: MqttClient, filters: readonly string[], probeTopic: string, timeoutMs = 3000, settleMs = 25): Promise<Map<string, unknown>> {
  const seen = new Map<string, unknown>();
  const token = randomBytes(8).toString('hex');
  const filterSet = [...filters, probeTopic];
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => { finished = resolve; });
  let lastRetained = Date.now();
  const onMessage = (topic: string, payload: Buffer): void => {
    if (topic === probeTopic) {
      if (payload.toString() === token) finished();
      return;
    }
    if (payload.length === 0) {
      seen.delete(topic); // a cleared retained topic
      return;
    }
    if (!filters.some((f) => matches(f, topic))) return;
    lastRetained = Date.now();
    const parsed = parsePayload(payload);
    if (parsed.ok) seen.set(topic, parsed.value);
  };
  client.on('message', onMessage);
  try {
    await client.subscribeAsync(filterSet.map((topic) => ({ topic, qos: 0 as const })).reduce<Record<string, { qos: 0 }>>((acc, s) => {
      acc[s.topic] = { qos: 0 };
      return acc;
    }, {}));
    client.publish(probeTopic, token, { qos: 0, retain: false });
    await withTimeout(done, timeoutMs);
    const settleEnd = Date.now() + 10 * settleMs;
    for (;;) {
      const quiet = Date.now() - lastRetained;
      if (quiet >= settleMs || Date.now() >= settleEnd) break;
      await new Promise((r) => setTimeout(r, settleMs - quiet));
    }
  } finally {
    client.off('message', onMessage);
    await client.unsubscribeAsync(filterSet).catch(() => undefined);
  }
  return seen;
}

/** MQTT topic filter match (`+` one level, `#` the rest). */
export function matches(filter: string, topic: string): boolean {
  if (filter === topic) return true;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * The dialects the retained start-up topics allow: `P interfaces` is a bare array up to v0.24 and a
 * msg_type envelope from v0.25 on; in the old dialect `P settings` has `forward_exceptions` from v0.22
 * on (old-dialect payloads are bare, so `settings` is read as it was retained). What cannot be told
 * apart stays a candidate, and the config answer decides.
 */
export function detectFromRetained(interfaces: unknown, settings: unknown): DialectName[] {
  if (Array.isArray(interfaces)) {
    if (typeof settings !== 'object' || settings === null) return ['v22', 'v19'];
    return 'forward_exceptions' in settings ? ['v22'] : ['v19'];
  }
  if (isEnvelope(interfaces)) return ['v25'];
  return [...DIALECT_NAMES];
}

export interface ConfigAnswer {
  dialect: Dialect;
  answer: { module_config: unknown; mappings: unknown };
}

/**
 * Ask for the module's config. With a known dialect only its request is sent. With none (started after
 * global ready, start-up topics cleared), each dialect's request is sent: every manager ignores the
 * requests that are not its own without harm, and the one that answers tells the dialect.
 * Requests are repeated every `timeoutMs` until answered or `signal` aborts.
 */
export async function requestConfig(client: MqttClient, prefix: string, moduleId: string, candidates: readonly DialectName[],
  timeoutMs: number, log: Logger, signal?: AbortSignal): Promise<ConfigAnswer> {
  const dialects = candidates.map(dialectFor);
  const requests = dialects.map((d) => ({ d, req: d.configRequest(prefix, moduleId) }));
  const responseTopics = [...new Set(requests.map((r) => r.req.responseTopic))];
  let settle: (a: ConfigAnswer) => void = () => undefined;
  const answered = new Promise<ConfigAnswer>((resolve) => { settle = resolve; });
  const onMessage = (topic: string, payload: Buffer): void => {
    if (!responseTopics.includes(topic)) return;
    const parsed = parsePayload(payload);
    if (!parsed.ok) return;
    for (const { d, req } of requests) {
      if (req.responseTopic !== topic) continue;
      const answer = d.readConfigAnswer(parsed.value, moduleId);
      // A bare answer also reads as nothing for v25 and vice versa, so the first fit names the dialect.
      if (answer && (d.name !== 'v22' || !isEnvelope(parsed.value))) {
        settle({ dialect: d, answer });
        return;
      }
    }
  };
  client.on('message', onMessage);
  try {
    await client.subscribeAsync(Object.fromEntries(responseTopics.map((t) => [t, { qos: 2 as const }])));
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new BootstrapError('config request aborted', { cause: signal.reason });
      for (const { req } of requests) client.publish(req.topic, req.payload, { qos: 2 });
      const r = await withTimeout(answered, timeoutMs);
      if (r !== 'timeout') return r;
      log.warn({ attempt, dialects: candidates }, `no answer to the config request within ${timeoutMs} ms; asking again`);
    }
  } finally {
    client.off('message', onMessage);
    await client.unsubscribeAsync(responseTopics).catch(() => undefined);
  }
}

function isEnvelope(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'msg_type' in v;
}
