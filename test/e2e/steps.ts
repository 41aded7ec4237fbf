/** Runs the journey's steps in order: one line per step with its seconds, a screenshot per step. */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

export interface StepResult {
  n: number;
  name: string;
  ok: boolean;
  seconds: number;
  note?: string;
  error?: string;
}

export class StepFailed extends Error {
  constructor(
    readonly step: StepResult,
    cause: unknown,
  ) {
    super(`step ${step.n} (${step.name}) failed: ${step.error}`, { cause });
  }
}

export class Steps {
  readonly results: StepResult[] = [];
  /** the page the current step is about: screenshotted when the step ends, passed or failed */
  private shown: Page | undefined;

  constructor(
    readonly artifactsDir: string,
    readonly total: number,
  ) {
    mkdirSync(artifactsDir, { recursive: true });
    // screenshots of an earlier run would pass for this one's
    for (const file of readdirSync(artifactsDir))
      if (/^\d\d-.*\.png$/.test(file)) rmSync(path.join(artifactsDir, file));
  }

  /** what a customer would notice but that does not break the journey: printed under the step's line */
  readonly warnings: string[] = [];
  private unprinted = 0;

  warn(message: string): void {
    this.warnings.push(message);
  }

  /** which page the screenshot of the current step shows */
  show(page: Page): Page {
    this.shown = page;
    return page;
  }

  /** a screenshot in the middle of a step, e.g. `03-purchase-2-cart.png` */
  async snap(page: Page, name: string): Promise<void> {
    const n = String(this.results.length + 1).padStart(2, '0');
    await page
      .screenshot({ path: path.join(this.artifactsDir, `${n}-${name}.png`), fullPage: true })
      .catch(() => undefined);
  }

  /** runs one step; `fn` returns a short note for the step's line. Throws StepFailed on failure. */
  async run(name: string, fn: () => Promise<string | void>): Promise<void> {
    const n = this.results.length + 1;
    const file = path.join(this.artifactsDir, `${String(n).padStart(2, '0')}-${name}.png`);
    this.shown = undefined;
    const started = performance.now();
    let failure: unknown;
    let note: string | void = undefined;
    try {
      note = await fn();
    } catch (err) {
      failure = err;
    }
    const seconds = (performance.now() - started) / 1000;
    const shown = this.shown as Page | undefined; // set by fn() through show()
    if (shown) await shown.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    const result: StepResult = {
      n,
      name,
      ok: failure === undefined,
      seconds,
      note: note || undefined,
    };
    this.results.push(result);
    const head = `step ${n}/${this.total} ${name}`;
    if (result.ok) {
      console.log(`✔ ${head} (${seconds.toFixed(1)} s)${result.note ? `: ${result.note}` : ''}`);
      for (const warning of this.warnings.slice(this.unprinted)) console.log(`  ⚠ ${warning}`);
      this.unprinted = this.warnings.length;
      return;
    }
    result.error = failure instanceof Error ? failure.message : String(failure);
    console.log(`✘ ${head} FAILED after ${seconds.toFixed(1)} s: ${result.error}`);
    for (const warning of this.warnings.slice(this.unprinted)) console.log(`  ⚠ ${warning}`);
    this.unprinted = this.warnings.length;
    if (shown)
      console.log(`  screenshot: ${path.relative(process.cwd(), file)} (page ${shown.url()})`);
    throw new StepFailed(result, failure);
  }

  get passed(): number {
    return this.results.filter((r) => r.ok).length;
  }

  get failed(): number {
    return this.results.filter((r) => !r.ok).length;
  }
}
