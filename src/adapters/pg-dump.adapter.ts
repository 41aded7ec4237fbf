import { PassThrough, type Readable } from 'node:stream';
import pg from 'pg';
import { BridgeError } from '../errors.js';
import type { DatabaseDumpPort, OdooManifest } from '../ports/backup.port.js';
import type { DatabasePort } from '../ports/database.port.js';
import { failureText, outcome, start } from './child-process.js';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function checked(name: string): string {
  if (!IDENTIFIER.test(name))
    throw new BridgeError('backup_failed', `refusing unsafe database name "${name}"`, true);
  return name;
}

/**
 * The only code that runs pg_dump and psql. It connects with the admin URL, passed through libpq's
 * environment (PGPASSWORD) so the password never shows in a process list. pg_dump must be the
 * server's major version (Debian's postgresql-client 15 against PostgreSQL 15).
 */
export class PgDumpAdapter implements DatabaseDumpPort {
  constructor(
    private readonly adminUrl: string,
    private readonly databases: DatabasePort,
  ) {}

  dump(database: string): Readable {
    const out = new PassThrough();
    // --no-owner: what Odoo's own dump does, so the same file restores under any role. --no-acl: the
    // tenant's catalogs are hidden by a REVOKE on pg_catalog (postgres.adapter.ts), which only the
    // admin may run: restored as the tenant's role it fails, and a fresh database re-applies it anyway
    const child = start(
      'pg_dump',
      ['--no-owner', '--no-acl', '--format=plain', checked(database)],
      {
        env: this.env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    // the stream ends only once pg_dump exited 0: a dump cut short must not look complete
    child.stdout?.pipe(out, { end: false });
    void outcome(child, false).then((result) => {
      if (result.code === 0) out.end();
      else
        out.destroy(
          new BridgeError('backup_failed', `pg_dump of ${database}: ${failureText(result)}`),
        );
    });
    out.once('close', () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    return out;
  }

  async restore(database: string, owner: string, sql: Readable): Promise<void> {
    checked(database);
    checked(owner);
    await this.databases.dropDatabase(database);
    await this.databases.createEmptyDatabase(database, owner);
    const child = start(
      'psql',
      ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-d', database],
      { env: this.env(), stdio: ['pipe', 'ignore', 'pipe'] },
    );
    let sourceError: unknown;
    sql.once('error', (err) => {
      sourceError = err;
      child.kill('SIGKILL');
    });
    child.stdin?.on('error', () => undefined);
    // every object the dump creates belongs to the tenant's role, as if it had made them itself
    child.stdin?.write(`SET ROLE "${owner}";\n`);
    sql.pipe(child.stdin!);
    const result = await outcome(child, false);
    if (sourceError !== undefined || result.code !== 0) {
      const why =
        sourceError !== undefined
          ? `reading the backup failed: ${sourceError instanceof Error ? sourceError.message : String(sourceError)}`
          : failureText(result);
      await this.databases.dropDatabase(database).catch(() => undefined);
      throw new BridgeError('backup_failed', `restore of ${database}: ${why}`);
    }
  }

  async manifest(database: string): Promise<OdooManifest> {
    const url = new URL(this.adminUrl);
    url.pathname = `/${checked(database)}`;
    const client = new pg.Client({
      connectionString: url.toString(),
      connectionTimeoutMillis: 5_000,
    });
    try {
      await client.connect();
      const modules = await client.query<{ name: string; version: string | null }>(
        `SELECT name, latest_version AS version FROM ir_module_module WHERE state = 'installed'`,
      );
      const server = await client.query<{ v: string }>(`SHOW server_version_num`);
      const versions = Object.fromEntries(modules.rows.map((r) => [r.name, r.version ?? '']));
      const base = versions.base ?? '';
      // base's version is <odoo major>.<minor>.<module version>: 17.0.1.3 -> 17.0
      const major = base.split('.').slice(0, 2).join('.');
      const pgVersion = Number(server.rows[0]?.v ?? 0);
      return {
        odoo_dump: '1',
        db_name: database,
        version: major,
        version_info: [...major.split('.').map(Number), 0, 'final', 0, ''],
        major_version: major,
        pg_version: `${Math.floor(pgVersion / 10000)}.${pgVersion % 10000}`,
        modules: versions,
      };
    } catch (err) {
      if (err instanceof BridgeError) throw err;
      const why = err instanceof Error ? err.message : String(err);
      throw new BridgeError('backup_failed', `manifest of ${database}: ${why}`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private env(): NodeJS.ProcessEnv {
    const url = new URL(this.adminUrl);
    return {
      PATH: process.env.PATH,
      PGHOST: url.hostname,
      PGPORT: url.port || '5432',
      PGUSER: decodeURIComponent(url.username),
      PGPASSWORD: decodeURIComponent(url.password),
      PGDATABASE: 'postgres',
      PGCONNECT_TIMEOUT: '10',
    };
  }
}
