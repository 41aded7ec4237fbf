import type { ProxyPort } from '../../../src/ports/proxy.port.js';

export type FakeRoute =
  { kind: 'upstream'; upstream: string } | { kind: 'suspended'; renewUrl: string };

/** Caddy in memory: one route per host. */
export class FakeProxy implements ProxyPort {
  readonly routes = new Map<string, FakeRoute>();

  async ping(): Promise<void> {}

  async routeToUpstream(host: string, upstream: string): Promise<void> {
    this.routes.set(host, { kind: 'upstream', upstream });
  }

  async routeToSuspendedPage(host: string, renewUrl: string): Promise<void> {
    this.routes.set(host, { kind: 'suspended', renewUrl });
  }

  async removeRoute(host: string): Promise<void> {
    this.routes.delete(host);
  }
}
