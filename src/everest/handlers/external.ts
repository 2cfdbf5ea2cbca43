// A topic under the external MQTT prefix that a module subscribed to (Everest::MqttProvider::subscribe): the
// raw payload as a string, no envelope, as the framework hands it on. One callback that throws does not keep
// the others from running.
import type { Logger } from '../../log.js';

export type ExternalCallback = (payload: string) => void;

export interface ExternalHost {
  readonly log: Logger;
}

export function handleExternal(host: ExternalHost, callbacks: readonly ExternalCallback[], topic: string, buf: Buffer): void {
  const payload = buf.toString('utf8');
  for (const cb of callbacks) {
    try {
      cb(payload);
    } catch (err) {
      host.log.error({ err, topic }, 'handler of an external MQTT topic failed');
    }
  }
}
