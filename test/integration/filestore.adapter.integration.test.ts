import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilestoreAdapter } from '../../src/adapters/filestore.adapter.js';
import { BridgeError } from '../../src/errors.js';

const run = promisify(execFile);

const UID = 101;
let root: string;
let filestore: FilestoreAdapter;

describe('FilestoreAdapter on the real file system', () => {
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'saas-it-filestore-'));
    filestore = new FilestoreAdapter(root, UID);
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('puts each database in its own data dir under the root', () => {
    expect(filestore.dataDirOf('tenant_acme')).toBe(path.join(root, 'tenant_acme'));
  });

  it("writes the tenant's odoo.conf readable by the container's uid only", async () => {
    await filestore.writeOdooConfig('tenant_conf', '[options]\nadmin_passwd = x\n');
    await filestore.writeOdooConfig('tenant_conf', '[options]\nadmin_passwd = y\n');
    const file = path.join(root, 'tenant_conf', 'odoo.conf');
    expect(await readFile(file, 'utf8')).toBe('[options]\nadmin_passwd = y\n');
    const info = await stat(file);
    expect(info.mode & 0o777).toBe(0o600);
    if (process.getuid?.() === 0) expect(info.uid).toBe(UID);
  });

  it("adds an option to an odoo.conf that lacks it, keeping the file's mode and the rest", async () => {
    await filestore.writeOdooConfig('tenant_old', '[options]\nadmin_passwd = x');
    expect(await filestore.addOdooConfigOption('tenant_old', 'email_from', 'n@acme.test')).toBe(
      true,
    );
    expect(await filestore.addOdooConfigOption('tenant_old', 'email_from', 'other@x.test')).toBe(
      false,
    );
    const file = path.join(root, 'tenant_old', 'odoo.conf');
    expect(await readFile(file, 'utf8')).toBe(
      '[options]\nadmin_passwd = x\nemail_from = n@acme.test\n',
    );
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // no odoo.conf of ours: none is made (it would lack the master password)
    expect(await filestore.addOdooConfigOption('tenant_none', 'email_from', 'n@acme.test')).toBe(
      false,
    );
    await expect(filestore.exists('tenant_none')).resolves.toBe(false);
    await expect(filestore.addOdooConfigOption('tenant_old', 'email_from', 'a\nb')).rejects.toThrow(
      /refusing/,
    );
  });

  it('prepares an empty data dir for a template', async () => {
    expect(await filestore.exists('tmpl_a')).toBe(false);
    await filestore.ensureEmpty('tmpl_a');
    await filestore.ensureEmpty('tmpl_a');
    expect(await filestore.exists('tmpl_a')).toBe(true);
    expect((await stat(path.join(root, 'tmpl_a', 'filestore'))).isDirectory()).toBe(true);
  });

  it("copies the template's filestore under the clone's name, owned by the container's uid", async () => {
    const source = path.join(root, 'tmpl_a', 'filestore', 'tmpl_a', 'ab');
    await mkdir(source, { recursive: true });
    await writeFile(path.join(source, 'abcdef'), 'attachment bytes');
    await filestore.cloneFrom('tmpl_a', 'tenant_acme');
    const copy = path.join(root, 'tenant_acme', 'filestore', 'tenant_acme', 'ab', 'abcdef');
    expect(await readFile(copy, 'utf8')).toBe('attachment bytes');
    if (process.getuid?.() === 0) {
      expect((await stat(copy)).uid).toBe(UID);
      expect((await stat(path.join(root, 'tenant_acme'))).uid).toBe(UID);
    }
    expect(await filestore.sizeMb('tenant_acme')).toBeGreaterThanOrEqual(0);
  });

  it('replaces a half-copied clone and copies nothing from a template without filestore', async () => {
    await writeFile(path.join(root, 'tenant_acme', 'leftover'), 'x');
    await filestore.cloneFrom('tmpl_a', 'tenant_acme');
    await expect(stat(path.join(root, 'tenant_acme', 'leftover'))).rejects.toThrow();
    await filestore.cloneFrom('tmpl_missing', 'tenant_beta');
    expect(await filestore.exists('tenant_beta')).toBe(true);
  });

  it('removes data dirs idempotently', async () => {
    await filestore.remove('tenant_acme');
    await filestore.remove('tenant_acme');
    expect(await filestore.exists('tenant_acme')).toBe(false);
    expect(await filestore.sizeMb('tenant_acme')).toBe(0);
  });

  // a 4 MiB tmpfs of its own (mounting needs root: the CI and this machine run as root)
  it.skipIf(process.getuid?.() !== 0)(
    'a disk full mid-copy: ENOSPC named with the path, no partial copy left',
    async () => {
      const small = await mkdtemp(path.join(tmpdir(), 'saas-it-small-disk-'));
      await run('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'saas-it-small-disk', small]);
      try {
        const tight = new FilestoreAdapter(small, UID);
        const template = path.join(small, 'tmpl_full', 'filestore', 'tmpl_full');
        await mkdir(path.join(template, 'ab'), { recursive: true });
        // 1 MiB files: the first copies, the third cannot fit
        for (const n of [1, 2, 3])
          await writeFile(path.join(template, 'ab', `file${n}`), Buffer.alloc(1 << 20, n));
        const err = await tight.cloneFrom('tmpl_full', 'tenant_full').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BridgeError);
        expect((err as BridgeError).code).toBe('disk_full');
        expect((err as BridgeError).permanent).toBe(false);
        expect((err as Error).message).toMatch(/no space left on device \(ENOSPC\)/);
        expect((err as Error).message).toContain(path.join(small, 'tenant_full'));
        expect(await readdir(small)).toEqual(['tmpl_full']);
      } finally {
        await run('umount', [small]);
        await rm(small, { recursive: true, force: true });
      }
    },
  );
});
