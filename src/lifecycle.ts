import type { Server } from 'node:http';
import type { Express } from 'express';
import { errorMessage } from './errors.js';
import { reconcileNow, scheduleReconcile } from './jobs/reconcile.job.js';
import { checkRegistry } from './jobs/registry.js';
import { replenishSparesNow } from './jobs/replenish-spares.job.js';
import { warmTemplatesNow } from './jobs/warm-templates.job.js';
import type { Logger } from './observability/logger.js';
import type {
  JobName,
  JobQueuePort,
  JobRegistry,
  JobWorkersPort,
  QueueName,
} from './ports/jobs.port.js';

/** A wired bridge (src/wiring.ts): everything built, nothing listening or running yet. */
export interface Bridge {
  app: Express;
  jobs: JobQueuePort & JobWorkersPort;
  registry: JobRegistry;
  concurrency: Record<QueueName, number>;
  http: { port: number; host: string };
  reconcileIntervalSeconds: number;
  /** jobs on a schedule of their own besides the reconciler (backups) */
  schedules: { name: JobName; everyMs: number; data: object }[];
  logger: Logger;
  /** logged once the bridge listens */
  facts: Record<string, unknown>;
  /** lets go of what wiring opened, other than the job queue */
  close(): Promise<void>;
}

export interface RunningBridge {
  /** `reason` (the signal) is logged */
  stop(reason: string): Promise<void>;
}

/**
 * Checks the job registry first (a job without its handler stops the start), then listens, starts
 * the workers, schedules the reconciler, reconciles once and warms the plans' templates.
 */
export async function startBridge(bridge: Bridge): Promise<RunningBridge> {
  checkRegistry(bridge.registry);
  const { app, jobs, logger } = bridge;
  const server: Server = app.listen(bridge.http.port, bridge.http.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  jobs.start(bridge.concurrency);
  await scheduleReconcile(jobs, bridge.reconcileIntervalSeconds);
  for (const schedule of bridge.schedules)
    await jobs.every(schedule.name, schedule.everyMs, schedule.data);
  await reconcileNow(jobs);
  await warmTemplatesNow(jobs);
  // after the templates (one maintenance job at a time): spares are cloned from them
  await replenishSparesNow(jobs);
  logger.info({ ...bridge.http, ...bridge.facts }, 'bridge listening');
  return {
    async stop(reason) {
      logger.info({ signal: reason }, 'shutting down: HTTP, then workers, then queues, then Redis');
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await jobs.close();
      await bridge.close();
      logger.info('stopped');
    },
  };
}

const FORCED_EXIT_MS = 30_000;

/**
 * The process around a bridge: a start that fails prints one line and exits 1; SIGTERM and SIGINT
 * stop it in order (forced after 30 s) and exit 0.
 */
export function runProcess(start: () => Promise<RunningBridge>): void {
  start().then(
    (running) => {
      let stopping = false;
      const shutdown = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        setTimeout(() => process.exit(1), FORCED_EXIT_MS).unref();
        try {
          await running.stop(signal);
          process.exit(0);
        } catch (err) {
          console.error(`saas-bridge: unclean stop: ${errorMessage(err)}`);
          process.exit(1);
        }
      };
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
      process.on('SIGINT', () => void shutdown('SIGINT'));
    },
    (err: unknown) => {
      console.error(`saas-bridge: failed to start: ${errorMessage(err)}`);
      process.exit(1);
    },
  );
}
