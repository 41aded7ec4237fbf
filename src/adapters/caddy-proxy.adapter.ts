import { BridgeError } from '../errors.js';
import {
  WAKE_INSTANCE_HEADER,
  WAKE_PATH,
  type ProxyPort,
  type RouteLabels,
} from '../ports/proxy.port.js';

const NOT_FOUND = Symbol('not found');

/** Route ids must be unique across Caddy's whole config; one per tenant host. */
function routeId(host: string): string {
  return `saas-host-${host}`;
}

/** a domain check's token route: its own id, so it never counts as the host's route (tls ask) */
function challengeId(host: string): string {
  return `saas-challenge-${host}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function suspendedPage(host: string, renewUrl: string): string {
  const url = escapeHtml(renewUrl);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Service suspended</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#333">
<h1>Service suspended / Servicio suspendido</h1>
<p>The Odoo at <b>${escapeHtml(host)}</b> is suspended because its subscription is unpaid. Your data is kept intact.</p>
<p>El Odoo de <b>${escapeHtml(host)}</b> est&aacute; suspendido por falta de pago. Sus datos se conservan intactos.</p>
<p><a href="${url}" style="display:inline-block;padding:.6rem 1.2rem;background:#714B67;color:#fff;border-radius:4px;text-decoration:none">Renew here / Renovar aqu&iacute;</a></p>
</body></html>`;
}

/**
 * Odoo sets its session cookie without `Secure`: over HTTPS the proxy adds it, so the browser never
 * sends the session in clear text. Only on TLS connections: on plain HTTP a Secure cookie would be
 * dropped and nobody could log in.
 */
export const SECURE_COOKIES_OVER_HTTPS = {
  handler: 'subroute',
  routes: [
    {
      match: [{ protocol: 'https' }],
      handle: [
        {
          handler: 'headers',
          response: {
            deferred: true,
            replace: { 'Set-Cookie': [{ search_regexp: '^(.*)$', replace: '${1}; Secure' }] },
          },
        },
      ],
    },
  ],
};

/** The only code that talks to Caddy's admin API: one route per tenant host in one server. */
export class CaddyProxyAdapter implements ProxyPort {
  constructor(
    private readonly adminUrl: string,
    private readonly server: string,
    /** the server plain HTTP requests reach (a domain check's token); production: the :80 one */
    private readonly challengeServer: string = server,
  ) {}

  async ping(): Promise<void> {
    const routes = await this.call('GET', `/config/apps/http/servers/${this.server}/routes`);
    if (!Array.isArray(routes)) {
      throw new BridgeError('proxy_failed', `Caddy has no server "${this.server}" with routes`);
    }
  }

  async routeToUpstream(host: string, upstream: string, labels?: RouteLabels): Promise<void> {
    await this.replaceRoute(host, labels, [
      SECURE_COOKIES_OVER_HTTPS,
      { handler: 'reverse_proxy', upstreams: [{ dial: upstream }] },
    ]);
  }

  async routeToSuspendedPage(host: string, renewUrl: string, labels?: RouteLabels): Promise<void> {
    await this.replaceRoute(host, labels, [
      {
        handler: 'static_response',
        status_code: 503,
        headers: { 'Content-Type': ['text/html; charset=utf-8'], 'Retry-After': ['3600'] },
        body: suspendedPage(host, renewUrl),
      },
    ]);
  }

  async routeToWakeHandler(
    host: string,
    wakeUpstream: string,
    instanceId: number,
    labels?: RouteLabels,
  ): Promise<void> {
    await this.replaceRoute(host, labels, [
      // `set` replaces whatever the visitor sent: the bridge trusts this header as the proxy's
      {
        handler: 'headers',
        request: { set: { [WAKE_INSTANCE_HEADER]: [String(instanceId)] } },
      },
      { handler: 'rewrite', uri: WAKE_PATH },
      { handler: 'reverse_proxy', upstreams: [{ dial: wakeUpstream }] },
    ]);
  }

  async routeChallenge(host: string, path: string, body: string): Promise<void> {
    const route = {
      '@id': challengeId(host),
      match: [{ host: [host], path: [path] }],
      handle: [
        {
          handler: 'static_response',
          status_code: 200,
          headers: { 'Content-Type': ['text/plain; charset=utf-8'], 'Cache-Control': ['no-store'] },
          body,
        },
      ],
      terminal: true,
    };
    const patched = await this.call('PATCH', `/id/${challengeId(host)}`, route, [404]);
    if (patched === NOT_FOUND)
      await this.call('PUT', `/config/apps/http/servers/${this.challengeServer}/routes/0`, route);
  }

  async removeChallenge(host: string): Promise<void> {
    await this.call('DELETE', `/id/${challengeId(host)}`, undefined, [404]);
  }

  async hasRoute(host: string): Promise<boolean> {
    return (await this.call('GET', `/id/${routeId(host)}`, undefined, [404])) !== NOT_FOUND;
  }

  async removeRoute(host: string): Promise<void> {
    await this.call('DELETE', `/id/${routeId(host)}`, undefined, [404]);
  }

  private async replaceRoute(
    host: string,
    labels: RouteLabels | undefined,
    handle: unknown[],
  ): Promise<void> {
    // Caddy routes have no labels: a `vars` handler first in the chain carries them (owner, instance),
    // readable in the config and by anything that lists routes, and changes nothing in the response
    const chain =
      labels && Object.keys(labels).length > 0
        ? [{ handler: 'vars', ...labels }, ...handle]
        : handle;
    const route = {
      '@id': routeId(host),
      match: [{ host: [host] }],
      handle: chain,
      terminal: true,
    };
    // PATCH swaps an existing route in place (no moment without it); a new one is inserted at index 0,
    // before the catch-all route that ends the list
    const patched = await this.call('PATCH', `/id/${routeId(host)}`, route, [404]);
    if (patched === NOT_FOUND)
      await this.call('PUT', `/config/apps/http/servers/${this.server}/routes/0`, route);
  }

  private async call(
    method: string,
    path: string,
    body?: unknown,
    tolerated: number[] = [],
  ): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.adminUrl}${path}`, {
        method,
        // Caddy restarts its admin server on every config change, closing idle connections: a pooled
        // one reused for the next call fails ("other side closed"), so each call has its own
        headers:
          body === undefined
            ? { connection: 'close' }
            : { connection: 'close', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
      });
    } catch (err) {
      throw new BridgeError(
        'proxy_failed',
        `Caddy admin API at ${this.adminUrl} unreachable`,
        false,
        { cause: err },
      );
    }
    const text = await response.text();
    if (response.status === 404 && tolerated.includes(404)) return NOT_FOUND;
    if (!response.ok && !tolerated.includes(response.status)) {
      throw new BridgeError(
        'proxy_failed',
        `Caddy ${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`,
      );
    }
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}
