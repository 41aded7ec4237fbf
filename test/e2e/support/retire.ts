/**
 * Removes tenants a test created, in the order that keeps them gone: the master stops wanting them
 * (state terminated, so no reconcile brings them back), then the container, database, role and data dir go.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { MasterRpc } from './master-rpc.js';
import { docker, dotenv } from './stack.js';

const run = promisify(execFile);

export async function retireTenants(rpc: MasterRpc, subdomains: string[]): Promise<string[]> {
  const env = dotenv();
  const adminUrl = env.PG_ADMIN_URL ?? '';
  const retired: string[] = [];
  for (const sub of new Set(subdomains)) {
    const rows = await rpc
      .searchRead<{
        id: number;
        tenant_ref: string;
      }>('saas.instance', [['subdomain', '=', sub]], ['id', 'tenant_ref'])
      .catch(() => []);
    for (const row of rows) {
      await rpc
        .execute('saas.instance', 'write', [[row.id], { state: 'terminated' }])
        .catch(() => undefined);
      // names come from the tenant ref (src/services/naming.ts), never from the subdomain
      if (!/^[a-z0-9][a-z0-9-]{1,28}[a-z0-9]$/.test(row.tenant_ref)) continue;
      await docker('rm', '-f', `saas-tenant-${row.tenant_ref}`).catch(() => undefined);
      const db = `tenant_${row.tenant_ref.replaceAll('-', '_')}`;
      await run('psql', [adminUrl, '-qc', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`]).catch(
        () => undefined,
      );
      await run('psql', [adminUrl, '-qc', `DROP ROLE IF EXISTS ${db}`]).catch(() => undefined);
      if (env.TENANT_DATA_DIR)
        await rm(path.join(env.TENANT_DATA_DIR, db), { recursive: true, force: true });
    }
    retired.push(sub);
  }
  return retired;
}
