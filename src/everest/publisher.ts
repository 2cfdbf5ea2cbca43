// Own QoS 2 publishes are capped at a window (mosquitto's max_inflight_messages, 20 by default):
// past it mosquitto completed the handshake with the publisher but silently dropped the message for
// subscribers (everest-bus.md, transport facts). The rest wait here, in order, and go as
// acknowledgements come. QoS 0/1 publishes bypass the window.
import type { MqttClient } from 'mqtt';
import { TsOcppError } from '../errors.js';

interface Pending {
  topic: string;
  payload: string;
  retain: boolean;
  done: ((err?: Error) => void) | undefined;
}

export class Publisher {
  readonly #client: MqttClient;
  #window: number;
  #inFlight = 0;
  readonly #queue: Pending[] = [];
  #head = 0;
  #closed = false;

  constructor(client: MqttClient, window: number) {
    this.#client = client;
    this.#window = window;
  }

  /** Change the window (the module config may set it after connecting). */
  setWindow(window: number): void {
    this.#window = window;
    this.#next();
  }

  /** Publish at QoS 2 within the window. `done` runs when the broker has completed it. */
  publish(topic: string, payload: string, retain = false, done?: (err?: Error) => void): void {
    if (this.#closed) {
      done?.(new TsOcppError('TSOCPP_ERR_CLOSED', 'publisher closed'));
      return;
    }
    if (this.#inFlight < this.#window && this.#head === this.#queue.length) {
      this.#send({ topic, payload, retain, done });
    } else {
      this.#queue.push({ topic, payload, retain, done });
    }
  }

  /** Publish at QoS 0, outside the window (retained clears, probes). */
  publishQos0(topic: string, payload: string, retain = false): void {
    this.#client.publish(topic, payload, { qos: 0, retain });
  }

  /** Resolves when every queued and in-flight publish has been completed by the broker. */
  drain(): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.pending === 0) resolve();
        else setTimeout(check, 5);
      };
      check();
    });
  }

  get pending(): number {
    return this.#inFlight + (this.#queue.length - this.#head);
  }

  close(): void {
    this.#closed = true;
  }

  #send(p: Pending): void {
    this.#inFlight++;
    this.#client.publish(p.topic, p.payload, { qos: 2, retain: p.retain }, (err) => {
      this.#inFlight--;
      p.done?.(err ?? undefined);
      this.#next();
    });
  }

  #next(): void {
    while (this.#inFlight < this.#window && this.#head < this.#queue.length) {
      const p = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as unknown as Pending;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue.splice(0, this.#head);
        this.#head = 0;
      }
      this.#send(p);
    }
  }
}
