/** Who a route belongs to (owner, instance, tenant); kept on the route, never used to match requests. */
export type RouteLabels = Record<string, string>;

/** where the proxy sends a sleeping tenant's requests on the bridge, and the header naming it */
export const WAKE_PATH = '/v1/wake';
export const WAKE_INSTANCE_HEADER = 'X-Saas-Wake-Instance';

export interface ProxyPort {
  ping(): Promise<void>;
  /** routes <host> to upstream (host:port); replaces an earlier route of the same host */
  routeToUpstream(host: string, upstream: string, labels?: RouteLabels): Promise<void>;
  /** routes <host> to a "suspended, renew here" redirect */
  routeToSuspendedPage(host: string, renewUrl: string, labels?: RouteLabels): Promise<void>;
  /**
   * routes <host> of a sleeping tenant to the bridge's wake handler at <wakeUpstream> (host:port):
   * every request becomes `/v1/wake` with the header `X-Saas-Wake-Instance: <instanceId>`, which the
   * proxy sets (a visitor's own value is replaced)
   */
  routeToWakeHandler(
    host: string,
    wakeUpstream: string,
    instanceId: number,
    labels?: RouteLabels,
  ): Promise<void>;
  removeRoute(host: string): Promise<void>;
  /**
   * <host>'s <path> answers <body> (200, text/plain), before any other route of the host: how a
   * custom domain proves it points here (removeChallenge drops it)
   */
  routeChallenge(host: string, path: string, body: string): Promise<void>;
  removeChallenge(host: string): Promise<void>;
  /** whether <host> has a route of ours (to a tenant or the suspended page) */
  hasRoute(host: string): Promise<boolean>;
}
