import path from 'node:path';
import type { ContainerSpec } from '../ports/docker.port.js';

/** Where and how tenant Odoo containers run; built once from config in main.ts. */
export interface TenantRuntime {
  image: string;
  /** host path of an Odoo tree mounted at /opt/odoo (local runtime image only) */
  odooSrc: string | undefined;
  addonsPath: string;
  /** host dir of our addons; only its saas_tenant is mounted into tenants (never saas_master) */
  saasAddonsDir: string;
  network: string;
  dbHost: string;
  dbPort: number;
  /**
   * DOCKER_MODE=swarm: the image carries Odoo and saas_tenant (scripts/build-swarm-tenant-image) and
   * tenants keep their attachments in the database, so a tenant mounts nothing of this host and any
   * node can run it. One-shot runs (template builds) stay on this host and mount the data dir only.
   */
  selfContained?: boolean;
}

export const ODOO_HTTP_PORT = 8069;
export const MANAGED_LABEL = 'saas.managed';
/** the one addon of ours a tenant gets: the master's addon (bridge secret, customers) stays out */
export const TENANT_ADDON = 'saas_tenant';

export interface OdooContainerInput {
  name: string;
  db: string;
  dbUser: string;
  dbPassword: string;
  dataDir: string;
  labels: Record<string, string>;
  memoryMb: number;
  cpus: number;
  /** extra Odoo arguments: -i for templates, server options for tenants */
  odooArgs: string[];
  restart: ContainerSpec['restart'];
}

/** Same spec for the official odoo:17 image (entrypoint reads HOST/USER/...) and ours (libpq reads PG*). */
export function odooContainerSpec(
  runtime: TenantRuntime,
  input: OdooContainerInput,
): ContainerSpec {
  const binds = runtime.selfContained
    ? input.restart === 'no'
      ? [`${input.dataDir}:/var/lib/odoo`]
      : []
    : [
        `${input.dataDir}:/var/lib/odoo`,
        `${path.join(runtime.saasAddonsDir, TENANT_ADDON)}:/mnt/extra-addons/${TENANT_ADDON}:ro`,
        ...(runtime.odooSrc ? [`${runtime.odooSrc}:/opt/odoo:ro`] : []),
      ];
  const db = {
    HOST: runtime.dbHost,
    PORT: String(runtime.dbPort),
    USER: input.dbUser,
    PASSWORD: input.dbPassword,
  };
  return {
    name: input.name,
    image: runtime.image,
    cmd: [
      'odoo',
      `--database=${input.db}`,
      `--db-filter=^${input.db}$`,
      '--no-database-list',
      `--addons-path=${runtime.addonsPath}`,
      '--data-dir=/var/lib/odoo',
      ...input.odooArgs,
    ],
    env: [
      ...Object.entries(db).map(([k, v]) => `${k}=${v}`),
      ...Object.entries(db).map(([k, v]) => `PG${k}=${v}`),
    ],
    labels: { [MANAGED_LABEL]: 'true', ...input.labels },
    memoryMb: input.memoryMb,
    cpus: input.cpus,
    binds,
    network: runtime.network,
    restart: input.restart,
  };
}
