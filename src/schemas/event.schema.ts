import { z } from 'zod';
import { CONTRACT, sameAsContract } from '../contract.js';
import { LOCALE_FIELDS } from './locale.schema.js';
import { isHostname } from '../services/tls-ask.service.js';

/** The body the master's outbox posts to /v1/events (docs/contracts.md). */
export const EVENT_TYPES = sameAsContract(
  'event types',
  [
    'order.confirmed',
    'invoice.paid',
    'instance.retry',
    'instance.suspend',
    'instance.reactivate',
    'instance.terminate',
    'instance.backup',
    'instance.restore',
    'instance.copy',
    'instance.backups_expired',
    'instance.reminder',
    'instance.deletion_warning',
    'instance.charge_failed',
    'instance.plan_changed',
    'instance.storage_warning',
    'instance.update',
    'instance.move',
    'domain.verify',
    'domain.remove',
  ] as const,
  Object.keys(CONTRACT.event_types),
);
export type EventType = (typeof EVENT_TYPES)[number];

/** Odoo ids are PostgreSQL `integer`s: a larger one can name no record, so it is refused (422). */
export const ODOO_ID_MAX = 2_147_483_647;
const id = z.number().int().positive().max(ODOO_ID_MAX);

const orderConfirmed = z.object({
  order_id: id,
  order_name: z.string().min(1).max(64),
  partner_id: id,
  plan_code: z.string().min(1).max(64),
  subdomain: z.string().min(1).max(63),
  // the buyer's locale (false: the partner has none). Optional: provisioning reads it from the
  // instance, so an order an older master queued before an upgrade still provisions, never a 422
  lang: LOCALE_FIELDS.lang.optional(),
  country_code: LOCALE_FIELDS.country_code.optional(),
  currency: LOCALE_FIELDS.currency.optional(),
  tz: LOCALE_FIELDS.tz.optional(),
});

const invoicePaid = z.object({
  invoice_id: id,
  invoice_name: z.string().min(1).max(64),
  partner_id: id,
  plan_code: z.string().min(1).max(64),
  amount: z.number().nonnegative(),
  currency: z.string().min(3).max(3),
});

const adminRequest = z.object({ requested_by: z.string().min(1).max(128) });
/** a Swarm node's hostname, as `docker node ls` shows it */
export const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const moveRequest = adminRequest.extend({
  node: z.string().regex(NODE_NAME, 'is not a node name'),
});

const backupRequest = z.object({
  requested_by: z.string().min(1).max(128),
  kind: z.literal('manual').default('manual'),
  /** the pending saas.backup record the master made */
  backup_id: id.optional(),
});

const restoreRequest = z.object({
  requested_by: z.string().min(1).max(128),
  backup_id: id,
  snapshot_id: z.string().regex(/^[0-9a-f]{8,64}$/, 'must be a restic snapshot id'),
});

/** a new instance provisioned from a backup of another one (a copy for testing) */
const copyRequest = z.object({
  requested_by: z.string().min(1).max(128),
  backup_id: id,
  source_instance_id: id,
});

const day = z.iso.date();

/** the master's sweep: a purged tenant's final backup has been kept long enough */
const backupsExpired = z.object({
  purged_on: day,
  kept_days: z.number().int().min(0).max(3650),
});
const money = z.number().nonnegative();
const currency = z.string().min(3).max(3);
/**
 * The master's portal page of the invoice; only http(s). Not `z.httpUrl()`: that refuses hosts without
 * a dot, and a local or test master is `localhost:<port>` (its reminder and suspension were 422s).
 */
export const httpLink = z.url({ protocol: /^https?$/ }).max(2048);
const payUrl = httpLink;

export const REMINDER_DATA = z.object({
  invoice_id: id,
  invoice_name: z.string().min(1).max(64),
  amount: money,
  currency,
  pay_url: payUrl,
  due_date: day,
  days_left: z.number().int().min(0).max(366),
  trial: z.boolean(),
});

export const DELETION_WARNING_DATA = z.object({ deletion_date: day, suspended_on: day });

export const CHARGE_FAILED_DATA = z.object({
  invoice_id: id,
  invoice_name: z.string().min(1).max(64),
  amount: money,
  currency,
  pay_url: payUrl,
  attempt: z.number().int().positive().max(100),
  attempts_left: z.number().int().min(0).max(100),
  error: z.string().max(500),
  due_date: day,
});

/** the master switched the instance's plan (the new one is read from the master when applied) */
export const PLAN_CHANGE_KINDS = ['upgrade', 'downgrade', 'order', 'admin'] as const;
const megabytes = z.number().nonnegative().max(1e9);
/** the master saw the tenant's storage cross its warning share of the plan's quota */
export const STORAGE_WARNING_DATA = z.object({
  used_mb: megabytes,
  quota_mb: megabytes.positive(),
  pct: z.number().nonnegative().max(100_000),
});

export const PLAN_CHANGED_DATA = z.object({
  plan_code: z.string().min(1).max(64),
  previous_plan_code: z.string().min(1).max(64),
  change: z.enum(PLAN_CHANGE_KINDS),
});

/**
 * A rolling update's request for one instance (saas_master's saas.rollout): back up, `-u` these
 * modules, check, roll back when it fails, and report on the rollout's line.
 */
export const UPDATE_DATA = z.object({
  requested_by: z.string().min(1).max(128),
  rollout_line_id: id,
  target_version: z.string().regex(/^[0-9A-Za-z.+_-]{1,64}$/, 'must be a module version'),
  /** Odoo technical module names, given to `-u` */
  modules: z
    .array(z.string().regex(/^[a-z0-9_]{1,64}$/, 'must be a technical module name'))
    .min(1)
    .max(50),
});

/**
 * Keys the contract does not require but the bridge uses when they come: the sweep's suspension
 * and deletion warning name the open renewal invoice, a terminate may ask for the purge.
 */
const openInvoice = { invoice_id: id.optional(), pay_url: payUrl.optional() };
const suspendExtras = { reason: z.string().max(32).optional(), ...openInvoice };
const terminateExtras = { purge: z.boolean().optional() };

/** a customer's own domain, as the master normalized it (lower case, no trailing dot) */
const hostname = z
  .string()
  .max(253)
  .refine((value) => isHostname(value) && value.includes('.'), 'is not a domain name');
const domainVerify = z.object({
  domain_id: id,
  domain: hostname,
  token: z.string().regex(/^[0-9a-f]{32}$/, 'is not a domain check token'),
});
const domainRemove = z.object({ domain: hostname, was_verified: z.boolean() });

/** The data of each type, checked at import against the keys the contract requires. */
export const EVENT_DATA: Record<EventType, z.ZodObject> = {
  'order.confirmed': orderConfirmed,
  'invoice.paid': invoicePaid,
  'instance.retry': adminRequest,
  'instance.suspend': adminRequest,
  'instance.reactivate': adminRequest,
  'instance.terminate': adminRequest,
  'instance.backup': backupRequest,
  'instance.restore': restoreRequest,
  'instance.copy': copyRequest,
  'instance.backups_expired': backupsExpired,
  'instance.reminder': REMINDER_DATA,
  'instance.deletion_warning': DELETION_WARNING_DATA,
  'instance.charge_failed': CHARGE_FAILED_DATA,
  'instance.plan_changed': PLAN_CHANGED_DATA,
  'instance.storage_warning': STORAGE_WARNING_DATA,
  'instance.update': UPDATE_DATA,
  'instance.move': moveRequest,
  'domain.verify': domainVerify,
  'domain.remove': domainRemove,
};
for (const type of EVENT_TYPES) {
  sameAsContract(
    `data keys of ${type}`,
    Object.keys(EVENT_DATA[type].shape),
    CONTRACT.event_types[type] ?? [],
  );
}

const envelope = {
  // lower-cased: the same UUID in another case is the same event (dedupe, job ids)
  id: z.uuid().transform((value) => value.toLowerCase()),
  occurred_at: z.iso.datetime({ offset: true }),
  instance_id: id,
};

export const bridgeEventSchema = z.discriminatedUnion('type', [
  z.object({ ...envelope, type: z.literal('order.confirmed'), data: orderConfirmed }),
  z.object({ ...envelope, type: z.literal('invoice.paid'), data: invoicePaid }),
  z.object({ ...envelope, type: z.literal('instance.retry'), data: adminRequest }),
  z.object({
    ...envelope,
    type: z.literal('instance.suspend'),
    data: adminRequest.extend(suspendExtras),
  }),
  z.object({ ...envelope, type: z.literal('instance.reactivate'), data: adminRequest }),
  z.object({
    ...envelope,
    type: z.literal('instance.terminate'),
    data: adminRequest.extend(terminateExtras),
  }),
  z.object({ ...envelope, type: z.literal('instance.reminder'), data: REMINDER_DATA }),
  z.object({
    ...envelope,
    type: z.literal('instance.deletion_warning'),
    data: DELETION_WARNING_DATA.extend(openInvoice),
  }),
  z.object({ ...envelope, type: z.literal('instance.charge_failed'), data: CHARGE_FAILED_DATA }),
  z.object({ ...envelope, type: z.literal('instance.backup'), data: backupRequest }),
  z.object({ ...envelope, type: z.literal('instance.restore'), data: restoreRequest }),
  z.object({ ...envelope, type: z.literal('instance.plan_changed'), data: PLAN_CHANGED_DATA }),
  z.object({
    ...envelope,
    type: z.literal('instance.storage_warning'),
    data: STORAGE_WARNING_DATA,
  }),
  z.object({ ...envelope, type: z.literal('instance.copy'), data: copyRequest }),
  z.object({ ...envelope, type: z.literal('instance.backups_expired'), data: backupsExpired }),
  z.object({ ...envelope, type: z.literal('instance.update'), data: UPDATE_DATA }),
  z.object({ ...envelope, type: z.literal('instance.move'), data: moveRequest }),
  z.object({ ...envelope, type: z.literal('domain.verify'), data: domainVerify }),
  z.object({ ...envelope, type: z.literal('domain.remove'), data: domainRemove }),
]);

export type BridgeEvent = z.infer<typeof bridgeEventSchema>;
