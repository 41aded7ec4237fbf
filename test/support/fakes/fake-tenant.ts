import { BridgeError } from '../../../src/errors.js';
import type { TenantPort, TenantSetup } from '../../../src/ports/tenant.port.js';
import type { FakeDatabase } from './fake-database.js';
import type { FakeDocker } from './fake-docker.js';

/**
 * Tenant Odoos as the fake engine runs them: a URL answers only while a running container has
 * that address, and the admin's credentials live in the container's database (a fresh clone of
 * a template still has the template's admin/admin).
 */
export class FakeTenant implements TenantPort {
  readonly setups: { db: string; setup: TenantSetup }[] = [];
  /** how long waitReady takes, to make jobs overlap in time */
  readyDelayMs = 0;

  constructor(
    private readonly docker: FakeDocker,
    private readonly pg: FakeDatabase,
  ) {}

  async setExpiration(db: string, date: string): Promise<void> {
    await this.pg.setConfigParameter(db, 'saas_tenant.expiration_date', date);
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
    return (data.adminLogin ?? 'admin') === login && (data.adminPassword ?? 'admin') === password;
  }

  async configure(
    baseUrl: string,
    db: string,
    current: { login: string; password: string },
    setup: TenantSetup,
  ): Promise<boolean> {
    if (!(await this.canLogin(baseUrl, db, current.login, current.password))) return false;
    const data = this.dataOf(baseUrl, db);
    Object.assign(data, {
      company: setup.companyName,
      planCode: setup.limits.planCode,
      maxUsers: String(setup.limits.maxUsers),
      adminLogin: setup.adminLogin,
      adminPassword: setup.adminPassword,
    });
    this.setups.push({ db, setup });
    return true;
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
