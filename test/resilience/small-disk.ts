/**
 * Nearly full tenant data dirs for fault 12: small tmpfs mounts holding copies of the plans'
 * template filestores (so the bridge finds its templates ready and never rebuilds, nor drops, the
 * shared template databases) with less room left than one more copy needs. Never the machine's disk.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { E2E, dotenv } from '../e2e/support/stack.js';

const run = promisify(execFile);

async function usedKb(dir: string): Promise<number> {
  const { stdout } = await run('du', ['-sk', dir]);
  return Number(stdout.split('\t')[0]);
}

const mounted = new Set<SmallDisk>();

/** one small tmpfs under the stack dir (`small-disk-<name>`) */
export class SmallDisk {
  readonly dir: string;

  constructor(name: string) {
    this.dir = path.join(E2E.stackDir, `small-disk-${name}`);
  }

  /** mounts it with `freeKb` left after the templates; answers the templates copied */
  async mount(freeKb: number): Promise<string[]> {
    const source = dotenv().TENANT_DATA_DIR || '/var/lib/saas/tenants';
    const templates = (await readdir(source)).filter((name) => name.startsWith('tmpl_'));
    let copiesKb = 1024;
    for (const name of templates) copiesKb += await usedKb(path.join(source, name));
    await mkdir(this.dir, { recursive: true });
    const options = (kb: number) => `size=${kb}k,mode=0755`;
    await run('mount', ['-t', 'tmpfs', '-o', options(copiesKb), 'resil-small-disk', this.dir]);
    mounted.add(this);
    for (const name of templates) {
      await cp(path.join(source, name), path.join(this.dir, name), { recursive: true });
      // cp keeps no owner: the tenants' uid must read the copies as it reads the originals
      await run('chown', ['-R', '--reference', path.join(source, name), path.join(this.dir, name)]);
    }
    await run('chown', ['--reference', source, this.dir]);
    // what the copies take on tmpfs itself, then just `freeKb` more
    const { stdout } = await run('df', ['--output=used', '-k', this.dir]);
    const used = Number(stdout.trim().split('\n').pop());
    await run('mount', ['-o', `remount,${options(used + freeKb)}`, this.dir]);
    return templates;
  }

  /** the cause fixed: room for a tenant after all */
  async grow(sizeMb: number): Promise<void> {
    await run('mount', ['-o', `remount,size=${sizeMb}m`, this.dir]);
  }

  /** entries left on it besides the template copies */
  async leftovers(): Promise<string[]> {
    return (await readdir(this.dir)).filter((name) => !name.startsWith('tmpl_'));
  }

  /** unmounts it (lazily if a container still holds it) */
  async unmount(): Promise<void> {
    if (!mounted.has(this)) return;
    await run('umount', [this.dir]).catch(() => run('umount', ['-l', this.dir]));
    mounted.delete(this);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** every one still mounted: the suite's clean-up */
export async function unmountSmallDisks(): Promise<void> {
  for (const disk of [...mounted]) await disk.unmount().catch(() => undefined);
}
