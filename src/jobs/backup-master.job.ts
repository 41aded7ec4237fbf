import { z } from 'zod';
import { BridgeError } from '../errors.js';
import { QUEUES, type JobDefinition } from '../ports/jobs.port.js';
import type { InstanceBackupService } from '../services/instance-backup.service.js';

export const backupMasterSchema = z.object({}).strict();

/**
 * The master's own database and filestore: the truth of the whole business. A repeated job: each
 * run has its own job id, which names its saas.backup record.
 */
export function backupMasterJob(deps: {
  instanceBackups: InstanceBackupService;
}): JobDefinition<Record<string, never>, string> {
  return {
    name: 'backup-master',
    queue: QUEUES.backups,
    schema: backupMasterSchema,
    attempts: 3,
    backoff: { type: 'exponential', delayMs: 60_000 },
    handler: async (_data, ctx) => {
      try {
        return await deps.instanceBackups.backupMaster(ctx.jobId);
      } catch (err) {
        const last = ctx.finalAttempt || (err instanceof BridgeError && err.permanent);
        if (last) await deps.instanceBackups.recordFailure(undefined, ctx.jobId, err);
        throw err;
      }
    },
  };
}
