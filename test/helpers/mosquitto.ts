// A mosquitto process of a test's own, for tests that stop and start the broker or read its log (which
// client sent DISCONNECT, which client published what). Ports 19700-19799. When the binary is missing
// the test marks itself skipped (`mosquittoMissing`, then `skip` of ./skip.ts).
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { Child } from './child.js';
import { tempDir } from './manager.js';
import { programMissing } from './skip.js';

export function mosquittoMissing(): boolean {
  return programMissing('mosquitto', ['-h']);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A free port in 19700-19799, starting at a random place so that concurrent runs rarely meet. */
export async function freePort(): Promise<number> {
  const start = Math.floor(Math.random() * 100);
  for (let i = 0; i < 100; i++) {
    const port = 19700 + ((start + i) % 100);
    if (await portFree(port)) return port;
  }
  throw new Error('no free port in 19700-19799');
}

export interface MosquittoOptions {
  /** Extra config lines (listeners, password_file, ...). The first listener is always `port`, anonymous. */
  extra?: string[];
  /** `per_listener_settings true`: each extra listener has its own allow_anonymous, password_file, TLS. */
  perListener?: boolean;
  /** Keep state across restarts (persistence file in the test's dir; saved on SIGTERM). */
  persistence?: boolean;
  port?: number;
}

export class Mosquitto {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly conf: string;
  /** Every log line of every run of this broker. */
  readonly log: string[] = [];
  #proc: Child | undefined;

  private constructor(port: number, dir: string, conf: string) {
    this.port = port;
    this.url = `mqtt://127.0.0.1:${port}`;
    this.dir = dir;
    this.conf = conf;
  }

  static async start(opts: MosquittoOptions = {}): Promise<Mosquitto> {
    const port = opts.port ?? await freePort();
    const dir = tempDir('tsocpp-mosq-');
    const conf = join(dir, 'mosquitto.conf');
    const lines = [
      // Run as root (CI containers), mosquitto would switch to its own user and could not read the test's files.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      `per_listener_settings ${opts.perListener ? 'true' : 'false'}`,
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      // Without it every QoS 2 request/reply costs 44 ms (everest-bus.md, transport facts).
      'set_tcp_nodelay true',
      'log_dest stderr',
      'log_type all',
      'connection_messages true',
      'log_timestamp true',
      'log_timestamp_format %s',
      ...(opts.persistence ? ['persistence true', `persistence_location ${dir}/`, 'autosave_interval 0'] : []),
      ...(opts.extra ?? []),
    ];
    writeFileSync(conf, `${lines.join('\n')}\n`);
    const m = new Mosquitto(port, dir, conf);
    await m.startAgain();
    return m;
  }

  get running(): boolean {
    return this.#proc?.running ?? false;
  }

  /** (Re)start on the same port and config; resolves when it listens. */
  async startAgain(): Promise<void> {
    if (this.running) return;
    // Every run appends to the one log, so that line indexes (`from`) hold across restarts.
    this.#proc = new Child('mosquitto', ['-c', this.conf], { lines: this.log, tag: 'mosquitto' });
    const deadline = Date.now() + 5000;
    for (;;) {
      if (!this.running) throw new Error(`mosquitto exited at start:\n${this.log.slice(-10).join('\n')}`);
      if (await this.#accepts()) return;
      if (Date.now() > deadline) throw new Error(`mosquitto does not listen on ${this.port}:\n${this.log.slice(-10).join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  #accepts(): Promise<boolean> {
    return new Promise((resolve) => {
      const s = net.createConnection({ host: '127.0.0.1', port: this.port });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
  }

  /** Stop it (SIGTERM: mosquitto saves its persistence file and closes every connection). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.running) return;
    await this.#proc!.stop(signal);
  }

  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.startAgain();
  }

  /** Log lines matching `re`, from the start or from line `from` on. */
  grep(re: RegExp, from = 0): string[] {
    return this.log.slice(from).filter((l) => re.test(l));
  }

  /** The first log line from line `from` on that matches `re`; rejects with the lines seen after `timeoutMs`. */
  async waitForLog(re: RegExp, timeoutMs = 5000, from = 0): Promise<string> {
    const hit = this.grep(re, from)[0];
    if (hit !== undefined) return hit;
    if (!this.#proc) throw new Error(`mosquitto never ran; no log line matching ${re}`);
    return this.#proc.waitFor(re, { timeoutMs, from });
  }
}
