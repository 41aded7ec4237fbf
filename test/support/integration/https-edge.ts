import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { CaddyProxyAdapter } from '../../../src/adapters/caddy-proxy.adapter.js';
import { errorHandler } from '../../../src/http/error-handler.js';
import { tlsAskRoute } from '../../../src/http/tls-ask.route.js';
import { TlsAskService } from '../../../src/services/tls-ask.service.js';
import { caddyRootCertificate, startCaddy, type CaddyInstance } from './caddy.js';
import { closeServer } from './net.js';

export interface HttpsEdge {
  caddy: CaddyInstance;
  proxy: CaddyProxyAdapter;
  httpsPort: number;
  /** Caddy's local CA root (PEM): the only certificate the tests trust */
  root: string;
  /** every question Caddy's on-demand TLS asked the bridge route, with its answer */
  asked: { domain: string; status: number }[];
  stop(): Promise<void>;
}

/**
 * A Caddy with HTTPS like the stack's (local CA, certificates on demand) and the bridge's real
 * /v1/tls/ask route in front of a CaddyProxyAdapter of that same Caddy.
 */
export async function startHttpsEdge(masterDomain = 'localhost'): Promise<HttpsEdge> {
  const asked: { domain: string; status: number }[] = [];
  const late: { proxy?: CaddyProxyAdapter } = {};
  const app = express();
  app.use((req, res, next) => {
    res.on('finish', () =>
      asked.push({ domain: String(req.query.domain ?? ''), status: res.statusCode }),
    );
    next();
  });
  // Caddy needs the ask URL before it starts and the adapter needs Caddy: the service reads it late
  const routed = {
    hasRoute: (host: string) => late.proxy?.hasRoute(host) ?? Promise.resolve(false),
  };
  app.use(tlsAskRoute(new TlsAskService(routed, masterDomain)));
  app.use(errorHandler(pino({ level: 'silent' })));
  const askServer: http.Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => askServer.once('listening', resolve));
  const askUrl = `http://127.0.0.1:${(askServer.address() as AddressInfo).port}/v1/tls/ask`;
  const caddy = await startCaddy('saas', { https: { askUrl } });
  const proxy = new CaddyProxyAdapter(caddy.adminUrl, caddy.server);
  late.proxy = proxy;
  if (!caddy.httpsPort) throw new Error('Caddy has no HTTPS listener');
  return {
    caddy,
    proxy,
    httpsPort: caddy.httpsPort,
    root: await caddyRootCertificate(caddy.adminUrl),
    asked,
    async stop() {
      await caddy.stop();
      await closeServer(askServer);
    },
  };
}
