import { BridgeError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { OdooPort } from '../ports/odoo.port.js';

export interface OwnerOptions {
  /** SAAS_OWNER, when set: no need to ask the master */
  configured: string | undefined;
  /** how long to wait for a master that is still starting */
  timeoutMs: number;
  retryMs: number;
}

/**
 * The owner every tenant resource of this bridge is labelled with: the master database's uuid, so a
 * second stack (or the test command's) on the same machine never lists, stops or removes our tenants.
 * Asked once at start; a master still starting is waited for, a master that never answers stops the start.
 */
export async function resolveOwner(
  odoo: OdooPort,
  logger: Logger,
  options: OwnerOptions,
): Promise<string> {
  if (options.configured) return options.configured;
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    try {
      return await odoo.ownerId();
    } catch (err) {
      if (err instanceof BridgeError && err.permanent) throw err;
      if (Date.now() + options.retryMs > deadline) {
        throw new BridgeError(
          'odoo_unreachable',
          `cannot read the owner (database uuid) from the master: ${(err as Error).message}; set SAAS_OWNER or start the master first`,
          false,
          { cause: err },
        );
      }
      logger.warn({ err }, 'master not answering yet; owner asked again');
      await new Promise((resolve) => setTimeout(resolve, options.retryMs));
    }
  }
}
