import { z } from 'zod';
import { UPDATE_DATA } from './event.schema.js';

/** One instance's part of a rolling update (job update-instance); ids and names only. */
export const updateInstanceSchema = z.object({
  instanceId: z.number().int().positive(),
  eventId: z.string().min(1),
  rolloutLineId: UPDATE_DATA.shape.rollout_line_id,
  targetVersion: UPDATE_DATA.shape.target_version,
  modules: UPDATE_DATA.shape.modules,
});
export type UpdateInstanceData = z.infer<typeof updateInstanceSchema>;
