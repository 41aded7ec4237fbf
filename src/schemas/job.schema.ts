import { z } from 'zod';

/** Jobs on the instances queue; they carry ids only (never secrets): Odoo is read again when they run. */
export const INSTANCE_ACTIONS = [
  'provision',
  'paid',
  'suspend',
  'reactivate',
  'terminate',
] as const;
export type InstanceAction = (typeof INSTANCE_ACTIONS)[number];

export const instanceJobSchema = z.object({
  instanceId: z.number().int().positive(),
  action: z.enum(INSTANCE_ACTIONS),
  eventId: z.string().min(1),
  eventType: z.string().min(1),
});
export type InstanceJobData = z.infer<typeof instanceJobSchema>;

export const MAIL_KINDS = ['welcome'] as const;
export const mailJobSchema = z.object({
  instanceId: z.number().int().positive(),
  kind: z.enum(MAIL_KINDS),
});
export type MailJobData = z.infer<typeof mailJobSchema>;
