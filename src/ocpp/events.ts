// A small typed emitter: one listener list per event name; on() returns its own unsubscribe.
// A listener that throws is logged and does not stop the others or the caller: the change it
// reports is already committed.
import type { Logger } from '../log.js';

type Listener = (...args: never[]) => void;

export class Emitter<Events extends { [K in keyof Events]: Listener }> {
  readonly #listeners = new Map<keyof Events, Set<Listener>>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  on<K extends keyof Events>(event: K, fn: Events[K]): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(fn);
    return () => {
      set.delete(fn);
    };
  }

  emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as (...a: Parameters<Events[K]>) => void)(...args);
      } catch (err) {
        this.#log.error({ event: String(event), err }, 'event listener threw');
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
