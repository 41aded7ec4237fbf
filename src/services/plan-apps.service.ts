import { BridgeError } from '../errors.js';
import type { DockerPort } from '../ports/docker.port.js';
import type { InstanceRecord, PlanRecord } from '../ports/odoo.port.js';
import type { TenantPort } from '../ports/tenant.port.js';
import { BRIDGE_LOGIN, type TenantIdentity } from './tenant-identity.js';
import { ODOO_HTTP_PORT } from './tenant-runtime.js';

export interface PlanAppsOutcome {
  installed: string[];
  /** one line for the instance's chatter */
  note: string;
}

/**
 * The apps of an instance's plan (its `saas_modules`, what the plan's template installs) that the
 * running tenant lacks, installed by the bridge's technical user: after an upgrade, and when a tenant
 * whose plan changed while it was stopped runs again. The plan's limits must be written first:
 * saas_tenant installs nothing outside `saas_tenant.apps`.
 */
export class PlanAppsService {
  constructor(
    private readonly deps: {
      docker: Pick<DockerPort, 'findContainer'>;
      tenant: Pick<TenantPort, 'installModules'>;
      identity: TenantIdentity;
    },
  ) {}

  async install(instance: InstanceRecord, plan: PlanRecord): Promise<PlanAppsOutcome> {
    const wanted = plan.modules;
    if (wanted.length === 0) return { installed: [], note: 'apps: the plan names none' };
    const names = this.deps.identity.namesOf(instance);
    const container = await this.deps.docker.findContainer(names.container);
    if (container?.status !== 'running' || !container.ip)
      return {
        installed: [],
        note: `apps (${wanted.join(', ')}) are installed when the tenant runs again`,
      };
    try {
      const installed = await this.deps.tenant.installModules(
        `http://${container.ip}:${ODOO_HTTP_PORT}`,
        instance.dbName ?? names.db,
        { login: BRIDGE_LOGIN, key: this.deps.identity.bridgeKey(instance.tenantRef) },
        wanted,
      );
      return {
        installed,
        note: installed.length
          ? `apps installed: ${installed.join(', ')}`
          : `apps: ${wanted.join(', ')} already installed`,
      };
    } catch (err) {
      // a refusal will not change on a retry (a module this Odoo lacks): said, not retried forever
      if (err instanceof BridgeError && err.permanent)
        return { installed: [], note: `apps NOT installed: ${err.message}` };
      throw err;
    }
  }
}
