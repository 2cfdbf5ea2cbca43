// Reconnect back-off from OCPPCommCtrlr RetryBackOffWaitMinimum / RetryBackOffRandomRange /
// RetryBackOffRepeatTimes (OCPP 2.0.1 B09/A00 "Reconnecting"), computed as libocpp
// websocket_base.cpp get_reconnect_interval does: the first wait is minimum + random(0..range) seconds,
// each of the next RetryBackOffRepeatTimes waits doubles the previous and adds random(0..range) seconds,
// after that the wait stays the same. A successful connection starts over.

export interface BackoffSettings {
  retryBackOffWaitMinimumS: number;
  retryBackOffRandomRangeS: number;
  retryBackOffRepeatTimes: number;
}

/** A wait of 0 s (allowed by the device model) would spin on a refused connection: never wait less. */
export const MIN_RECONNECT_MS = 250;

export class ReconnectBackoff {
  readonly #random: () => number;
  #attempts = 0;
  #lastMs = 0;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  get attempts(): number {
    return this.#attempts;
  }

  /** The wait before the next connection attempt, in ms. */
  next(s: BackoffSettings): number {
    this.#attempts++;
    const range = Math.max(0, Math.floor(s.retryBackOffRandomRangeS));
    const randomS = Math.floor(this.#random() * (range + 1));
    if (this.#attempts === 1) {
      this.#lastMs = (Math.max(0, s.retryBackOffWaitMinimumS) + randomS) * 1000;
    } else if (this.#attempts <= Math.max(0, s.retryBackOffRepeatTimes) + 1) {
      this.#lastMs = this.#lastMs * 2 + randomS * 1000;
    }
    return Math.max(MIN_RECONNECT_MS, this.#lastMs);
  }

  reset(): void {
    this.#attempts = 0;
    this.#lastMs = 0;
  }
}
