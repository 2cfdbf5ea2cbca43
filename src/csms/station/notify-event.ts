// NotifyEvent for event_data (changes of monitored variables, src/ocpp/change.ts). Events are kept in
// memory while the link is down or not Accepted (up to MAX_QUEUED, oldest dropped first) and go out in
// order once it is; events raised in the same tick share one message. Unlike security events they are not
// durable: libocpp sends NotifyEvent as a normal message too.
import type { Logger } from '../../log.js';
import type { EventData } from '../../generated/types/ocpp.js';
import { toOcppEventData } from '../mapping.js';
import type { NotifyEventRequest } from '../ocpp-types.js';
import { classifyFailure, type Sender } from '../sender.js';
import type { Timers } from '../timers.js';

export const MAX_QUEUED = 1000;
const PER_MESSAGE = 50;

export class NotifyEventSender {
  readonly #sender: Sender;
  readonly #log: Logger;
  readonly #timers: Timers;
  readonly #maxValue: () => number;
  #queue: EventData[] = [];
  #scheduled = false;
  #running = false;

  constructor(sender: Sender, log: Logger, timers: Timers, maxValue: () => number) {
    this.#sender = sender;
    this.#log = log;
    this.#timers = timers;
    this.#maxValue = maxValue;
  }

  push(e: EventData): void {
    this.#queue.push(e);
    if (this.#queue.length > MAX_QUEUED) {
      this.#queue.splice(0, this.#queue.length - MAX_QUEUED);
      this.#log.warn({ kept: MAX_QUEUED }, 'NotifyEvent queue full; oldest events dropped');
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.#timers.immediate(() => {
        this.#scheduled = false;
        this.flush();
      });
    }
  }

  get queued(): number {
    return this.#queue.length;
  }

  flush(): void {
    if (this.#running || !this.#sender.accepted || this.#queue.length === 0) return;
    this.#running = true;
    // #run catches what a send throws; nothing rejects here.
    void this.#run().finally(() => { this.#running = false; });
  }

  async #run(): Promise<void> {
    while (this.#sender.accepted && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, PER_MESSAGE);
      const maxValue = this.#maxValue();
      const req: NotifyEventRequest = {
        generatedAt: this.#timers.now().toISOString(), seqNo: 0, tbc: false, eventData: batch.map((e) => toOcppEventData(e, maxValue)),
      };
      try {
        await this.#sender.call('NotifyEvent', req);
      } catch (err) {
        const failure = classifyFailure(err);
        if (failure === 'answered') {
          this.#log.error({ events: batch.length, err }, 'CSMS refused a NotifyEvent; events dropped');
          continue;
        }
        this.#queue.unshift(...batch);
        return;
      }
    }
  }
}
