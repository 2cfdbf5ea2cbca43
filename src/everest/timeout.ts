// Race a promise against a timer that is cleared either way, so that no stray timer keeps the
// process alive after shutdown.
export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<'timeout'>((resolve) => { timer = setTimeout(resolve, ms, 'timeout'); })]);
  } finally {
    clearTimeout(timer);
  }
}
