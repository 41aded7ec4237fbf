import { z } from 'zod';
import { BridgeError } from '../errors.js';
import {
  INSTANCE_STATES,
  type InstancePatch,
  type InstanceRecord,
  type OdooPort,
  type PlanRecord,
} from '../ports/odoo.port.js';
import { TENANT_REF_PATTERN } from '../services/naming.js';
import { httpLink } from '../schemas/event.schema.js';
import { LOCALE_FIELDS } from '../schemas/locale.schema.js';
import type { OdooClient } from './odoo.client.js';

// Odoo answers `false` for empty fields and [id, display_name] for many2one.
const optText = z
  .union([z.string(), z.literal(false)])
  .transform((v) => (v === false || v === '' ? undefined : v));
const many2one = z.tuple([z.number().int(), z.string()]);

const instanceRow = z.object({
  id: z.number().int(),
  tenant_ref: z.string().regex(TENANT_REF_PATTERN, 'is not a tenant ref (saas_master too old?)'),
  subdomain: z.string().min(1),
  state: z.enum(INSTANCE_STATES),
  plan_id: many2one,
  partner_id: many2one,
  partner_email: optText,
  company_name: optText,
  // absent from a master older than the option: one company
  multi_company: z.boolean().default(false),
  lang: LOCALE_FIELDS.lang,
  country_code: LOCALE_FIELDS.country_code,
  currency_code: LOCALE_FIELDS.currency,
  tz: LOCALE_FIELDS.tz,
  expiration_date: optText,
  url: optText,
  db_name: optText,
  container_ref: optText,
  node_name: optText,
  admin_login: optText,
  initial_password: optText,
  provisioned_at: optText,
  purged_at: optText,
  copy_of_backup_id: z.union([many2one, z.literal(false)]),
  // verified custom domains, comma separated (saas.instance.domain)
  custom_domain_names: optText,
  // saas_tenant's version in the tenant's database, as the bridge last recorded it
  tenant_version: optText,
  // hibernation (docs/hibernation.md)
  sleeping: z.boolean().default(false),
  sleeping_since: optText.optional(),
});
const INSTANCE_FIELDS = Object.keys(instanceRow.shape);
// The periodic list (the reconciler's) never carries the customer's temporary password.
const listRow = instanceRow.omit({ initial_password: true });
const LIST_FIELDS = Object.keys(listRow.shape);

const planRow = z.object({
  id: z.number().int(),
  name: z.string(),
  saas_plan_code: z.string().min(1),
  saas_period_months: z.number().int().min(1),
  saas_trial_days: z.number().int().min(0),
  saas_max_users: z.number().int().min(0),
  saas_storage_mb: z.number().int().min(0),
  saas_cpu_limit: z.number().positive(),
  saas_memory_mb: z.number().int().min(256),
  saas_workers: z.number().int().min(0),
  saas_modules: optText,
  // 0: not set, the bridge's default
  saas_db_maxconn: z.number().int().min(0),
  saas_expected_memory_mb: z.number().int().min(0),
  saas_apps: optText,
  // 0: never sleeps
  saas_idle_minutes: z.number().int().min(0).default(0),
  list_price: z.number().min(0),
});
const PLAN_FIELDS = Object.keys(planRow.shape);

/** The master Odoo as the services see it: instances and plans, validated on the way in. */
export class MasterOdooRepository implements OdooPort {
  constructor(private readonly client: OdooClient) {}

  async ping(): Promise<void> {
    await this.client.authenticate();
  }

  async ownerId(): Promise<string> {
    const answer = await this.client.executeKw('saas.instance', 'bridge_owner', []);
    const parsed = z
      .string()
      .regex(/^[A-Za-z0-9-]{8,64}$/)
      .safeParse(answer);
    if (!parsed.success)
      throw new BridgeError('odoo_bad_answer', 'master Odoo gave no database uuid as owner');
    return parsed.data;
  }

  async getInstance(id: number): Promise<InstanceRecord | undefined> {
    const rows = await this.read('saas.instance', [['id', '=', id]], INSTANCE_FIELDS, instanceRow);
    return rows[0] && toInstance(rows[0]);
  }

  async listInstances(): Promise<InstanceRecord[]> {
    const rows = await this.read('saas.instance', [], LIST_FIELDS, listRow);
    return rows.map((row) => toInstance({ ...row, initial_password: undefined }));
  }

  async getPlan(id: number): Promise<PlanRecord> {
    const rows = await this.read(
      'product.template',
      [
        ['id', '=', id],
        ['saas_is_plan', '=', true],
      ],
      PLAN_FIELDS,
      planRow,
    );
    if (!rows[0])
      throw new BridgeError('plan_invalid', `plan ${id} is not a SaaS plan in the master`, true);
    return toPlan(rows[0]);
  }

  async listPlans(): Promise<PlanRecord[]> {
    const rows = await this.read(
      'product.template',
      [['saas_is_plan', '=', true]],
      PLAN_FIELDS,
      planRow,
    );
    return rows.map(toPlan);
  }

  async updateInstance(id: number, patch: InstancePatch, note?: string): Promise<void> {
    if (note === undefined) {
      await this.client.executeKw('saas.instance', 'write', [[id], patch]);
      return;
    }
    // write and chatter note in one round trip (saas_master's bridge_update)
    await this.client.executeKw('saas.instance', 'bridge_update', [[id], patch, note]);
  }

  async postNote(id: number, body: string): Promise<void> {
    await this.client.executeKw('saas.instance', 'message_post', [[id]], {
      body,
      message_type: 'comment',
      subtype_xmlid: 'mail.mt_note',
    });
  }

  async invoicePayUrl(instanceId: number, invoiceId: number): Promise<string | undefined> {
    const answer = await this.client.executeKw('saas.instance', 'bridge_pay_url', [
      [instanceId],
      invoiceId,
    ]);
    if (answer === false) return undefined;
    const parsed = httpLink.safeParse(answer);
    if (!parsed.success)
      throw new BridgeError('odoo_bad_answer', `master gave no pay link for invoice ${invoiceId}`);
    return parsed.data;
  }

  private async read<T extends z.ZodType>(
    model: string,
    domain: unknown[],
    fields: string[],
    schema: T,
  ): Promise<z.infer<T>[]> {
    const answer = await this.client.executeKw(model, 'search_read', [domain], {
      fields,
      context: { active_test: false },
    });
    const parsed = z.array(schema).safeParse(answer);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BridgeError(
        'odoo_bad_answer',
        `master Odoo sent an unexpected ${model} record: ${issue?.path.join('.')} ${issue?.message}`,
      );
    }
    return parsed.data;
  }
}

function toInstance(row: z.infer<typeof instanceRow>): InstanceRecord {
  return {
    id: row.id,
    tenantRef: row.tenant_ref,
    subdomain: row.subdomain,
    state: row.state,
    planId: row.plan_id[0],
    partnerId: row.partner_id[0],
    partnerName: row.partner_id[1],
    partnerEmail: row.partner_email,
    companyName: row.company_name,
    multiCompany: row.multi_company,
    lang: row.lang,
    countryCode: row.country_code,
    currency: row.currency_code,
    tz: row.tz,
    expirationDate: row.expiration_date,
    url: row.url,
    dbName: row.db_name,
    containerRef: row.container_ref,
    node: row.node_name,
    adminLogin: row.admin_login,
    initialPassword: row.initial_password,
    provisionedAt: row.provisioned_at,
    purgedAt: row.purged_at,
    copyOfBackupId: row.copy_of_backup_id === false ? undefined : row.copy_of_backup_id[0],
    customDomains: row.custom_domain_names ? row.custom_domain_names.split(',') : [],
    tenantVersion: row.tenant_version,
    sleeping: row.sleeping,
    sleepingSince: row.sleeping_since,
  };
}

function toPlan(row: z.infer<typeof planRow>): PlanRecord {
  return {
    id: row.id,
    code: row.saas_plan_code,
    name: row.name,
    periodMonths: row.saas_period_months,
    trialDays: row.saas_trial_days,
    maxUsers: row.saas_max_users,
    storageMb: row.saas_storage_mb,
    cpuLimit: row.saas_cpu_limit,
    memoryMb: row.saas_memory_mb,
    workers: row.saas_workers,
    modules: namesIn(row.saas_modules),
    apps: namesIn(row.saas_apps),
    price: row.list_price,
    dbMaxconn: row.saas_db_maxconn || undefined,
    expectedMemoryMb: row.saas_expected_memory_mb || undefined,
    idleMinutes: row.saas_idle_minutes,
  };
}

function namesIn(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
}
