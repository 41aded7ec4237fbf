export interface ProxyPort {
  ping(): Promise<void>;
  /** routes <host> to upstream (host:port); replaces an earlier route of the same host */
  routeToUpstream(host: string, upstream: string): Promise<void>;
  /** routes <host> to a "suspended, renew here" redirect */
  routeToSuspendedPage(host: string, renewUrl: string): Promise<void>;
  removeRoute(host: string): Promise<void>;
}
