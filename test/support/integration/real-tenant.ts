/**
 * What the integration tests on a real tenant share: the runtime a tenant container gets here (the
 * tenant network made if missing, the database on its gateway unless TENANT_DB_HOST says otherwise),
 * read from the same environment variables as the bridge.
 */
import path from 'node:path';
import type { DockerAdapter } from '../../../src/adapters/docker.adapter.js';
import type { TenantRuntime } from '../../../src/services/tenant-runtime.js';

const REPO = path.resolve(import.meta.dirname, '../../..');

export async function realTenantRuntime(
  docker: Pick<DockerAdapter, 'ensureNetwork'>,
  odooSrc: string | undefined,
  image: string,
): Promise<TenantRuntime> {
  const network = process.env.TENANT_NETWORK ?? 'saas_tenants';
  const { gateway } = await docker.ensureNetwork(
    network,
    process.env.TENANT_SUBNET ?? '172.30.0.0/24',
  );
  return {
    image,
    odooSrc,
    addonsPath: process.env.TENANT_ADDONS_PATH ?? '/opt/odoo/addons,/mnt/extra-addons',
    saasAddonsDir: path.join(REPO, 'odoo-addons'),
    network,
    dbHost: process.env.TENANT_DB_HOST || gateway,
    dbPort: Number(process.env.TENANT_DB_PORT ?? 5432),
  };
}
