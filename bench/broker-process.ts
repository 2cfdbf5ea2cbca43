// The embedded broker (aedes, TCP_NODELAY server sockets) in a process of its own, so that the floor
// and TsOcpp talk through the same broker and neither shares its event loop with it.
//   tsx bench/broker-process.ts --port P
import { startBroker } from '../src/embedded/broker.js';
import { parseFlags } from '../src/everest/settings.js';

const { flags } = parseFlags(process.argv.slice(2));
const broker = await startBroker({ host: '127.0.0.1', port: Number(flags.port ?? 0) });
process.stdout.write(`ready ${broker.url}\n`);
process.once('SIGTERM', () => {
  void broker.close().then(() => process.exit(0));
});
