// NotifyReport for GetBaseReport (OCPP 2.0.1 B07/B08): reports wait in memory until the link is
// connected and Accepted, then go out one after another, each as its parts in seqNo order (report.ts
// splits them). A part the CSMS refuses (CALLERROR) is logged and the rest of the report follows; a
// report cut by a lost connection is dropped, not resumed: the CSMS can ask again.
import type { Logger } from '../../log.js';
import type { NotifyReportRequest } from '../ocpp-types.js';
import { classifyFailure, type Sender } from '../sender.js';

export class NotifyReportSender {
  readonly #sender: Sender;
  readonly #log: Logger;
  #reports: NotifyReportRequest[][] = [];
  #running = false;

  constructor(sender: Sender, log: Logger) {
    this.#sender = sender;
    this.#log = log;
  }

  /** One report, as its parts; sent at once when the link is Accepted. */
  push(parts: NotifyReportRequest[]): void {
    this.#reports.push(parts);
    this.flush();
  }

  get queued(): number {
    return this.#reports.length;
  }

  flush(): void {
    if (this.#running || this.#reports.length === 0) return;
    this.#running = true;
    // #run catches what a send throws; nothing rejects here.
    void this.#run().finally(() => { this.#running = false; });
  }

  async #run(): Promise<void> {
    while (this.#sender.accepted && this.#reports.length > 0) {
      const parts = this.#reports[0] ?? [];
      for (const part of parts) {
        try {
          await this.#sender.call('NotifyReport', part);
        } catch (err) {
          if (classifyFailure(err) !== 'answered') {
            this.#log.warn({ requestId: part.requestId, seqNo: part.seqNo }, 'NotifyReport not delivered; report dropped');
            break;
          }
          this.#log.error({ requestId: part.requestId, seqNo: part.seqNo, err }, 'CSMS refused a NotifyReport part');
        }
      }
      this.#reports.shift();
    }
  }
}
