import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export const DOCKER_CLI = '/usr/bin/docker';

/** runs a program, returns its trimmed stdout; throws with stderr on a non-zero exit */
export async function run(file: string, args: string[], input?: string): Promise<string> {
  const child = exec(file, args, { maxBuffer: 16 * 1024 * 1024 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    return (await child).stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')}: ${(e.stderr || e.message).trim()}`, { cause: err });
  }
}

export function docker(...args: string[]): Promise<string> {
  return run(DOCKER_CLI, args);
}
