import type { JobDefinition } from '../ports/jobs.port.js';

/**
 * Forgets a definition's data type so all of them fit one registry. Safe: the queue parses the data
 * with the definition's own schema before its handler sees it.
 */
export function defineJob<D, R>(definition: JobDefinition<D, R>): JobDefinition {
  return definition as unknown as JobDefinition;
}
