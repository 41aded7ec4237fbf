/** Tenant data directories (Odoo's data_dir with the filestore) on the Docker host. */
export interface FilestorePort {
  /** host path of a database's data dir */
  dataDirOf(db: string): string;
  exists(db: string): Promise<boolean>;
  /** copies the template's filestore into a new data dir owned by the container's uid */
  cloneFrom(templateDb: string, db: string): Promise<void>;
  /** an empty data dir owned by the container's uid */
  ensureEmpty(db: string): Promise<void>;
  remove(db: string): Promise<void>;
  /** writes the tenant's Odoo config file (odoo.conf in its data dir, readable by the container's uid only) */
  writeOdooConfig(db: string, content: string): Promise<void>;
  /**
   * adds `key = value` to the tenant's odoo.conf when the file exists and sets no `key` yet (read
   * at its container's next start); answers true when it added the line
   */
  addOdooConfigOption(db: string, key: string, value: string): Promise<boolean>;
  sizeMb(db: string): Promise<number>;
}
