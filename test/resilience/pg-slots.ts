/**
 * PostgreSQL's connection slots taken for fault 6: idle connections held by a throw-away login role
 * of its own (not a superuser, so the reserved slots stay free as on a real full host), kept at a
 * target count of the server's client backends until released. Bounded by the server's own
 * max_connections; release() closes every one and drops the role, whatever happened before.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import pg from 'pg';
import { dotenv } from '../e2e/support/stack.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Debian's log of the local cluster (scripts/setup's PostgreSQL), where refused connections show */
const PG_LOG = '/var/log/postgresql/postgresql-15-main.log';
const REFUSED = /too many clients|remaining connection slots|too many connections for role/;

export interface SlotStats {
  maxConnections: number;
  reserved: number;
  /** client backends, counted as the bridge's capacity check counts them */
  inUse: number;
}

async function adminQuery<T>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: dotenv().PG_ADMIN_URL });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function slotStats(): Promise<SlotStats> {
  const [row] = await adminQuery<{ max: number; reserved: number; in_use: number }>(
    `SELECT current_setting('max_connections')::int AS max,
            current_setting('superuser_reserved_connections')::int AS reserved,
            (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS in_use`,
  );
  if (!row) throw new Error('no connection stats from PostgreSQL');
  return { maxConnections: row.max, reserved: row.reserved, inUse: row.in_use };
}

/** the connection limit PostgreSQL holds for a role (a tenant's: its plan's pools, docs/capacity.md) */
export async function roleConnectionLimit(role: string): Promise<number> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new Error(`not a role name: ${role}`);
  const [row] = await adminQuery<{ limit: number }>(
    `SELECT rolconnlimit AS limit FROM pg_roles WHERE rolname = '${role}'`,
  );
  if (!row) throw new Error(`no role ${role}`);
  return row.limit;
}

/** where PostgreSQL's log is now, to read what it refused from here on ('' without the log) */
export function pgLogMark(): { read(): string[] } {
  const start = existsSync(PG_LOG) ? statSync(PG_LOG).size : -1;
  return {
    read: () =>
      start < 0
        ? []
        : readFileSync(PG_LOG)
            .subarray(start)
            .toString('utf8')
            .split('\n')
            .filter((line) => REFUSED.test(line)),
  };
}

export class SlotHolder {
  /** the throw-away role (its own refusals in PostgreSQL's log are expected) */
  readonly role = `resil_slots_${randomBytes(4).toString('hex')}`;
  private readonly password = randomBytes(24).toString('hex');
  private readonly clients: pg.Client[] = [];
  private keeping: Promise<void> | undefined;
  private stopped = false;
  private roleMade = false;

  get held(): number {
    return this.clients.length;
  }

  /**
   * Takes slots until the server counts `target` client backends, and keeps it there (others'
   * connections come and go) until release(). `ceiling` bounds what it ever holds itself.
   */
  async hold(target: number, ceiling: number): Promise<void> {
    await this.makeRole();
    await this.topUp(target, ceiling);
    this.keep(500, () => this.topUp(target, ceiling));
  }

  /**
   * Takes every slot a non-superuser can get (until PostgreSQL refuses this role), and keeps
   * taking any that frees up, until release(): the server as full as a host that ran out.
   */
  async fill(ceiling: number): Promise<void> {
    await this.makeRole();
    await this.stopKeeper();
    await this.takeAll(ceiling);
    this.keep(200, () => this.takeAll(ceiling));
  }

  private async makeRole(): Promise<void> {
    if (this.roleMade) return;
    await adminQuery(
      `CREATE ROLE ${this.role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${this.password}'`,
    );
    this.roleMade = true;
  }

  private async stopKeeper(): Promise<void> {
    this.stopped = true;
    await this.keeping?.catch(() => undefined);
    this.keeping = undefined;
    this.stopped = false;
  }

  private keep(everyMs: number, again: () => Promise<void>): void {
    this.keeping = (async () => {
      while (!this.stopped) {
        await sleep(everyMs);
        if (!this.stopped) await again().catch(() => undefined);
      }
    })();
  }

  private async takeAll(ceiling: number): Promise<void> {
    while (!this.stopped && this.clients.length < ceiling) {
      try {
        await this.openOne();
      } catch (err) {
        if (REFUSED.test((err as Error).message)) return; // full
        throw err;
      }
    }
  }

  /** stops holding: the keeper ends and every connection closes; the role stays for the next hold */
  async letGo(): Promise<void> {
    await this.stopKeeper();
    await Promise.all(this.clients.splice(0).map((c) => c.end().catch(() => undefined)));
  }

  private async topUp(target: number, ceiling: number): Promise<void> {
    const missing = Math.min(target - (await slotStats()).inUse, ceiling - this.clients.length);
    // a few at a time: each is a backend forked and a SCRAM exchange on a shared 2-core host
    for (let done = 0; done < missing && !this.stopped;) {
      const batch = Math.min(16, missing - done);
      const opened = await Promise.allSettled(Array.from({ length: batch }, () => this.openOne()));
      const refused = opened.find((o) => o.status === 'rejected');
      if (refused) throw refused.reason;
      done += batch;
    }
  }

  private async openOne(): Promise<void> {
    const url = new URL(dotenv().PG_ADMIN_URL ?? '');
    const client = new pg.Client({
      host: url.hostname,
      port: Number(url.port || 5432),
      database: 'postgres',
      user: this.role,
      password: this.password,
    });
    // an idle connection dropped by the server must not crash the suite
    client.on('error', () => undefined);
    await client.connect();
    this.clients.push(client);
  }

  /** every connection closed and the role gone; safe to call more than once */
  async release(): Promise<void> {
    await this.letGo();
    if (!this.roleMade) return;
    await adminQuery(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${this.role}'`,
    );
    await adminQuery(`DROP ROLE IF EXISTS ${this.role}`);
    this.roleMade = false;
  }
}
