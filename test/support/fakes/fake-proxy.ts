import type { ProxyPort, RouteLabels } from '../../../src/ports/proxy.port.js';

export type FakeRoute =
  | { kind: 'upstream'; upstream: string; labels?: RouteLabels }
  | { kind: 'suspended'; renewUrl: string; labels?: RouteLabels }
  | { kind: 'wake'; upstream: string; instanceId: number; labels?: RouteLabels };

/** Caddy in memory: one route per host. */
export class FakeProxy implements ProxyPort {
  readonly routes = new Map<string, FakeRoute>();

  async ping(): Promise<void> {}

  async routeToUpstream(host: string, upstream: string, labels?: RouteLabels): Promise<void> {
    this.routes.set(host, { kind: 'upstream', upstream, ...(labels ? { labels } : {}) });
  }

  async routeToSuspendedPage(host: string, renewUrl: string, labels?: RouteLabels): Promise<void> {
    this.routes.set(host, { kind: 'suspended', renewUrl, ...(labels ? { labels } : {}) });
  }

  async routeToWakeHandler(
    host: string,
    wakeUpstream: string,
    instanceId: number,
    labels?: RouteLabels,
  ): Promise<void> {
    this.routes.set(host, {
      kind: 'wake',
      upstream: wakeUpstream,
      instanceId,
      ...(labels ? { labels } : {}),
    });
  }

  readonly challenges = new Map<string, { path: string; body: string }>();

  async routeChallenge(host: string, path: string, body: string): Promise<void> {
    this.challenges.set(host, { path, body });
  }

  async removeChallenge(host: string): Promise<void> {
    this.challenges.delete(host);
  }

  async hasRoute(host: string): Promise<boolean> {
    return this.routes.has(host);
  }

  async removeRoute(host: string): Promise<void> {
    this.routes.delete(host);
  }
}
