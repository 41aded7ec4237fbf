import { BridgeError } from '../../../src/errors.js';
import type { TenantLimits, TenantPort, TenantSetup } from '../../../src/ports/tenant.port.js';
import { limitParameters } from '../../../src/adapters/tenant-odoo.repository.js';
import { passlibVerify } from '../../../src/services/tenant-identity.js';
import type { FakeDatabase } from './fake-database.js';
import type { FakeDocker } from './fake-docker.js';

/**
 * Tenant Odoos as the fake engine runs them: a URL answers only while a running container has
 * that address, and what Odoo keeps lives in the container's database: the customer admin's
 * credentials (a fresh clone has none: the template's admin/admin is cleared), and the hashed API key
 * of the bridge's technical user, which configure() must present.
 */
export class FakeTenant implements TenantPort {
  readonly setups: { db: string; setup: TenantSetup }[] = [];
  /** how long waitReady takes, to make jobs overlap in time */
  readyDelayMs = 0;

  constructor(
    private readonly docker: FakeDocker,
    private readonly pg: FakeDatabase,
  ) {}

  /** web.base.url per tenant database */
  readonly baseUrls = new Map<string, string>();

  async setBaseUrl(db: string, url: string): Promise<void> {
    this.baseUrls.set(db, url);
  }

  async setExpiration(db: string, date: string): Promise<void> {
    await this.pg.setConfigParameter(db, 'saas_tenant.expiration_date', date);
  }

  getExpiration(db: string): Promise<string | undefined> {
    return this.pg.getConfigParameter(db, 'saas_tenant.expiration_date');
  }

  /** as the real repository: the saas_tenant.* keys, straight into the database */
  async applyLimits(db: string, limits: TenantLimits): Promise<string[]> {
    return this.pg.setConfigParameters(db, limitParameters(limits));
  }

  async waitReady(baseUrl: string, timeoutMs: number): Promise<number> {
    if (this.readyDelayMs) await new Promise((resolve) => setTimeout(resolve, this.readyDelayMs));
    if (this.docker.byUrl(baseUrl)?.status !== 'running') {
      throw new BridgeError('tenant_not_ready', `${baseUrl} did not answer within ${timeoutMs} ms`);
    }
    return this.readyDelayMs;
  }

  async canLogin(baseUrl: string, db: string, login: string, password: string): Promise<boolean> {
    const data = this.dataOf(baseUrl, db);
    const stored = data.adminPassword ?? 'admin';
    return (data.adminLogin ?? 'admin') === login && stored !== '' && stored === password;
  }

  async configure(
    baseUrl: string,
    db: string,
    bridge: { login: string; key: string },
    setup: TenantSetup,
  ): Promise<void> {
    const data = await this.bridgeData(baseUrl, db, bridge);
    Object.assign(data, {
      company: setup.companyName,
      planCode: setup.limits.planCode,
      maxUsers: String(setup.limits.maxUsers),
      adminLogin: setup.adminLogin,
      adminPassword: setup.adminPassword,
    });
    this.setups.push({ db, setup });
  }

  /** as saas_tenant: only modules of `saas_tenant.apps`; answers those not installed before */
  async installModules(
    baseUrl: string,
    db: string,
    bridge: { login: string; key: string },
    modules: string[],
  ): Promise<string[]> {
    const data = await this.bridgeData(baseUrl, db, bridge);
    const allowed = ((await this.pg.getConfigParameter(db, 'saas_tenant.apps')) ?? '').split(',');
    const outside = modules.filter((name) => !allowed.includes(name));
    if (outside.length)
      throw new BridgeError('odoo_fault', `${outside.join(', ')}: not in this tenant's plan`, true);
    const before = this.installedModules(db);
    const added = modules.filter((name) => !before.includes(name)).sort();
    data.installedModules = [...before, ...added].join(',');
    return added;
  }

  /** what the template's `--init` run installed (a clone has its template's), plus what was added */
  installedModules(db: string): string[] {
    const { clonedFrom, data } = this.pg.get(db);
    const source = clonedFrom ?? db;
    const init = this.docker.runs
      .filter((spec) => spec.cmd.includes(`--database=${source}`))
      .flatMap((spec) => spec.cmd.filter((arg) => arg.startsWith('--init=')))
      .flatMap((arg) => arg.slice('--init='.length).split(','));
    const added = (data.installedModules ?? '').split(',');
    return [...new Set([...init, ...added])].filter(Boolean);
  }

  private async bridgeData(
    baseUrl: string,
    db: string,
    bridge: { login: string; key: string },
  ): Promise<Record<string, string>> {
    const data = this.dataOf(baseUrl, db);
    const accepted =
      data.bridgeLogin === bridge.login &&
      data.bridgeKeyIndex === bridge.key.slice(0, 8) &&
      (await passlibVerify(bridge.key, data.bridgeKeyHash ?? ''));
    if (!accepted) {
      throw new BridgeError('odoo_fault', `tenant ${db} refuses the bridge's technical user`, true);
    }
    return data;
  }

  /** the database the container at `baseUrl` serves, which must be `db` */
  private dataOf(baseUrl: string, db: string): Record<string, string> {
    const container = this.docker.byUrl(baseUrl);
    if (container?.status !== 'running')
      throw new BridgeError('odoo_unreachable', `${baseUrl} does not answer`);
    if (!container.spec.cmd.includes(`--database=${db}`)) {
      throw new BridgeError('odoo_fault', `${baseUrl} does not serve database ${db}`);
    }
    return this.pg.get(db).data;
  }
}
