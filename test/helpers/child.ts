// A child process of a test, read line by line: the module under test, a broker, a lock holder. The one
// place that splits output into lines (a line cut across two chunks is still one line; stdout and stderr
// each keep their own partial line), waits for a line with a bound, and kills and waits for the exit.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Append the lines here (a log kept across restarts of the same program); a new array by default. */
  lines?: string[];
  /** With TSOCPP_TEST_VERBOSE set, every line is echoed to stderr behind this tag. */
  tag?: string;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Look at lines from this index of `lines` on (what came before belongs to an earlier step). */
  from?: number;
}

interface Waiter {
  re: RegExp;
  from: number;
  resolve(line: string): void;
  reject(err: Error): void;
}

export class Child {
  readonly proc: ChildProcess;
  /** Every complete line of stdout and stderr so far, in arrival order. */
  readonly lines: string[];
  readonly #waiters = new Set<Waiter>();
  readonly #exit: Promise<Exit>;
  #done: Exit | undefined;
  #spawnError: Error | undefined;
  readonly #verbose: string | undefined;

  constructor(command: string, args: readonly string[], o: ChildOptions = {}) {
    this.lines = o.lines ?? [];
    this.#verbose = process.env.TSOCPP_TEST_VERBOSE ? (o.tag ?? command) : undefined;
    this.proc = spawn(command, args, { cwd: o.cwd, env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#read(this.proc.stdout!);
    this.#read(this.proc.stderr!);
    // 'close', not 'exit': by then both pipes are drained, so `lines` holds everything the process wrote.
    this.#exit = new Promise((resolve) => {
      this.proc.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve(this.#settle({ code, signal })));
      // A program that cannot be started (ENOENT) emits 'error' and may never emit 'close'.
      this.proc.once('error', (err) => {
        this.#spawnError = err;
        if (this.proc.pid === undefined) resolve(this.#settle({ code: null, signal: null }));
      });
    });
  }

  /** True until the process has exited. */
  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null && this.#spawnError === undefined;
  }

  #read(stream: Readable): void {
    // Decoding in the stream keeps a multi-byte character cut across chunks whole.
    stream.setEncoding('utf8');
    let partial = '';
    stream.on('data', (chunk: string) => {
      partial += chunk;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        this.#line(partial.slice(0, nl).replace(/\r$/, ''));
        partial = partial.slice(nl + 1);
      }
    });
    stream.once('end', () => {
      if (partial !== '') this.#line(partial);
      partial = '';
    });
  }

  #line(line: string): void {
    if (line === '') return;
    this.lines.push(line);
    if (this.#verbose !== undefined) process.stderr.write(`[${this.#verbose}] ${line}\n`);
    for (const w of this.#waiters) {
      if (this.lines.length - 1 >= w.from && w.re.test(line)) w.resolve(line);
    }
  }

  #settle(exit: Exit): Exit {
    this.#done = exit;
    // Only waiters that someone holds are rejected: each one was handed out by waitFor and is awaited there.
    for (const w of this.#waiters) w.reject(new Error(`${this.#describeExit()} before a line matching ${w.re}${this.#tail(w.from)}`));
    return exit;
  }

  #describeExit(): string {
    if (this.#spawnError) return `could not start (${this.#spawnError.message})`;
    return `exited (${this.#done?.code ?? this.#done?.signal})`;
  }

  #tail(from: number): string {
    const seen = this.lines.slice(from);
    if (seen.length === 0) return '; no lines seen';
    return `; lines seen (last ${Math.min(20, seen.length)} of ${seen.length}):\n${seen.slice(-20).join('\n')}`;
  }

  /**
   * The first line from `from` on that matches. Rejects after `timeoutMs`, or when the process exits
   * first, with the lines seen so far. Settled once; its timer and its entry go when it settles.
   */
  waitFor(re: RegExp, o: WaitOptions = {}): Promise<string> {
    const from = o.from ?? 0;
    const timeoutMs = o.timeoutMs ?? 15_000;
    const hit = this.lines.slice(from).find((l) => re.test(l));
    if (hit !== undefined) return Promise.resolve(hit);
    if (this.#done) return Promise.reject(new Error(`${this.#describeExit()} before a line matching ${re}${this.#tail(from)}`));
    return new Promise<string>((resolve, reject) => {
      const w: Waiter = {
        re,
        from,
        resolve: (line) => { finish(); resolve(line); },
        reject: (err) => { finish(); reject(err); },
      };
      const timer = setTimeout(() => w.reject(new Error(`no line matching ${re} within ${timeoutMs} ms${this.#tail(from)}`)), timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(w);
      };
      this.#waiters.add(w);
    });
  }

  /** Resolves when the process has exited and its output is read. */
  exited(): Promise<Exit> {
    return this.#exit;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.running) this.proc.kill(signal);
  }

  /** `signal`, then SIGKILL if it is still there after `graceMs`; resolves with the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<Exit> {
    this.kill(signal);
    const t = setTimeout(() => this.kill('SIGKILL'), graceMs);
    try {
      return await this.#exit;
    } finally {
      clearTimeout(t);
    }
  }
}
