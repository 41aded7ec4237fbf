/**
 * Removes tenants a test created, in the order that keeps them gone: the master stops wanting them
 * (state terminated, so no reconcile brings them back), then the container, database and role go.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { MasterRpc } from './master-rpc.js';
import { docker, dotenv } from './stack.js';

const run = promisify(execFile);

export async function retireTenants(rpc: MasterRpc, subdomains: string[]): Promise<string[]> {
  const adminUrl = dotenv().PG_ADMIN_URL ?? '';
  const retired: string[] = [];
  for (const sub of new Set(subdomains)) {
    const rows = await rpc
      .searchRead<{ id: number }>('saas.instance', [['subdomain', '=', sub]], ['id'])
      .catch(() => []);
    for (const row of rows) {
      await rpc
        .execute('saas.instance', 'write', [[row.id], { state: 'terminated' }])
        .catch(() => undefined);
    }
    await docker('rm', '-f', `saas-tenant-${sub}`).catch(() => undefined);
    const db = `tenant_${sub.replaceAll('-', '_')}`;
    await run('psql', [adminUrl, '-qc', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`]).catch(
      () => undefined,
    );
    await run('psql', [adminUrl, '-qc', `DROP ROLE IF EXISTS ${db}`]).catch(() => undefined);
    retired.push(sub);
  }
  return retired;
}
