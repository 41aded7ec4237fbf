import { Router } from 'express';
import type { Metrics } from '../observability/metrics.js';

/** Prometheus scrape endpoint. */
export function metricsRoute(metrics: Metrics): Router {
  return Router().get('/metrics', async (_req, res) => {
    const text = await metrics.registry.metrics();
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(text);
  });
}
