import type { Logger } from '../observability/logger.js';
import type { FilestorePort } from '../ports/filestore.port.js';
import type { InstanceRecord } from '../ports/odoo.port.js';
import type { TenantMailServersPort } from '../ports/tenant-mail.port.js';
import type { TenantMailRelay } from '../ports/tenant.port.js';
import { NOTIFICATIONS_LOCAL_PART } from './provisioning/container.step.js';
import type { TenantIdentity } from './tenant-identity.js';

export interface TenantMailRelayDeps {
  servers: TenantMailServersPort;
  filestore: Pick<FilestorePort, 'addOdooConfigOption'>;
  identity: Pick<TenantIdentity, 'namesOf'>;
  /** the relay provisioning gives new tenants (TENANT_SMTP_*) */
  relay: TenantMailRelay;
  logger: Logger;
}

/**
 * Tenants provisioned before they got the platform's relay at set-up have no outgoing mail
 * server, so nothing they send leaves: at reconcile, each running tenant without any server gets
 * the relay (straight into its database, like its limits; Odoo looks its servers up per mail).
 * Its odoo.conf gets the `email_from` a new tenant's has (notifications@<its host>, the address
 * a mail from another domain goes out from), read at the container's next start (an update's).
 * A tenant is looked at once per bridge process: afterwards it has a server, the customer's or
 * ours, and one the customer removes is never put back.
 */
export class TenantMailRelayService {
  private readonly looked = new Set<number>();

  constructor(private readonly deps: TenantMailRelayDeps) {}

  /** answers the ids of the instances that got the relay */
  async backfill(instances: InstanceRecord[]): Promise<number[]> {
    const added: number[] = [];
    for (const instance of instances) {
      if (instance.state !== 'running' || !instance.provisionedAt) continue;
      if (this.looked.has(instance.id)) continue;
      const { db, host } = this.deps.identity.namesOf(instance);
      try {
        if (await this.deps.servers.addRelayIfNone(db, this.deps.relay, host)) {
          added.push(instance.id);
          this.deps.logger.info(
            { instance: instance.id },
            'tenant had no outgoing mail server: the platform relay added',
          );
          await this.addEmailFrom(instance, db, host);
        }
        this.looked.add(instance.id);
      } catch (err) {
        this.deps.logger.warn(
          { instance: instance.id, err },
          'mail server of the tenant not checked; next pass retries',
        );
      }
    }
    return added;
  }

  /** a failure here leaves the relay working: mails from other domains keep their own From */
  private async addEmailFrom(instance: InstanceRecord, db: string, host: string): Promise<void> {
    try {
      await this.deps.filestore.addOdooConfigOption(
        db,
        'email_from',
        `${NOTIFICATIONS_LOCAL_PART}@${host}`,
      );
    } catch (err) {
      this.deps.logger.warn(
        { instance: instance.id, err },
        'email_from not added to the tenant odoo.conf; mails from other domains keep their From',
      );
    }
  }
}
