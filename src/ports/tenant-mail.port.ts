import type { TenantMailRelay } from './tenant.port.js';

/** The outgoing mail servers (ir_mail_server) in a tenant's database, whether its Odoo runs or not. */
export interface TenantMailServersPort {
  /**
   * Gives tenant database `db` the platform's relay, sending for `mailDomain`, as saas_tenant's
   * set-up makes it (models/saas_tenant_setup.py), only when the database has no outgoing mail
   * server at all (archived ones count: they are the customer's) and never had the platform's
   * (no saas_tenant.mail_server_id): a server the customer configured, or their removal of ours,
   * stays as it is. Answers true when it added the relay.
   */
  addRelayIfNone(db: string, relay: TenantMailRelay, mailDomain: string): Promise<boolean>;
}
