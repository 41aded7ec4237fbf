import { execFile } from 'node:child_process';
import { access, appendFile, chown, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { BridgeError } from '../errors.js';
import type { FilestorePort } from '../ports/filestore.port.js';

const run = promisify(execFile);

/**
 * Tenant data dirs on the Docker host: <root>/<db>/ is mounted as the container's /var/lib/odoo,
 * so the filestore of <db> lives in <root>/<db>/filestore/<db>.
 */
export class FilestoreAdapter implements FilestorePort {
  constructor(
    private readonly root: string,
    private readonly uid: number,
  ) {}

  dataDirOf(db: string): string {
    return path.resolve(this.root, db);
  }

  async exists(db: string): Promise<boolean> {
    return access(this.dataDirOf(db)).then(
      () => true,
      () => false,
    );
  }

  async ensureEmpty(db: string): Promise<void> {
    await this.guard(`prepare data dir of ${db}`, async () => {
      await mkdir(path.join(this.dataDirOf(db), 'filestore'), { recursive: true });
      await this.chownTree(db);
    });
  }

  async cloneFrom(templateDb: string, db: string): Promise<void> {
    const source = path.join(this.dataDirOf(templateDb), 'filestore', templateDb);
    const target = path.join(this.dataDirOf(db), 'filestore', db);
    try {
      await this.guard(`copy filestore ${templateDb} -> ${target}`, async () => {
        await rm(this.dataDirOf(db), { recursive: true, force: true });
        await mkdir(path.dirname(target), { recursive: true });
        const hasSource = await access(source).then(
          () => true,
          () => false,
        );
        if (hasSource) await cp(source, target, { recursive: true });
        await this.chownTree(db);
      });
    } catch (err) {
      // nothing half-made: a partial copy holds the full disk and looks like a tenant's files
      await rm(this.dataDirOf(db), { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
  }

  async remove(db: string): Promise<void> {
    await this.guard(`remove data dir of ${db}`, () =>
      rm(this.dataDirOf(db), { recursive: true, force: true }),
    );
  }

  async writeOdooConfig(db: string, content: string): Promise<void> {
    await this.guard(`write odoo.conf of ${db}`, async () => {
      const file = path.join(this.dataDirOf(db), 'odoo.conf');
      await mkdir(this.dataDirOf(db), { recursive: true });
      await writeFile(file, content, { mode: 0o600 });
      if (process.getuid?.() === 0) {
        await chown(this.dataDirOf(db), this.uid, this.uid);
        await chown(file, this.uid, this.uid);
      }
    });
  }

  async addOdooConfigOption(db: string, key: string, value: string): Promise<boolean> {
    if (!/^[a-z_]+$/.test(key) || /[\r\n]/.test(value))
      throw new BridgeError('internal', `refusing odoo.conf option ${key}`, true);
    let added = false;
    await this.guard(`add ${key} to odoo.conf of ${db}`, async () => {
      const file = path.join(this.dataDirOf(db), 'odoo.conf');
      const content = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      // no file: not a config of ours (a new one would lack the tenant's master password)
      if (content === undefined || new RegExp(`^\\s*${key}\\s*=`, 'm').test(content)) return;
      const separator = content.endsWith('\n') ? '' : '\n';
      await appendFile(file, `${separator}${key} = ${value}\n`);
      added = true;
    });
    return added;
  }

  async sizeMb(db: string): Promise<number> {
    try {
      const { stdout } = await run('du', ['-sk', this.dataDirOf(db)]);
      return Math.round(Number(stdout.split('\t')[0]) / 1024);
    } catch {
      return 0;
    }
  }

  private async chownTree(db: string): Promise<void> {
    if (process.getuid?.() !== 0) return; // only root may give files away; a non-root bridge owns them already
    await chown(this.dataDirOf(db), this.uid, this.uid);
    await run('chown', ['-R', `${this.uid}:${this.uid}`, this.dataDirOf(db)]);
  }

  private async guard(action: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC')
        throw new BridgeError(
          'disk_full',
          `${action}: no space left on device (ENOSPC) under ${path.resolve(this.root)}: make room there, then retry (${why})`,
          false,
          { cause: err },
        );
      throw new BridgeError('internal', `${action}: ${why}`, false, { cause: err });
    }
  }
}
