import { Router } from 'express';
import type { Writable } from 'node:stream';
import { BridgeError, errorMessage } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { checkDownloadLink } from './download-link.js';

export interface BackupDownloadDeps {
  sharedSecret: string;
  now: () => number;
  logger: Logger;
  /**
   * Checks the snapshot belongs to the instance (its own repository) and answers the file name
   * and a writer of the zip; throws backup_not_found otherwise, before anything is sent.
   */
  prepare(
    instanceId: number,
    snapshotId: string,
  ): Promise<{ filename: string; write(out: Writable): Promise<void> }>;
}

/**
 * GET /v1/backups/download?instance&snapshot&expires&sig: the link the master's portal hands the
 * customer; the signature (bridge secret) covers instance, snapshot and expiry, so it opens that
 * one backup for a few minutes and nothing else.
 */
export function backupDownloadRoute(deps: BackupDownloadDeps): Router {
  return Router().get('/v1/backups/download', async (req, res, next) => {
    const link = checkDownloadLink(deps.sharedSecret, req.query, deps.now());
    if (!link) {
      next(new BridgeError('unauthorized', 'download link is invalid or expired', true));
      return;
    }
    let download;
    try {
      download = await deps.prepare(link.instanceId, link.snapshotId);
    } catch (err) {
      next(err);
      return;
    }
    res.status(200);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="${download.filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    try {
      await download.write(res);
      res.end();
    } catch (err) {
      // headers are gone: the only honest signal left is a cut connection
      deps.logger.error({ instanceId: link.instanceId, err: errorMessage(err) }, 'download failed');
      res.destroy(err instanceof Error ? err : undefined);
    }
  });
}
