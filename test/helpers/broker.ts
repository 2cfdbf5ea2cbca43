// The broker a bus test talks to: mosquitto (or any broker) when MQTT_URL is set, else the embedded
// aedes broker on a free port. Each test file uses its own everest prefix, so files can share a broker.
import { randomBytes } from 'node:crypto';
import { startBroker } from '../../src/embedded/broker.js';
import { DIALECT_NAMES, type DialectName } from '../../src/everest/dialect.js';

export interface TestBroker {
  url: string;
  external: boolean;
  close(): Promise<void>;
}

export async function testBroker(): Promise<TestBroker> {
  const external = process.env.MQTT_URL;
  if (external) return { url: external, external: true, close: async () => undefined };
  const b = await startBroker({ port: 0 });
  return { url: b.url, external: false, close: () => b.close() };
}

export function uniquePrefix(tag = 't'): string {
  return `${tag}${randomBytes(4).toString('hex')}/`;
}

/** The dialect the bus suites run in (the test runner sets TSOCPP_TEST_DIALECT for each pass). */
export function testDialect(): DialectName {
  const d = process.env.TSOCPP_TEST_DIALECT ?? 'v25';
  if (!(DIALECT_NAMES as readonly string[]).includes(d)) throw new Error(`TSOCPP_TEST_DIALECT=${d} is not one of ${DIALECT_NAMES.join(', ')}`);
  return d as DialectName;
}
