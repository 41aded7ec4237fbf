import { pino } from 'pino';
import { z } from 'zod';
import type { JobDeps } from '../../src/jobs/registry.js';
import { Metrics } from '../../src/observability/metrics.js';
import { MailService } from '../../src/services/mail.service.js';
import { FakeMail } from './fakes/fake-mail.js';
import type { World } from './world.js';
import {
  JOBS,
  type JobContext,
  type JobDefinition,
  type JobName,
  type JobRegistry,
  type QueueName,
} from '../../src/ports/jobs.port.js';

/** the queue JOBS declares `name` on */
export function declaredQueue(name: JobName): QueueName {
  const queue = (Object.keys(JOBS) as QueueName[]).find((q) =>
    (JOBS[q] as readonly string[]).includes(name),
  );
  if (!queue) throw new Error(`${name} is not in JOBS`);
  return queue;
}

/** A definition of `name` on its declared queue: any object as data, run once, answering "ok". */
export function stubJob(name: JobName, overrides: Partial<JobDefinition> = {}): JobDefinition {
  return {
    name,
    queue: declaredQueue(name),
    schema: z.looseObject({}),
    attempts: 1,
    handler: async () => 'ok',
    ...overrides,
  };
}

export function registryOf(jobs: (JobName | JobDefinition)[]): JobRegistry {
  const definitions = jobs.map((j) => (typeof j === 'string' ? stubJob(j) : j));
  return new Map(definitions.map((d) => [d.name, d]));
}

/** What the queue hands a handler, for calling one directly. */
export function jobContext(
  overrides: Partial<JobContext> = {},
): JobContext & { progressed: number[] } {
  const progressed: number[] = [];
  return {
    jobId: 'job-1',
    attempt: 1,
    finalAttempt: false,
    logger: pino({ level: 'silent' }),
    progress: async (pct) => void progressed.push(pct),
    progressed,
    ...overrides,
  };
}

/** The job deps of a world (test/support/world.ts), with a mail service on an in-memory outbox. */
export function worldJobDeps(world: World, overrides: Partial<JobDeps> = {}) {
  const outbox = new FakeMail();
  const deps: JobDeps = {
    provisioning: world.provisioning,
    lifecycle: world.lifecycle,
    reconcile: world.reconcile,
    templates: world.templates,
    mail: new MailService({
      odoo: world.odoo,
      mailer: outbox,
      portalUrl: (id) => `https://master.example.com/my/instances/${id}`,
      baseDomain: 'saas.example.com',
    }),
    odoo: world.odoo,
    locks: world.locks,
    metrics: new Metrics(),
    ...overrides,
  };
  return { deps, outbox };
}
