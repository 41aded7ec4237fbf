import { Router } from 'express';
import { BridgeError } from '../errors.js';
import { isHostname, type TlsAskService } from '../services/tls-ask.service.js';

/**
 * GET /v1/tls/ask?domain=<name>: Caddy's on_demand_tls `ask`. 200 lets Caddy get a certificate for the
 * name, anything else refuses it (404: not ours; 400: not a host name). The answer says only whether
 * a name is served here, which its DNS tells anyone anyway: no signature.
 */
export function tlsAskRoute(ask: TlsAskService): Router {
  return Router().get('/v1/tls/ask', async (req, res, next) => {
    try {
      const domain = typeof req.query.domain === 'string' ? req.query.domain.toLowerCase() : '';
      if (!isHostname(domain))
        throw new BridgeError('bad_request', 'domain must be a host name like erp.example.com');
      if (!(await ask.allowed(domain)))
        throw new BridgeError('not_found', `no instance is served at ${domain}`);
      res.status(200).setHeader('Cache-Control', 'no-store').json({ domain, allowed: true });
    } catch (err) {
      next(err);
    }
  });
}
