/**
 * What the resilience suite holds against the stack after every fault: for this master (its owner
 * label), every instance that should run runs once, and no container, database, role or route is
 * left without an instance that wants it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { request } from '../e2e/http.js';
import type { MasterRpc } from '../e2e/support/master-rpc.js';
import { E2E, docker, dotenv } from '../e2e/support/stack.js';

const run = promisify(execFile);

export interface Tally {
  lost: string[];
  duplicated: string[];
  orphans: string[];
}

interface Row {
  id: number;
  state: string;
  subdomain: string;
}

/** states whose tenant exists (running or stopped); others own nothing */
const HOLDS_RESOURCES = new Set(['provisioning', 'running', 'suspended', 'error']);

export async function psql(sql: string): Promise<string[]> {
  const { stdout } = await run('psql', [dotenv().PG_ADMIN_URL ?? '', '-XAtqc', sql]);
  return stdout.split('\n').filter(Boolean);
}

export class World {
  /** instances the suite made that must be running (ids) */
  readonly mustRun = new Set<number>();
  /** instances the suite suspended on purpose: stopped, not lost */
  readonly mustBeStopped = new Set<number>();

  constructor(
    private readonly rpc: MasterRpc,
    readonly owner: string,
  ) {}

  async check(): Promise<Tally> {
    const tally: Tally = { lost: [], duplicated: [], orphans: [] };
    const rows = await this.rpc.searchRead<Row>('saas.instance', [], ['id', 'state', 'subdomain']);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const holds = (id: number) => HOLDS_RESOURCES.has(byId.get(id)?.state ?? 'gone');

    const containers = (
      await docker(
        'ps',
        '-a',
        '--filter',
        `label=saas.owner=${this.owner}`,
        '--format',
        '{{.Names}} {{.Label "saas.instance"}} {{.State}}',
      )
    )
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, instance, state] = line.split(' ');
        return { name: name ?? '', instance: Number(instance), state: state ?? '' };
      });
    const perInstance = new Map<number, typeof containers>();
    for (const c of containers) {
      perInstance.set(c.instance, [...(perInstance.get(c.instance) ?? []), c]);
      if (!holds(c.instance)) tally.orphans.push(`container ${c.name} (instance ${c.instance})`);
    }
    for (const [id, list] of perInstance) {
      if (list.length > 1) tally.duplicated.push(`instance ${id}: ${list.map((c) => c.name)}`);
    }
    for (const id of this.mustRun) {
      const running = perInstance.get(id)?.some((c) => c.state === 'running');
      if (byId.get(id)?.state !== 'running' || !running)
        tally.lost.push(
          `instance ${id}: ${byId.get(id)?.state ?? 'gone'}, container running ${running}`,
        );
    }
    for (const id of this.mustBeStopped) {
      const running = perInstance.get(id)?.some((c) => c.state === 'running');
      if (byId.get(id)?.state !== 'suspended' || running)
        tally.lost.push(`instance ${id} should be suspended and stopped`);
    }

    // databases and roles carry `saas:instance:<id> owner:<owner>` in their comment
    const marked = (kind: string, lines: string[]) => {
      for (const line of lines) {
        const [name, comment] = line.split('|');
        const id = Number(/saas:instance:(\d+)/.exec(comment ?? '')?.[1]);
        if (!holds(id)) tally.orphans.push(`${kind} ${name} (instance ${id})`);
      }
    };
    marked(
      'database',
      await psql(
        `SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database WHERE shobj_description(oid, 'pg_database') LIKE '%owner:${this.owner}%' AND datname LIKE 'tenant\\_%'`,
      ),
    );
    marked(
      'role',
      await psql(
        `SELECT rolname, shobj_description(oid, 'pg_authid') FROM pg_roles WHERE shobj_description(oid, 'pg_authid') LIKE '%owner:${this.owner}%'`,
      ),
    );
    for (const route of await this.routes()) {
      if (!holds(route.instance))
        tally.orphans.push(`route ${route.host} (instance ${route.instance})`);
    }
    return tally;
  }

  private async routes(): Promise<{ host: string; instance: number }[]> {
    const env = dotenv();
    const server = env.CADDY_SERVER || 'saas';
    const answer = await request(
      `http://127.0.0.1:${E2E.caddyAdminPort}/config/apps/http/servers/${server}/routes`,
    );
    if (answer.status !== 200) return [];
    const routes = JSON.parse(answer.body) as {
      match?: { host?: string[] }[];
      handle?: { handler?: string; saas_owner?: string; saas_instance?: string }[];
    }[];
    return (routes ?? []).flatMap((r) => {
      const vars = r.handle?.find((h) => h.handler === 'vars');
      if (vars?.saas_owner !== this.owner) return [];
      return [{ host: r.match?.[0]?.host?.[0] ?? '?', instance: Number(vars.saas_instance) }];
    });
  }
}
