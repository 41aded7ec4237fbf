import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  PROFILES,
  REPO,
  profileStack,
  stackEnv,
  type ProfileName,
} from '../../e2e/support/stack.js';

/** where scripts/stack puts this environment's restic repositories (its bridge's base) */
function backupsOf(env: NodeJS.ProcessEnv): string {
  return execFileSync(path.join(REPO, 'scripts/stack'), ['backups'], {
    env,
    encoding: 'utf8',
  }).trim();
}

describe('each stack backs up into its own restic repositories', () => {
  const names = Object.keys(PROFILES) as ProfileName[];

  it('every test profile resolves to a base under its own state dir', () => {
    for (const name of names) {
      const stack = profileStack(name);
      expect(backupsOf(stackEnv(stack))).toBe(path.join(stack.stackDir, 'backups'));
    }
  });

  it('no two stacks (the dev stack included) share one master repository', () => {
    const dev = { ...process.env, SAAS_STACK_DIR: '', STACK_BACKUP_DIR: '' };
    const bases = [backupsOf(dev), ...names.map((n) => backupsOf(stackEnv(profileStack(n))))];
    const masters = bases.map((base) => `${base}/master`);
    expect(new Set(masters).size).toBe(names.length + 1);
  });
});
