// One bus test session: a broker, a manager stand-in in this pass's dialect, the module as a real
// process and a framework-style caller. Every bus suite starts from here.
import { testBroker, testDialect, uniquePrefix, type TestBroker } from './broker.js';
import { startTestManager, type TestManagerOptions } from './manager.js';
import { startModuleProcess, stopModule, type ModuleProcess } from './module-process.js';
import { FrameworkCaller } from './framework-caller.js';
import type { DialectName } from '../../src/everest/dialect.js';

export interface BusSession {
  readonly dialect: DialectName;
  readonly broker: TestBroker;
  readonly prefix: string;
  manager: Awaited<ReturnType<typeof startTestManager>>;
  mod: ModuleProcess;
  readonly caller: FrameworkCaller;
  /** Stop the module process and start it again against the same bus. */
  restartModule(): Promise<void>;
  close(): Promise<void>;
}

export interface BusSessionOptions extends Partial<Pick<TestManagerOptions, 'configModule' | 'eventSecurityEvent' | 'connections' | 'evseRelease' | 'retainTopics'>> {
  tag?: string;
  /** An existing broker (several sessions on one broker); closed by its owner. */
  broker?: TestBroker;
  /** Runs after the broker is up and before the manager starts (e.g. to sniff the handshake). */
  beforeManager?: (broker: TestBroker, prefix: string) => Promise<void>;
  moduleArgs?: string[];
}

export async function startBusSession(o: BusSessionOptions = {}): Promise<BusSession> {
  const dialect = testDialect();
  const broker = o.broker ?? await testBroker();
  const prefix = uniquePrefix(o.tag ?? 't');
  await o.beforeManager?.(broker, prefix);
  const manager = await startTestManager({
    brokerUrl: broker.url, prefix, dialect, configModule: o.configModule, eventSecurityEvent: o.eventSecurityEvent, connections: o.connections,
    evseRelease: o.evseRelease, retainTopics: o.retainTopics,
  });
  const mod = await startModuleProcess(broker.url, prefix, o.moduleArgs);
  const caller = await FrameworkCaller.connect(broker.url, prefix, dialect);
  const s: BusSession = {
    dialect,
    broker,
    prefix,
    manager,
    mod,
    caller,
    async restartModule() {
      await stopModule(s.mod);
      s.mod = await startModuleProcess(broker.url, prefix, o.moduleArgs);
    },
    async close() {
      await caller.close().catch(() => undefined);
      await stopModule(s.mod);
      await s.manager.stop();
      if (!o.broker) await broker.close();
    },
  };
  return s;
}

export { until } from './wait.js';
