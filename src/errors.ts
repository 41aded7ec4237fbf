/** Every error the bridge raises on purpose carries a stable code (shown in APIs, logs and Odoo). */
export type BridgeErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'too_many_attempts'
  | 'bad_signature'
  | 'stale_timestamp'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'not_found'
  | 'invalid_event'
  | 'event_in_flight'
  | 'odoo_fault'
  | 'odoo_unreachable'
  | 'odoo_bad_answer'
  | 'plan_invalid'
  | 'subdomain_taken'
  | 'instance_not_found'
  | 'tenant_not_ready'
  | 'docker_failed'
  | 'database_failed'
  | 'proxy_failed'
  | 'mail_failed'
  | 'backup_failed'
  | 'backups_not_configured'
  | 'capacity_exhausted'
  /** a write met ENOSPC: the message names the path; retried, the cause is the host's */
  | 'disk_full'
  | 'backup_failed'
  | 'backup_corrupt'
  | 'backup_not_found'
  | 'update_failed'
  | 'sleeping'
  | 'internal';

export class BridgeError extends Error {
  override name = 'BridgeError';
  constructor(
    readonly code: BridgeErrorCode,
    message: string,
    /** permanent errors are not retried by the job queue */
    readonly permanent = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Not a failure: the job cannot run now (another job holds its instance). The queue runs it again
 * in `retryInMs` without counting an attempt.
 */
export class BusyError extends Error {
  override name = 'BusyError';
  constructor(
    readonly retryInMs: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An outage of something the bridge needs (the master restarting): not the job's fault and not a
 * reason to give up on it. The queue waits it out without spending attempts, and nothing is cleaned
 * up because of it.
 */
export function isOutage(err: unknown): boolean {
  return err instanceof BridgeError && err.code === 'odoo_unreachable';
}
