import { Router } from 'express';
import type { ReadinessCheck } from '../ports/intake.port.js';
import { checkReadiness } from './readiness.js';

/** /healthz: the process answers (liveness). /readyz: its dependencies answer too (readiness). */
export function healthRoute(checks: readonly ReadinessCheck[]): Router {
  return Router()
    .get('/healthz', (_req, res) => {
      res.json({ status: 'ok' });
    })
    .get('/readyz', async (_req, res) => {
      const report = await checkReadiness(checks);
      res.setHeader('Cache-Control', 'no-store');
      res
        .status(report.ready ? 200 : 503)
        .json({ status: report.ready ? 'ready' : 'unavailable', checks: report.checks });
    });
}
