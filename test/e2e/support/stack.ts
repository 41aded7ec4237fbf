/**
 * The e2e stack: the same scripts/stack, on its own ports, state dir, master database and Redis db,
 * so it cannot disturb a stack someone is using on this machine.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO = path.resolve(import.meta.dirname, '../../..');

// STACK_PROFILE=bench / resilience / lifecycle gives the benchmark, the resilience suite and
// npm run test:lifecycle their own stacks, so they can run beside an e2e run
export const PROFILES = {
  e2e: { shift: 0, dir: '.stack-e2e', db: 'saas_e2e', redisDb: 1 },
  bench: { shift: 100, dir: '.stack-bench', db: 'saas_bench', redisDb: 2 },
  // its own Redis (test/resilience/redis.ts), which its fault 2 restarts
  resilience: { shift: 200, dir: '.stack-resil', db: 'saas_resil', redisDb: 3, redisPort: 6579 },
  lifecycle: { shift: 300, dir: '.stack-lifecycle', db: 'saas_lifecycle', redisDb: 4 },
  https: { shift: 400, dir: '.stack-https', db: 'saas_https', redisDb: 5 },
} as const;
export type ProfileName = keyof typeof PROFILES;

/** ports, dirs and names of one profile's stack */
export function profileStack(name: ProfileName) {
  const profile = PROFILES[name];
  const { shift } = profile;
  const stackDir = path.join(REPO, profile.dir);
  return {
    stackDir,
    // its own restic repositories (master and tenants): never the dev stack's nor another
    // checkout's, whose RESTIC_PASSWORD may differ
    backupDir: path.join(stackDir, 'backups'),
    masterDb: profile.db,
    odooPort: 18069 + shift,
    bridgePort: 13000 + shift,
    caddyPort: 18080 + shift,
    caddyAdminPort: 12019 + shift,
    caddyHttpsPort: 18443 + shift,
    smtpPort: 11025 + shift,
    redisDb: profile.redisDb,
    redisPort: 'redisPort' in profile ? profile.redisPort : 6379,
  };
}
export type Stack = ReturnType<typeof profileStack>;

const profileName = (process.env.STACK_PROFILE ?? 'e2e') as ProfileName;
export const E2E = profileStack(profileName in PROFILES ? profileName : 'e2e');

export const masterUrl = `http://localhost:${E2E.odooPort}`;
export const bridgeUrl = `http://127.0.0.1:${E2E.bridgePort}`;

export function stackEnv(of: Stack = E2E): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SAAS_STACK_DIR: of.stackDir,
    STACK_BACKUP_DIR: of.backupDir,
    STACK_MASTER_DB: of.masterDb,
    STACK_ODOO_PORT: String(of.odooPort),
    STACK_BRIDGE_PORT: String(of.bridgePort),
    STACK_CADDY_PORT: String(of.caddyPort),
    STACK_CADDY_ADMIN_PORT: String(of.caddyAdminPort),
    STACK_CADDY_HTTPS_PORT: String(of.caddyHttpsPort),
    STACK_SMTP_PORT: String(of.smtpPort),
    STACK_REDIS_DB: String(of.redisDb),
    STACK_REDIS_PORT: String(of.redisPort),
    // a throwaway master: cloned afresh from the master template at every up (seconds, no install)
    STACK_MASTER_FROM_TEMPLATE: '1',
    STACK_RECREATE_FOREIGN_DB: '1',
  };
}

/** scripts/stack with the e2e environment; output streamed with a prefix so progress shows. */
export function stack(...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(REPO, 'scripts/stack'), args, {
      env: stackEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const relay = (chunk: Buffer) =>
      process.stdout.write(chunk.toString().replace(/^(?=.)/gm, '  [stack] '));
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`scripts/stack ${args.join(' ')} exited ${code}`)),
    );
  });
}

/** values of the repository's .env (written by scripts/setup) */
export function dotenv(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of readFileSync(path.join(REPO, '.env'), 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m?.[1]) values[m[1]] = (m[2] ?? '').replace(/^"(.*)"$/, '$1');
  }
  return values;
}

export function logTail(name: string, lines = 40): string {
  try {
    return readFileSync(path.join(E2E.stackDir, 'logs', `${name}.log`), 'utf8')
      .split('\n')
      .slice(-lines)
      .join('\n');
  } catch {
    return `(no ${name} log)`;
  }
}

export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/docker', args);
  return stdout.trim();
}

/** the pid of one of the stack's programs, as its supervisord knows it */
export function pidOf(name: string): number | undefined {
  try {
    const out = execFileSync(path.join(REPO, 'scripts/stack'), ['pid', name], {
      env: stackEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return Number(out.trim()) || undefined;
  } catch {
    return undefined;
  }
}
