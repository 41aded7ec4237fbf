import type { ProxyPort } from '../ports/proxy.port.js';

/** A DNS name as Caddy hands it over (SNI, lower case): labels of letters, digits and hyphens. */
const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export function isHostname(name: string): boolean {
  return HOSTNAME.test(name);
}

/**
 * Caddy's on-demand TLS asks before it requests a certificate for a name it has never seen: yes only
 * for the master's own names and for hosts the bridge routes. The bridge routes exactly the
 * subdomains of instances that exist (running or suspended: a suspended one shows its page over
 * HTTPS) and the verified custom domains of those; a purged instance's routes are gone. So a
 * certificate is never requested for a name someone merely pointed at us.
 */
export class TlsAskService {
  private readonly masterHosts: Set<string>;

  constructor(
    private readonly proxy: Pick<ProxyPort, 'hasRoute'>,
    baseDomain: string,
  ) {
    this.masterHosts = new Set([baseDomain, `www.${baseDomain}`]);
  }

  async allowed(domain: string): Promise<boolean> {
    if (this.masterHosts.has(domain)) return true;
    return this.proxy.hasRoute(domain);
  }
}
