import { z } from 'zod';

/** sleep-instance and wake-instance: the instance only, its state is read when the job runs */
export const hibernationJobSchema = z.object({ instanceId: z.number().int().positive() }).strict();
export type HibernationJobData = z.infer<typeof hibernationJobSchema>;

export const scanIdleSchema = z.object({}).strict();
