import { BridgeError } from '../errors.js';
import type { MailMessage, MailPort } from '../ports/mail.port.js';
import type { InstanceRecord, InstanceState, OdooPort } from '../ports/odoo.port.js';
import type {
  ChargeFailedMailData,
  DeletionWarningMailData,
  StorageWarningMailData,
  PlanChangedMailData,
  ReminderMailData,
  StateMailData,
  StateMailKind,
} from '../schemas/job.schema.js';
import { noticeMail, type Notice } from './lifecycle-mail-templates.js';
import { escapeHtml } from './secrets.js';
import { welcomeMail } from './mail-templates.js';
import { tenantHost } from './naming.js';

export interface MailServiceDeps {
  odoo: OdooPort;
  mailer: MailPort;
  /** the customer's instance page in the master portal */
  portalUrl(instanceId: number): string;
  baseDomain: string;
}

/** the state a state mail speaks of: when the instance left it before the mail went, it is not sent */
const STATE_OF: Record<StateMailKind, InstanceState> = {
  suspended: 'suspended',
  reactivated: 'running',
  renewed: 'running',
  deleted: 'terminated',
};

export const SKIPPED = 'skipped';

/** Customer mails; each one sent is also logged on the instance in the master (never the password). */
export class MailService {
  constructor(private readonly deps: MailServiceDeps) {}

  async sendWelcome(instanceId: number): Promise<string> {
    const instance = await this.recipient(instanceId);
    if (!instance.url)
      throw new BridgeError('mail_failed', `instance ${instanceId} has no URL yet`);
    const message = welcomeMail({
      to: instance.partnerEmail,
      customerName: instance.partnerName,
      url: instance.url,
      login: instance.adminLogin ?? instance.partnerEmail,
      password: instance.initialPassword,
      portalUrl: this.deps.portalUrl(instanceId),
      lang: instance.lang,
    });
    const { messageId } = await this.deps.mailer.send(message);
    await this.deps.odoo.postNote(
      instanceId,
      `Mail sent to ${escapeHtml(message.to)}: "${escapeHtml(message.subject)}" (login ${escapeHtml(
        instance.adminLogin ?? message.to,
      )}, URL ${escapeHtml(instance.url)}).`,
    );
    return messageId;
  }

  async sendReminder({ instanceId, facts }: ReminderMailData): Promise<string> {
    const payUrl = await this.payLink(instanceId, facts.invoice_id);
    return this.sendNotice(instanceId, () => ({
      kind: 'reminder',
      daysLeft: facts.days_left,
      dueDate: facts.due_date,
      amount: facts.amount,
      currency: facts.currency,
      invoiceName: facts.invoice_name,
      trial: facts.trial,
      payUrl,
    }));
  }

  async sendDeletionWarning({ instanceId, facts }: DeletionWarningMailData): Promise<string> {
    const payUrl = await this.payLink(instanceId, facts.invoice_id);
    return this.sendNotice(instanceId, () => ({
      kind: 'deletion-warning',
      deletionDate: facts.deletion_date,
      payUrl,
    }));
  }

  async sendChargeFailed({ instanceId, facts }: ChargeFailedMailData): Promise<string> {
    const payUrl = await this.payLink(instanceId, facts.invoice_id);
    return this.sendNotice(instanceId, () => ({
      kind: 'charge-failed',
      attempt: facts.attempt,
      attemptsLeft: facts.attempts_left,
      error: facts.error,
      dueDate: facts.due_date,
      payUrl,
    }));
  }

  async sendStorageWarning({ instanceId, facts }: StorageWarningMailData): Promise<string> {
    return this.sendNotice(instanceId, () => ({
      kind: 'storage-warning',
      usedMb: facts.used_mb,
      quotaMb: facts.quota_mb,
      pct: facts.pct,
      upgradeUrl: this.deps.portalUrl(instanceId),
    }));
  }

  /** After a new plan was applied; "skipped" when the plan changed again before the mail went. */
  async sendPlanChanged({ instanceId, planCode }: PlanChangedMailData): Promise<string> {
    const instance = await this.recipient(instanceId);
    const plan = await this.deps.odoo.getPlan(instance.planId);
    if (plan.code !== planCode) return SKIPPED;
    return this.sendNotice(
      instanceId,
      (i) => ({
        kind: 'plan-changed',
        planName: plan.name,
        maxUsers: plan.maxUsers,
        storageMb: plan.storageMb,
        url: i.url ?? `https://${this.hostOf(i)}`,
      }),
      instance,
    );
  }

  /** After a state change of the bridge's; answers "skipped" when the instance has left that state. */
  async sendStateMail({ instanceId, kind, invoiceId }: StateMailData): Promise<string> {
    const instance = await this.recipient(instanceId);
    if (instance.state !== STATE_OF[kind]) return SKIPPED;
    const payUrl = kind === 'suspended' ? await this.payLink(instanceId, invoiceId) : undefined;
    return this.sendNotice(instanceId, (i) => this.stateNotice(i, kind, payUrl), instance);
  }

  /**
   * The pay link, read from the master now (job data holds no access tokens): the invoice's portal
   * page while it is open, else the instance's page in the portal (paid meanwhile, or no invoice).
   */
  private async payLink(instanceId: number, invoiceId: number | undefined): Promise<string> {
    const url = invoiceId ? await this.deps.odoo.invoicePayUrl(instanceId, invoiceId) : undefined;
    return url ?? this.deps.portalUrl(instanceId);
  }

  private stateNotice(
    instance: InstanceRecord,
    kind: StateMailKind,
    payUrl: string | undefined,
  ): Notice {
    const portalUrl = this.deps.portalUrl(instance.id);
    const url = instance.url ?? `https://${this.hostOf(instance)}`;
    switch (kind) {
      case 'suspended':
        return { kind, payUrl: payUrl ?? portalUrl };
      case 'reactivated':
        return { kind, url };
      case 'renewed':
        if (!instance.expirationDate)
          throw new BridgeError('mail_failed', `instance ${instance.id} has no expiry`, true);
        return { kind, url, nextPaymentDate: instance.expirationDate };
      case 'deleted':
        return { kind, portalUrl };
    }
  }

  private async sendNotice(
    instanceId: number,
    notice: (instance: InstanceRecord & { partnerEmail: string }) => Notice,
    loaded?: InstanceRecord & { partnerEmail: string },
  ): Promise<string> {
    const instance = loaded ?? (await this.recipient(instanceId));
    const message: MailMessage = noticeMail(
      {
        to: instance.partnerEmail,
        customerName: instance.partnerName,
        host: this.hostOf(instance),
        lang: instance.lang,
      },
      notice(instance),
    );
    const { messageId } = await this.deps.mailer.send(message);
    await this.deps.odoo.postNote(
      instanceId,
      `Mail sent to ${escapeHtml(message.to)}: "${escapeHtml(message.subject)}".`,
    );
    return messageId;
  }

  private hostOf(instance: InstanceRecord): string {
    return tenantHost(instance.subdomain, this.deps.baseDomain);
  }

  private async recipient(instanceId: number): Promise<InstanceRecord & { partnerEmail: string }> {
    const instance = await this.deps.odoo.getInstance(instanceId);
    if (!instance)
      throw new BridgeError('instance_not_found', `instance ${instanceId} does not exist`, true);
    const { partnerEmail } = instance;
    if (!partnerEmail)
      throw new BridgeError('mail_failed', `instance ${instanceId}'s customer has no email`, true);
    return { ...instance, partnerEmail };
  }
}
