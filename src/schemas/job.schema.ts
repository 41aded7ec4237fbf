import { z } from 'zod';
import {
  CHARGE_FAILED_DATA,
  DELETION_WARNING_DATA,
  NODE_NAME,
  REMINDER_DATA,
  STORAGE_WARNING_DATA,
} from './event.schema.js';

/**
 * Jobs on the instances queue; they carry ids only (never secrets or access tokens): Odoo is read
 * again when they run. A pay link is the invoice id; the mail reads the link from the master.
 */
export const INSTANCE_ACTIONS = [
  'provision',
  'paid',
  'suspend',
  'reactivate',
  'terminate',
  'change-plan',
  'move-instance',
] as const;
export type InstanceAction = (typeof INSTANCE_ACTIONS)[number];

const instanceId = z.number().int().positive();
/** an invoice of the instance; its portal link (with its access token) is read when the mail goes */
const invoiceId = z.number().int().positive().max(2147483647);

export const instanceJobSchema = z.object({
  instanceId,
  action: z.enum(INSTANCE_ACTIONS),
  eventId: z.string().min(1),
  eventType: z.string().min(1),
  /** terminate: final backup, then database, role and filestore removed too */
  purge: z.boolean().optional(),
  /** suspend: the open renewal invoice, whose pay link goes into the "suspended" mail */
  invoiceId: invoiceId.optional(),
  /** move: the Swarm node the admin named */
  node: z.string().regex(NODE_NAME).optional(),
});
export type InstanceJobData = z.infer<typeof instanceJobSchema>;

export const MAIL_KINDS = ['welcome'] as const;
export const mailJobSchema = z.object({
  instanceId,
  kind: z.enum(MAIL_KINDS),
});
export type MailJobData = z.infer<typeof mailJobSchema>;

/**
 * A mail the master's event asks for; `facts` is the event's data as the intake validated it, less
 * its `pay_url`: the link carries the invoice's access token, so only `invoice_id` is queued.
 */
function eventMail<F extends z.ZodObject>(facts: F) {
  return z.object({ instanceId, eventId: z.string().min(1), facts });
}
export const reminderMailSchema = eventMail(REMINDER_DATA.omit({ pay_url: true }));
export type ReminderMailData = z.infer<typeof reminderMailSchema>;
export const deletionWarningMailSchema = eventMail(
  DELETION_WARNING_DATA.extend({ invoice_id: invoiceId.optional() }),
);
export type DeletionWarningMailData = z.infer<typeof deletionWarningMailSchema>;
export const chargeFailedMailSchema = eventMail(CHARGE_FAILED_DATA.omit({ pay_url: true }));
export type ChargeFailedMailData = z.infer<typeof chargeFailedMailSchema>;
export const storageWarningMailSchema = eventMail(STORAGE_WARNING_DATA);
export type StorageWarningMailData = z.infer<typeof storageWarningMailSchema>;

/** Mails the bridge sends after it changed an instance's state itself. */
export const STATE_MAIL_KINDS = ['suspended', 'reactivated', 'renewed', 'deleted'] as const;
export type StateMailKind = (typeof STATE_MAIL_KINDS)[number];
export const stateMailSchema = z.object({
  instanceId,
  kind: z.enum(STATE_MAIL_KINDS),
  /** suspended: the open renewal invoice, whose pay link the mail reads from the master */
  invoiceId: invoiceId.optional(),
});
export type StateMailData = z.infer<typeof stateMailSchema>;

/** The customer's mail once a new plan was applied to the tenant. */
export const planChangedMailSchema = z.object({
  instanceId,
  eventId: z.string().min(1),
  planCode: z.string().min(1).max(64),
});
export type PlanChangedMailData = z.infer<typeof planChangedMailSchema>;

/** One measurement of an instance's usage, in its slot of the hour. */
export const measureUsageSchema = z.object({ instanceId }).strict();
export type MeasureUsageData = z.infer<typeof measureUsageSchema>;
