/**
 * scripts/lib/env-file.sh, run by bash: the stack's .env fills in what the process environment
 * leaves unset, and never overrides it (npm run bench's naive path set TENANT_DB_SOURCE=fresh and
 * .env's "template" won, so the naive figures were template ones).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const LIB = path.resolve(import.meta.dirname, '../../../scripts/lib/env-file.sh');
let dir: string | undefined;

async function exported(dotenv: string, env: Record<string, string>, keys: string[]) {
  dir = await mkdtemp(path.join(os.tmpdir(), 'env-file-'));
  const file = path.join(dir, '.env');
  await writeFile(file, dotenv);
  const script = `source "$1"; export_env_file "$2"; bash -c 'for k in ${keys.join(' ')}; do printf "%s=%s\\n" "$k" "\${!k-<unset>}"; done'`;
  const { stdout } = await run('bash', ['-c', script, 'test', LIB, file], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  return Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/=(.*)/s).slice(0, 2)),
  );
}

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('export_env_file', () => {
  it('lets the process environment win over .env, and exports the rest of .env', async () => {
    const values = await exported(
      'TENANT_DB_SOURCE=template\nRESTIC_PASSWORD=from-file\nexport QUOTED="25 465"\n# COMMENTED=x\n',
      { TENANT_DB_SOURCE: 'fresh' },
      ['TENANT_DB_SOURCE', 'RESTIC_PASSWORD', 'QUOTED', 'COMMENTED'],
    );
    expect(values).toEqual({
      TENANT_DB_SOURCE: 'fresh',
      RESTIC_PASSWORD: 'from-file',
      QUOTED: '25 465',
      COMMENTED: '<unset>',
    });
  });

  it('keeps a value set empty in the environment (set, not absent)', async () => {
    const values = await exported('SMTP_USER=file-user\n', { SMTP_USER: '' }, ['SMTP_USER']);
    expect(values).toEqual({ SMTP_USER: '' });
  });
});
