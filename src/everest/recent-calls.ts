// The memory of recently answered calls. QoS 2 delivers a call once per session, but after a broker restart
// a caller's MQTT client resends what it had in flight, so the same call can arrive twice. Remembered by
// `${origin}\0${id}`: the same payload again is answered with the answer already given (the handler does
// not run twice: a security event is logged once); another payload under an id in memory is refused.
// Bounded in entries and in bytes.
const RECENT_MAX_ENTRIES = 1024;
const RECENT_MAX_BYTES = 4 * 1024 * 1024;
const ANSWER_KEEP_MAX = 64 * 1024;

export interface Seen {
  /** Length and FNV-1a hash of the payload: a repeated id is the same call when both match. */
  size: number;
  hash: number;
  /** undefined while the call runs; the answer once given (`payload` left out when too large to keep). */
  answer?: { topic: string; payload?: string };
}

export class RecentCalls {
  readonly #map = new Map<string, Seen>();
  #bytes = 0;

  get(key: string): Seen | undefined {
    return this.#map.get(key);
  }

  start(key: string, size: number, hash: number): void {
    this.#map.set(key, { size, hash });
    this.#trim();
  }

  answered(key: string, topic: string, payload: string): void {
    const seen = this.#map.get(key);
    if (!seen || seen.answer) return;
    const keep = payload.length <= ANSWER_KEEP_MAX;
    seen.answer = keep ? { topic, payload } : { topic };
    if (keep) this.#bytes += payload.length;
    this.#trim();
  }

  #trim(): void {
    while (this.#map.size > RECENT_MAX_ENTRIES || this.#bytes > RECENT_MAX_BYTES) {
      const oldest = this.#map.keys().next();
      if (oldest.done === true) return;
      this.#bytes -= this.#map.get(oldest.value)?.answer?.payload?.length ?? 0;
      this.#map.delete(oldest.value);
    }
  }
}

/**
 * A cheap fingerprint, not a cryptographic one: it is only compared when an origin repeats an id, and
 * sha1 per call was 3% of a call's busy time.
 */
export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
