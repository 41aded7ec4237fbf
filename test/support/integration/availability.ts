/**
 * Integration tests talk to real services. When one is truly unavailable its tests are skipped
 * with a printed reason, except in CI (env CI or SAAS_REQUIRE_SERVICES set), where they fail.
 * Returns the skip reason, or undefined when the service is there.
 */
export async function unavailable(
  service: string,
  probe: () => Promise<unknown>,
): Promise<string | undefined> {
  try {
    await probe();
    return undefined;
  } catch (err) {
    const reason = `${service} unavailable: ${err instanceof Error ? err.message : String(err)}`;
    if (process.env.CI || process.env.SAAS_REQUIRE_SERVICES)
      throw new Error(`${reason} (required in CI)`, { cause: err });
    console.error(`SKIP ${reason}`);
    return reason;
  }
}

/** one line of measured figures in the test output (benchmarks assert on them, tests only log) */
export function logFigure(text: string): void {
  process.stdout.write(`[figures] ${text}\n`);
}

export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
