import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** How a child process ended, with the tail of its stderr for error messages. */
export interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const STDERR_TAIL = 4_000;

/** Starts a program (no shell, so no quoting or injection through arguments). */
export function start(file: string, args: string[], options: SpawnOptions): ChildProcess {
  return spawn(file, args, { ...options, shell: false });
}

/**
 * Waits for a child to end, collecting stdout (when piped and `keepStdout`) and the last
 * characters of stderr. Never rejects: the caller decides what a non-zero exit means.
 */
export function outcome(child: ChildProcess, keepStdout = true): Promise<ChildOutcome> {
  let stdout = '';
  let stderr = '';
  if (keepStdout) child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL);
  });
  return new Promise((resolve) => {
    child.once('error', (err) => resolve({ code: -1, signal: null, stdout, stderr: err.message }));
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** One line saying how a child failed: its stderr, else its exit code or signal. */
export function failureText(result: ChildOutcome): string {
  const why = result.stderr.trim().split('\n').slice(-3).join(' / ');
  if (why) return why;
  return result.signal ? `killed by ${result.signal}` : `exit code ${String(result.code)}`;
}
