import type { FilestorePort } from '../../../src/ports/filestore.port.js';

/** Data dirs in memory: the set of databases that have one, and where each was copied from. */
export class FakeFilestore implements FilestorePort {
  readonly dirs = new Map<string, { copiedFrom: string | undefined }>();
  /** odoo.conf of each data dir */
  readonly configs = new Map<string, string>();

  dataDirOf(db: string): string {
    return `/srv/fake-tenants/${db}`;
  }

  async exists(db: string): Promise<boolean> {
    return this.dirs.has(db);
  }

  async cloneFrom(templateDb: string, db: string): Promise<void> {
    this.dirs.set(db, { copiedFrom: templateDb });
  }

  async ensureEmpty(db: string): Promise<void> {
    if (!this.dirs.has(db)) this.dirs.set(db, { copiedFrom: undefined });
  }

  async remove(db: string): Promise<void> {
    this.dirs.delete(db);
    this.configs.delete(db);
  }

  async writeOdooConfig(db: string, content: string): Promise<void> {
    this.configs.set(db, content);
  }

  async addOdooConfigOption(db: string, key: string, value: string): Promise<boolean> {
    const content = this.configs.get(db);
    if (content === undefined || new RegExp(`^\\s*${key}\\s*=`, 'm').test(content)) return false;
    this.configs.set(db, `${content}${key} = ${value}\n`);
    return true;
  }

  async sizeMb(db: string): Promise<number> {
    return this.dirs.has(db) ? 3 : 0;
  }
}
