// What a test started, stopped after it in the reverse order (the database last, the bus client first), so each
// test file needs one line of teardown: `test.after.each(() => cleanup.run())`. A failing stop does not keep the
// others from running; the first failure is thrown once all ran.
export class Cleanup {
  #stops: Array<() => unknown> = [];

  /** Registers how to stop `thing`; returns it, so `x = cleanup.add(await start(), (x) => x.stop())` reads well. */
  add<T>(thing: T, stop: (t: T) => unknown): T {
    this.#stops.push(() => stop(thing));
    return thing;
  }

  async run(): Promise<void> {
    const stops = this.#stops.reverse();
    this.#stops = [];
    let first: Error | undefined;
    for (const stop of stops) {
      try {
        await stop();
      } catch (err) {
        first ??= err instanceof Error ? err : new Error(String(err));
      }
    }
    if (first !== undefined) throw first;
  }
}
