import { z } from 'zod';
import { BridgeError } from '../errors.js';
import type { InstanceBackupService } from '../services/instance-backup.service.js';
import { BACKUP_QUEUE, type BackupJobDefinition } from './backup-job.types.js';

export const backupMasterSchema = z.object({}).strict();

/**
 * The master's own database and filestore: the truth of the whole business. A repeated job: each
 * run has its own job id, which names its saas.backup record.
 */
export function backupMasterJob(deps: {
  instanceBackups: InstanceBackupService;
}): BackupJobDefinition<Record<string, never>, string> {
  return {
    name: 'backup-master',
    queue: BACKUP_QUEUE,
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
