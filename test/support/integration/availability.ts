/**
 * Integration tests talk to real services. When one is truly unavailable its tests are skipped
 * with a printed reason, except where the services are required (CI, or SAAS_REQUIRE_SERVICES=1):
 * there the suite fails, naming the service. Every integration suite decides through this one helper.
 * Returns the skip reason, or undefined when the service is there.
 */
export async function unavailable(
  service: string,
  probe: () => Promise<unknown>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  try {
    await probe();
    return undefined;
  } catch (err) {
    const reason = `${service} unavailable: ${err instanceof Error ? err.message : String(err)}`;
    const required = servicesRequired(env);
    if (required) throw new Error(`${reason} (required: ${required})`, { cause: err });
    console.error(`SKIP ${reason}`);
    return reason;
  }
}

/**
 * Odoo is optional in README's test command (it runs the Odoo suites only with an Odoo tree), so a
 * missing ODOO_SRC skips with a reason even where services are required; a set ODOO_SRC whose Odoo
 * does not start still fails through unavailable().
 */
export function withoutOdooSrc(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.ODOO_SRC) return undefined;
  const reason = 'ODOO_SRC is not set: suites against a real Odoo need an Odoo 17 tree';
  console.error(`SKIP ${reason}`);
  return reason;
}

/** why services are required here ("CI is set", "SAAS_REQUIRE_SERVICES=1"), or undefined */
export function servicesRequired(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const on = (value: string | undefined) =>
    value !== undefined && !['', '0', 'false', 'no'].includes(value.toLowerCase());
  if (on(env.SAAS_REQUIRE_SERVICES)) return `SAAS_REQUIRE_SERVICES=${env.SAAS_REQUIRE_SERVICES}`;
  if (on(env.CI)) return 'CI is set';
  return undefined;
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
