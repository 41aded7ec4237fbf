/**
 * A nearly full tenant data dir for fault 12: a small tmpfs holding copies of the plans' template
 * filestores (so the bridge finds its templates ready and never rebuilds, nor drops, the shared
 * template databases) with less room left than one more copy needs. Never the machine's disk.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { E2E, dotenv } from '../e2e/support/stack.js';

const run = promisify(execFile);
export const smallDiskDir = path.join(E2E.stackDir, 'small-disk');
let mounted = false;

async function usedKb(dir: string): Promise<number> {
  const { stdout } = await run('du', ['-sk', dir]);
  return Number(stdout.split('\t')[0]);
}

/** mounts it with `freeKb` left after the templates; answers the templates copied */
export async function mountSmallDisk(freeKb: number): Promise<string[]> {
  const source = dotenv().TENANT_DATA_DIR || '/var/lib/saas/tenants';
  const templates = (await readdir(source)).filter((name) => name.startsWith('tmpl_'));
  let copiesKb = 1024;
  for (const name of templates) copiesKb += await usedKb(path.join(source, name));
  await mkdir(smallDiskDir, { recursive: true });
  const options = (kb: number) => `size=${kb}k,mode=0755`;
  await run('mount', ['-t', 'tmpfs', '-o', options(copiesKb), 'resil-small-disk', smallDiskDir]);
  mounted = true;
  for (const name of templates) {
    await cp(path.join(source, name), path.join(smallDiskDir, name), { recursive: true });
    // cp keeps no owner: the tenants' uid must read the copies as it reads the originals
    await run('chown', [
      '-R',
      '--reference',
      path.join(source, name),
      path.join(smallDiskDir, name),
    ]);
  }
  await run('chown', ['--reference', source, smallDiskDir]);
  // what the copies take on tmpfs itself, then just `freeKb` more
  const { stdout } = await run('df', ['--output=used', '-k', smallDiskDir]);
  const used = Number(stdout.trim().split('\n').pop());
  await run('mount', ['-o', `remount,${options(used + freeKb)}`, smallDiskDir]);
  return templates;
}

/** the cause fixed: room for a tenant after all */
export async function growSmallDisk(sizeMb: number): Promise<void> {
  await run('mount', ['-o', `remount,size=${sizeMb}m`, smallDiskDir]);
}

/** entries left on it besides the template copies */
export async function smallDiskLeftovers(): Promise<string[]> {
  return (await readdir(smallDiskDir)).filter((name) => !name.startsWith('tmpl_'));
}

/** unmounts it (lazily if a container still holds it) */
export async function unmountSmallDisk(): Promise<void> {
  if (!mounted) return;
  await run('umount', [smallDiskDir]).catch(() => run('umount', ['-l', smallDiskDir]));
  mounted = false;
  await rm(smallDiskDir, { recursive: true, force: true });
}
