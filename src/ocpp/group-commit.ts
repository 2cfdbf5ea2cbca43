// Group commit for durable calls from the bus: the writes of every call that arrives in one turn of the
// event loop go into one SQLite transaction (one fsync with synchronous=FULL instead of one per call), and
// each call is answered, and what it changed announced, only after that COMMIT. One instance per service
// serves set_variables, change_availability and security events alike (security-event.ts securityEventWrite).
import type { DeviceModelRepository } from '../device-model/repository.js';

/** What a call wrote: its answer, and what to announce once the write is durable. */
export interface Applied<T> {
  value: T;
  announce(): void;
  /** Puts back state kept outside SQLite, should the COMMIT around this write fail. */
  rollback?(): void;
}

interface Pending {
  apply: () => Applied<unknown>;
  resolve: (v: unknown) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  readonly #repo: DeviceModelRepository;
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(repo: DeviceModelRepository) {
    this.#repo = repo;
  }

  /**
   * apply runs inside the shared transaction; it should open its own repo.transaction, which nests as a
   * savepoint, so that a call that throws rolls back its own writes alone and is refused alone.
   */
  add<T>(apply: () => Applied<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ apply, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is pending now (also called before the database closes). */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    const outcomes: Array<{ ok: true; applied: Applied<unknown> } | { ok: false; err: unknown }> = [];
    try {
      this.#repo.transaction(() => {
        for (const b of batch) {
          try {
            outcomes.push({ ok: true, applied: b.apply() });
          } catch (err) {
            outcomes.push({ ok: false, err });
          }
        }
      });
    } catch (err) {
      // The COMMIT itself failed: nothing of the batch is durable, so no call is answered as done, and
      // what the calls changed in memory is put back, newest first.
      for (let i = outcomes.length - 1; i >= 0; i--) {
        const o = outcomes[i]!;
        if (o.ok) o.applied.rollback?.();
      }
      for (const b of batch) b.reject(err);
      return;
    }
    batch.forEach((b, i) => {
      const o = outcomes[i]!;
      if (!o.ok) {
        b.reject(o.err);
        return;
      }
      o.applied.announce();
      b.resolve(o.applied.value);
    });
  }
}
